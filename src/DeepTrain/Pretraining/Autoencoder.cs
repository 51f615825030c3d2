using DeepTrain.Autograd;
using DeepTrain.Data;
using DeepTrain.Init;
using DeepTrain.Kernels;
using DeepTrain.Layers;
using DeepTrain.Tensors;

namespace DeepTrain.Pretraining;

/// <summary>
/// A one-hidden-layer autoencoder around an existing (built) <see cref="Dense"/> encoder, trained with the plain
/// fit loop to reconstruct its input: x̂ = g(f(x̃·W + b)·W′ + b′), where x̃ is the input corrupted by
/// <see cref="Corruption"/> in training mode (x itself in inference mode), f the encoder's activation, and g the
/// identity for <see cref="ReconstructionLoss.MeanSquaredError"/> or σ for <see cref="ReconstructionLoss.CrossEntropy"/>
/// (whose forward returns the logits; <see cref="Reconstruct"/> applies σ).
/// </summary>
/// <remarks>
/// With tied weights the decoder's W′ is Wᵀ, computed from the encoder's one weight tensor inside every forward
/// (<see cref="Ops.Ops.Transpose"/>): the decoder always sees the encoder's current weights, and both uses of W add
/// to its one gradient. The module's parameters are then the encoder's <c>weight</c> and <c>bias</c> (with the
/// encoder's names, such as <c>hidden1.weight</c>) and <c>decoder_bias</c>; untied, there is also
/// <c>decoder_weight</c> of shape [units, inputs]. Train it with <c>Fit</c> and <see cref="Training.Loss.Reconstruction"/>
/// or <see cref="Training.Loss.BinaryReconstruction"/> (see <see cref="TrainingLoss"/>).
/// </remarks>
public sealed class Autoencoder : Module
{
    /// <summary>Wraps <paramref name="encoder"/> (already built, e.g. a layer of a <see cref="Sequential"/>) in an autoencoder.</summary>
    /// <param name="encoder">The encoder layer; it is trained in place.</param>
    /// <param name="tiedWeights">Whether the decoder's weight is the encoder's, transposed.</param>
    /// <param name="loss">The reconstruction loss, which fixes the decoder's output activation.</param>
    /// <param name="corruption">The training-mode input noise (default none).</param>
    /// <param name="rng">Draws the untied decoder weight's initial values (Glorot uniform); unused when tied.</param>
    /// <param name="name">The module's name (default none, so parameters keep the encoder's names).</param>
    public Autoencoder(Dense encoder, bool tiedWeights = true, ReconstructionLoss loss = ReconstructionLoss.CrossEntropy,
                       Corruption? corruption = null, Rng? rng = null, string? name = null) : base(name)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        if (encoder.Inputs == 0) throw new ArgumentException($"the encoder layer '{encoder.Name}' must be built (added to a Sequential) before it is wrapped in an autoencoder");
        if (!Enum.IsDefined(loss)) throw new ArgumentOutOfRangeException(nameof(loss), $"unknown reconstruction loss {(int)loss}");
        TiedWeights = tiedWeights;
        Loss = loss;
        Corruption = corruption ?? Corruption.None;
        Encoder = AddChild(encoder);
        if (!tiedWeights)
        {
            var w = Tensor.Zeros(encoder.Units, encoder.Inputs);
            Initializer.GlorotUniform.Fill(w, rng ?? new Rng(0));
            DecoderWeight = AddParameter("decoder_weight", w);
        }
        DecoderBias = AddParameter("decoder_bias", Tensor.Zeros(encoder.Inputs));
    }

    /// <summary>The encoder layer (shared with the stack it came from).</summary>
    public Dense Encoder { get; }

    /// <summary>Whether the decoder uses the encoder's weight, transposed.</summary>
    public bool TiedWeights { get; }

    /// <summary>The reconstruction loss.</summary>
    public ReconstructionLoss Loss { get; }

    /// <summary>The training-mode input noise.</summary>
    public Corruption Corruption { get; }

    /// <summary>The decoder's own weight [units, inputs], or null with tied weights.</summary>
    public Tensor? DecoderWeight { get; }

    /// <summary>The decoder's bias b′ [inputs].</summary>
    public Tensor DecoderBias { get; }

    /// <summary>The number of input (and reconstructed) features.</summary>
    public int Features => Encoder.Inputs;

    /// <summary>The fit loop's loss for this autoencoder: <see cref="Training.Loss.BinaryReconstruction"/> or <see cref="Training.Loss.Reconstruction"/>.</summary>
    public Training.Loss TrainingLoss => Loss == ReconstructionLoss.CrossEntropy ? Training.Loss.BinaryReconstruction : Training.Loss.Reconstruction;

    /// <summary>
    /// The decoder's output before its final activation: the logits under cross-entropy, the reconstruction itself
    /// under MSE. Corrupts the input first in training mode.
    /// </summary>
    public override Tensor Forward(Tensor input)
    {
        var x = IsTraining ? Corruption.Apply(input, Rng) : input;
        return DecodeRaw(Encoder.Forward(x));
    }

    /// <summary>The code f(x·W + b) of a batch.</summary>
    public Tensor Encode(Tensor input) => Encoder.Forward(input);

    /// <summary>The reconstruction, in the input's space (σ applied under cross-entropy), from a batch of codes.</summary>
    public Tensor Decode(Tensor code)
    {
        var raw = DecodeRaw(code);
        return Loss == ReconstructionLoss.CrossEntropy ? Ops.Ops.Sigmoid(raw) : raw;
    }

    /// <summary>The clean (uncorrupted) reconstruction of a batch, in the input's space, whatever the mode.</summary>
    public Tensor Reconstruct(Tensor input) => Decode(Encode(input));

    // z′ = h·W′ + b′ with W′ = Wᵀ (tied: transposed inside the graph, so the gradient reaches W) or the own weight.
    private Tensor DecodeRaw(Tensor code)
    {
        var w = TiedWeights ? Ops.Ops.Transpose(Encoder.Weight) : DecoderWeight!;
        return Ops.Ops.Dense(code, w, DecoderBias, ActivationKind.Identity);
    }

    /// <summary>
    /// The mean squared error per element between the examples of <paramref name="data"/> and their clean
    /// reconstructions (in the input's space, whatever the training loss), in inference mode.
    /// </summary>
    public double ReconstructionError(Dataset data, int batchSize = 256)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Features != Features) throw new ArgumentException($"the autoencoder reconstructs {Features} features but the data has {data.Features}");
        if (data.Count == 0) return double.NaN;
        bool wasTraining = IsTraining;
        Eval();
        var scope = new StepScope();
        var labels = new int[batchSize];
        double sum = 0;
        try
        {
            using var _ = GradMode.NoGrad();
            var iterator = new BatchIterator(data.Count, batchSize, shuffle: false, seed: 0);
            foreach (var batch in iterator.NextEpoch())
            {
                using (scope.Open())
                {
                    var x = Tensor.Empty(new Shape(batch.Length, Features));
                    data.GetBatch(batch, x.Data, labels.AsSpan(0, batch.Length));
                    var r = Reconstruct(x);
                    var xd = x.Data; var rd = r.Data;
                    for (int i = 0; i < xd.Length; i++)
                    {
                        double d = rd[i] - xd[i];
                        sum += d * d;
                    }
                }
            }
        }
        finally
        {
            if (wasTraining) Train();
        }
        return sum / ((double)data.Count * Features);
    }

    /// <inheritdoc/>
    public override string Describe() =>
        $"{Features}→{Encoder.Units}→{Features}, {Encoder.Activation.Name}, {(TiedWeights ? "tied" : "untied")}, {Loss}, noise {Corruption.Name}";
}
