using System.Numerics.Tensors;

namespace DeepTrain.Optimizers;

/// <summary>
/// RMSProp (Hinton's lecture 6e), optionally centered (Graves, 2013) and with momentum, in PyTorch's form. With
/// weight decay λ (L2, added to the gradient), decay ρ (PyTorch's <c>alpha</c>), momentum μ:
/// <code>
/// g ← g + λ·w
/// s ← ρ·s + (1 − ρ)·g²
/// ḡ ← ρ·ḡ + (1 − ρ)·g                     (centered only)
/// d = √(s − ḡ²) + ε   (centered)    or    d = √s + ε
/// b ← μ·b + g/d,  w ← w − η·b            (μ &gt; 0; b starts at 0)
/// w ← w − η·g/d                           (μ = 0)
/// </code>
/// TensorFlow/Keras differ in two ways: ε goes inside the square root (d = √(s + ε), resp. √(s − ḡ² + ε)), and
/// the momentum buffer holds the learning rate (b ← μ·b + η·g/d, w ← w − b), which is the same while η is
/// constant and differs when a schedule changes it. We follow PyTorch. The default ρ = 0.99 is PyTorch's (Keras:
/// 0.9); the default η = 0.001 is Keras's (PyTorch: 0.01). State slots: 0 = s, 1 = b, 2 = ḡ.
/// </summary>
public sealed class RmsProp : Optimizer
{
    private readonly float[] _scratch;

    /// <summary>Makes the optimizer.</summary>
    /// <param name="parameters">The parameters to train.</param>
    /// <param name="learningRate">η, ≥ 0.</param>
    /// <param name="rho">ρ in [0, 1), the decay of the mean square (PyTorch's <c>alpha</c>).</param>
    /// <param name="epsilon">ε ≥ 0, added to the root mean square.</param>
    /// <param name="momentum">μ in [0, 1); 0 for none.</param>
    /// <param name="centered">Divide by an estimate of the variance (s − ḡ²) instead of the mean square.</param>
    /// <param name="weightDecay">λ ≥ 0, added to the gradient as λ·w (L2).</param>
    public RmsProp(IEnumerable<Tensor> parameters, float learningRate = 0.001f, float rho = 0.99f, float epsilon = 1e-8f,
        float momentum = 0f, bool centered = false, float weightDecay = 0f)
        : this([new ParamGroup(parameters)], learningRate, rho, epsilon, momentum, centered, weightDecay) { }

    /// <summary>Makes the optimizer over parameter groups.</summary>
    public RmsProp(IEnumerable<ParamGroup> groups, float learningRate = 0.001f, float rho = 0.99f, float epsilon = 1e-8f,
        float momentum = 0f, bool centered = false, float weightDecay = 0f)
        : base(groups, learningRate, weightDecay, stateSlots: 3)
    {
        Check.UnitInterval(rho, "rho");
        Check.NonNegative(epsilon, "epsilon");
        Check.UnitInterval(momentum, "momentum");
        Rho = rho;
        Epsilon = epsilon;
        Momentum = momentum;
        Centered = centered;
        _scratch = new float[Parameters.Count == 0 ? 0 : Parameters.Max(p => p.Length)];
    }

    /// <summary>ρ.</summary>
    public float Rho { get; }

    /// <summary>ε.</summary>
    public float Epsilon { get; }

    /// <summary>μ.</summary>
    public float Momentum { get; }

    /// <summary>Whether the centered variant is used.</summary>
    public bool Centered { get; }

    /// <inheritdoc/>
    protected override void Update(int index, Span<float> w, Span<float> g, float lr, float weightDecay)
    {
        var sq = State(index, 0).AsSpan();
        var d = _scratch.AsSpan(0, w.Length);
        if (weightDecay != 0) TensorPrimitives.MultiplyAdd(w, weightDecay, g, g);

        TensorPrimitives.Multiply(g, g, d);
        TensorPrimitives.Lerp(sq, d, 1 - Rho, sq);
        if (Centered)
        {
            var mean = State(index, 2).AsSpan();
            TensorPrimitives.Lerp(mean, g, 1 - Rho, mean);
            TensorPrimitives.Multiply(mean, mean, d);
            TensorPrimitives.Subtract(sq, d, d);
            TensorPrimitives.Sqrt(d, d);
        }
        else TensorPrimitives.Sqrt(sq, d);
        TensorPrimitives.Add(d, Epsilon, d);
        TensorPrimitives.Divide(g, d, d);   // d = g / (√… + ε)

        if (Momentum > 0)
        {
            var b = State(index, 1).AsSpan();
            TensorPrimitives.MultiplyAdd(b, Momentum, d, b);
            TensorPrimitives.MultiplyAdd(b, -lr, w, w);
        }
        else TensorPrimitives.MultiplyAdd(d, -lr, w, w);
    }
}
