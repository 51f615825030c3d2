using System.Numerics.Tensors;

namespace DeepTrain.Optimizers;

/// <summary>
/// AdaMax, the infinity-norm variant of Adam (Kingma and Ba, 2015, section 7.1), in PyTorch's form. With weight
/// decay λ (L2, added to the gradient) and step t = 1, 2, ...:
/// <code>
/// g ← g + λ·w
/// m ← β1·m + (1 − β1)·g
/// u ← max(β2·u, |g| + ε)
/// w ← w − η/(1 − β1ᵗ) · m / u
/// </code>
/// ε enters inside the maximum, as in PyTorch. TensorFlow/Keras take u ← max(β2·u, |g|) and add ε to the
/// denominator instead (m / (u + ε)), which differs while |g| is tiny. We follow PyTorch. The default η = 0.002 is
/// the paper's (and both frameworks'). t is <see cref="Optimizer.Iterations"/>. State slots: 0 = m, 1 = u.
/// </summary>
public sealed class AdaMax : Optimizer
{
    private readonly float[] _scratch;

    /// <summary>Makes the optimizer.</summary>
    /// <param name="parameters">The parameters to train.</param>
    /// <param name="learningRate">η, ≥ 0.</param>
    /// <param name="beta1">β1 in [0, 1), the decay of the first moment.</param>
    /// <param name="beta2">β2 in [0, 1), the decay of the infinity norm.</param>
    /// <param name="epsilon">ε ≥ 0, added to |g| inside the maximum.</param>
    /// <param name="weightDecay">λ ≥ 0, added to the gradient as λ·w (L2).</param>
    public AdaMax(IEnumerable<Tensor> parameters, float learningRate = 0.002f, float beta1 = 0.9f, float beta2 = 0.999f,
        float epsilon = 1e-8f, float weightDecay = 0f)
        : this([new ParamGroup(parameters)], learningRate, beta1, beta2, epsilon, weightDecay) { }

    /// <summary>Makes the optimizer over parameter groups.</summary>
    public AdaMax(IEnumerable<ParamGroup> groups, float learningRate = 0.002f, float beta1 = 0.9f, float beta2 = 0.999f,
        float epsilon = 1e-8f, float weightDecay = 0f)
        : base(groups, learningRate, weightDecay, stateSlots: 2)
    {
        Check.UnitInterval(beta1, "beta1");
        Check.UnitInterval(beta2, "beta2");
        Check.NonNegative(epsilon, "epsilon");
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
        _scratch = new float[Parameters.Count == 0 ? 0 : Parameters.Max(p => p.Length)];
    }

    /// <summary>β1.</summary>
    public float Beta1 { get; }

    /// <summary>β2.</summary>
    public float Beta2 { get; }

    /// <summary>ε.</summary>
    public float Epsilon { get; }

    /// <inheritdoc/>
    protected override void Update(int index, Span<float> w, Span<float> g, float lr, float weightDecay)
    {
        var m = State(index, 0).AsSpan();
        var u = State(index, 1).AsSpan();
        var s = _scratch.AsSpan(0, w.Length);
        if (weightDecay != 0) TensorPrimitives.MultiplyAdd(w, weightDecay, g, g);

        TensorPrimitives.Lerp(m, g, 1 - Beta1, m);
        TensorPrimitives.Abs(g, s);
        TensorPrimitives.Add(s, Epsilon, s);
        TensorPrimitives.Multiply(u, Beta2, u);
        TensorPrimitives.Max(u, s, u);

        float stepSize = (float)(lr / (1 - Math.Pow(Beta1, Iterations)));
        TensorPrimitives.Divide(m, u, s);
        TensorPrimitives.MultiplyAdd(s, -stepSize, w, w);
    }
}
