using DeepTrain.Tensors;

namespace DeepTrain.Layers;

/// <summary>
/// Batch normalization (Ioffe &amp; Szegedy 2015) over the features of a [batch, features] input. In training it
/// normalizes with the batch's statistics and updates the moving averages
/// <c>v ← v·momentum + batch·(1 − momentum)</c> (Keras's convention; PyTorch's momentum is 1 − ours), feeding the
/// moving variance with the unbiased batch variance as PyTorch does. In inference (and whenever the layer is
/// frozen, as in TensorFlow 2) it uses the moving averages and leaves them unchanged.
/// Parameters: <c>gamma</c> (scale) and <c>beta</c> (offset); buffers: <c>running_mean</c>, <c>running_var</c>.
/// </summary>
public sealed class BatchNorm : Module
{
    /// <summary>Makes the layer.</summary>
    /// <param name="momentum">Weight of the old value in the moving averages, in [0, 1) (Keras default 0.99).</param>
    /// <param name="epsilon">Added to the variance, &gt; 0 (Keras default 0.001).</param>
    /// <param name="center">Learn an offset β.</param>
    /// <param name="scale">Learn a scale γ.</param>
    /// <param name="name">The layer's name.</param>
    public BatchNorm(float momentum = 0.99f, float epsilon = 1e-3f, bool center = true, bool scale = true, string? name = null) : base(name)
    {
        if (!(momentum >= 0 && momentum < 1)) throw new ArgumentException($"momentum must be in [0, 1): got {momentum}");
        if (!(epsilon > 0)) throw new ArgumentException($"epsilon must be > 0: got {epsilon}");
        Momentum = momentum; Epsilon = epsilon; Center = center; Scale = scale;
    }

    /// <summary>The moving-average momentum.</summary>
    public float Momentum { get; }
    /// <summary>ε.</summary>
    public float Epsilon { get; }
    /// <summary>Whether β is learned.</summary>
    public bool Center { get; }
    /// <summary>Whether γ is learned.</summary>
    public bool Scale { get; }
    /// <summary>The number of features (0 until built).</summary>
    public int Features { get; private set; }
    /// <summary>γ, or null.</summary>
    public Tensor? Gamma { get; private set; }
    /// <summary>β, or null.</summary>
    public Tensor? Beta { get; private set; }
    /// <summary>The moving mean.</summary>
    public Tensor RunningMean { get; private set; } = null!;
    /// <summary>The moving variance.</summary>
    public Tensor RunningVar { get; private set; } = null!;

    /// <inheritdoc/>
    public override int Build(int inputFeatures, Rng rng)
    {
        Features = inputFeatures;
        if (Scale) Gamma = AddParameter("gamma", Tensor.Ones(inputFeatures));
        if (Center) Beta = AddParameter("beta", Tensor.Zeros(inputFeatures));
        RunningMean = AddBuffer("running_mean", Tensor.Zeros(inputFeatures));
        RunningVar = AddBuffer("running_var", Tensor.Ones(inputFeatures));
        return inputFeatures;
    }

    /// <summary>True when the layer normalizes with batch statistics: training mode and not frozen.</summary>
    public bool UsesBatchStatistics => IsTraining && !IsFrozen;

    /// <summary>
    /// In a data-parallel run, the replicas whose batch slices this layer normalizes together (synchronized
    /// BatchNorm: statistics of the global batch); null (the default) normalizes with this process's rows only.
    /// Used only while the layer <see cref="UsesBatchStatistics"/>.
    /// </summary>
    public Ops.ICrossReplicaSum? CrossReplica { get; set; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) =>
        CrossReplica is { } replicas && UsesBatchStatistics
            ? Ops.Ops.SyncBatchNorm(input, Gamma, Beta, RunningMean, RunningVar, Momentum, Epsilon, replicas)
            : Ops.Ops.BatchNorm(input, Gamma, Beta, RunningMean, RunningVar, UsesBatchStatistics, Momentum, Epsilon);

    /// <inheritdoc/>
    public override string Describe() => $"momentum {Momentum}, epsilon {Epsilon}";
}
