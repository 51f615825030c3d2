using DeepTrain.Tensors;

namespace DeepTrain.Layers;

/// <summary>
/// Parametric ReLU (He et al. 2015): z for z &gt; 0, a·z otherwise, with the slope a learned (parameter
/// <c>alpha</c>): one per unit, or one shared by all units.
/// </summary>
public sealed class PReLU : Module
{
    /// <summary>Makes the layer.</summary>
    /// <param name="initialSlope">a's initial value (PyTorch's default 0.25).</param>
    /// <param name="shared">One slope for all units instead of one per unit.</param>
    /// <param name="name">The layer's name.</param>
    public PReLU(float initialSlope = 0.25f, bool shared = false, string? name = null) : base(name)
    {
        InitialSlope = initialSlope; Shared = shared;
    }

    /// <summary>a's initial value.</summary>
    public float InitialSlope { get; }
    /// <summary>Whether one slope is shared.</summary>
    public bool Shared { get; }
    /// <summary>The slopes.</summary>
    public Tensor Alpha { get; private set; } = null!;

    /// <inheritdoc/>
    public override int Build(int inputFeatures, Rng rng)
    {
        Alpha = AddParameter("alpha", Tensor.Full(InitialSlope, Shared ? 1 : inputFeatures));
        return inputFeatures;
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Ops.Ops.PRelu(input, Alpha);

    /// <inheritdoc/>
    public override string Describe() => Shared ? "shared slope" : "slope per unit";
}
