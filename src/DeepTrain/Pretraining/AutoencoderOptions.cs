using DeepTrain.Init;
using DeepTrain.Layers;
using DeepTrain.Optimizers;

namespace DeepTrain.Pretraining;

/// <summary>The settings of <see cref="AutoencoderPretrainer"/>. Validated when pretraining starts.</summary>
public sealed class AutoencoderOptions
{
    /// <summary>Hidden layer widths, bottom to top (the layers <c>hidden1..N</c>).</summary>
    public IReadOnlyList<int> HiddenSizes { get; set; } = [300, 100];

    /// <summary>
    /// The encoders' activation (default sigmoid: its codes lie in [0, 1], so every layer can use the
    /// cross-entropy loss, and the stack has the same form as one initialized from RBMs).
    /// </summary>
    public Activation Activation { get; set; } = Activation.Sigmoid;

    /// <summary>The encoders' weight initializer (default Glorot uniform; He normal suits ELU/ReLU).</summary>
    public Initializer Initializer { get; set; } = Initializer.GlorotUniform;

    /// <summary>Whether each decoder's weight is its encoder's, transposed (default true).</summary>
    public bool TiedWeights { get; set; } = true;

    /// <summary>The training-mode input noise of every layer (default none; <c>Corruption.Masking(0.25)</c> makes denoising autoencoders).</summary>
    public Corruption Corruption { get; set; } = Corruption.None;

    /// <summary>
    /// The reconstruction loss of every layer (default cross-entropy, which needs inputs in [0, 1] at every layer:
    /// pixels scaled by 1/255 and sigmoid codes).
    /// </summary>
    public ReconstructionLoss Loss { get; set; } = ReconstructionLoss.CrossEntropy;

    /// <summary>Epochs per layer, ≥ 1.</summary>
    public int Epochs { get; set; } = 10;

    /// <summary>Examples per batch, ≥ 1.</summary>
    public int BatchSize { get; set; } = 64;

    /// <summary>The optimizer's name (see <see cref="OptimizerFactory.Names"/>); default <c>adam</c>.</summary>
    public string Optimizer { get; set; } = "adam";

    /// <summary>The learning rate, or null for the optimizer's default.</summary>
    public float? LearningRate { get; set; }

    /// <summary>The seed of the initialization, the shuffling and the noise.</summary>
    public int Seed { get; set; }

    /// <summary>
    /// How many training examples (a fixed random subset) the per-epoch reconstruction error is measured on;
    /// 0 for all of them.
    /// </summary>
    public int MonitorRows { get; set; } = 5000;

    /// <summary>Where one line per epoch goes, or null for silence.</summary>
    public TextWriter? Output { get; set; }

    internal void Validate()
    {
        if (HiddenSizes is null || HiddenSizes.Count == 0) throw new ArgumentException("HiddenSizes must name at least one hidden layer");
        if (HiddenSizes.Any(h => h <= 0)) throw new ArgumentException($"hidden layer sizes must be > 0: got {string.Join(",", HiddenSizes)}");
        ArgumentNullException.ThrowIfNull(Activation);
        ArgumentNullException.ThrowIfNull(Initializer);
        ArgumentNullException.ThrowIfNull(Corruption);
        if (!Enum.IsDefined(Loss)) throw new ArgumentException($"unknown reconstruction loss {(int)Loss}");
        if (Epochs < 1) throw new ArgumentException($"epochs must be >= 1: got {Epochs}");
        if (BatchSize < 1) throw new ArgumentException($"batch size must be >= 1: got {BatchSize}");
        if (LearningRate is float lr && !(lr > 0 && float.IsFinite(lr))) throw new ArgumentException($"learning rate must be > 0: got {lr}");
        if (!OptimizerFactory.Names.Contains(Optimizer?.Trim().ToLowerInvariant()))
            throw new ArgumentException($"unknown optimizer '{Optimizer}': valid names are {string.Join(", ", OptimizerFactory.Names)}");
        if (MonitorRows < 0) throw new ArgumentException($"MonitorRows must be >= 0: got {MonitorRows}");
    }
}
