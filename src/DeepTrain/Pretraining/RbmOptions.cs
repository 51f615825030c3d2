namespace DeepTrain.Pretraining;

/// <summary>The settings of <see cref="RbmPretrainer"/>. Validated when pretraining starts.</summary>
public sealed class RbmOptions
{
    /// <summary>Hidden layer widths, bottom to top: RBM k has <c>HiddenSizes[k-1]</c> hidden units (the layers <c>hidden1..N</c>).</summary>
    public IReadOnlyList<int> HiddenSizes { get; set; } = [300, 100];

    /// <summary>
    /// The first RBM's visible units (default Bernoulli, for data in [0, 1]; Gaussian for standardized real-valued
    /// data). Every RBM above the first has Bernoulli visible units: it models the hidden probabilities below it.
    /// </summary>
    public VisibleUnits VisibleUnits { get; set; } = VisibleUnits.Bernoulli;

    /// <summary>Epochs per RBM, ≥ 1.</summary>
    public int Epochs { get; set; } = 10;

    /// <summary>Examples per mini-batch (and, with PCD, the number of persistent chains), ≥ 1.</summary>
    public int BatchSize { get; set; } = 64;

    /// <summary>ε, the learning rate, &gt; 0 (default 0.05; 0.001 to 0.01 for Gaussian visible units).</summary>
    public float LearningRate { get; set; } = 0.05f;

    /// <summary>k, the Gibbs steps of CD-k / PCD-k, ≥ 1.</summary>
    public int K { get; set; } = 1;

    /// <summary>Persistent contrastive divergence (PCD) instead of CD.</summary>
    public bool Persistent { get; set; }

    /// <summary>μ, the momentum, in [0, 1) (default 0.5).</summary>
    public float Momentum { get; set; } = 0.5f;

    /// <summary>λ, the weight decay (L2 on the weights, not the biases), ≥ 0 (default 0.0001).</summary>
    public float WeightDecay { get; set; } = 1e-4f;

    /// <summary>The seed of the initialization, the shuffling, the sampling and the monitor subsets.</summary>
    public int Seed { get; set; }

    /// <summary>
    /// How many examples (a fixed random subset of the training data, and of the held-out data) the per-epoch figures
    /// are measured on; 0 for all of them.
    /// </summary>
    public int MonitorRows { get; set; } = 5000;

    /// <summary>Where one line per epoch goes, or null for silence.</summary>
    public TextWriter? Output { get; set; }

    internal void Validate()
    {
        if (HiddenSizes is null || HiddenSizes.Count == 0) throw new ArgumentException("HiddenSizes must name at least one hidden layer");
        if (HiddenSizes.Any(h => h <= 0)) throw new ArgumentException($"hidden layer sizes must be > 0: got {string.Join(",", HiddenSizes)}");
        if (!Enum.IsDefined(VisibleUnits)) throw new ArgumentException($"unknown visible unit kind {(int)VisibleUnits}");
        if (Epochs < 1) throw new ArgumentException($"epochs must be >= 1: got {Epochs}");
        if (BatchSize < 1) throw new ArgumentException($"batch size must be >= 1: got {BatchSize}");
        if (!(LearningRate > 0 && float.IsFinite(LearningRate))) throw new ArgumentException($"learning rate must be > 0: got {LearningRate}");
        if (K < 1) throw new ArgumentException($"k (Gibbs steps) must be >= 1: got {K}");
        if (!(Momentum >= 0 && Momentum < 1)) throw new ArgumentException($"momentum must be in [0, 1): got {Momentum}");
        if (!(WeightDecay >= 0 && float.IsFinite(WeightDecay))) throw new ArgumentException($"weight decay must be >= 0: got {WeightDecay}");
        if (MonitorRows < 0) throw new ArgumentException($"MonitorRows must be >= 0: got {MonitorRows}");
    }
}
