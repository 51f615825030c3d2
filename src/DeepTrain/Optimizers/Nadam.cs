using System.Numerics.Tensors;

namespace DeepTrain.Optimizers;

/// <summary>
/// Nadam: Adam with Nesterov momentum (Dozat, 2016), with the momentum schedule
/// μ_t = β1·(1 − ½·0.96^(t·ψ)) (ψ = momentum decay, 0.004), in PyTorch's form. With weight decay λ (L2, added to
/// the gradient) and step t = 1, 2, ...:
/// <code>
/// g ← g + λ·w
/// m ← β1·m + (1 − β1)·g
/// v ← β2·v + (1 − β2)·g²
/// Π_t = μ_1·μ_2·…·μ_t
/// d = √v / √(1 − β2ᵗ) + ε
/// w ← w − η·(1 − μ_t)/(1 − Π_t) · g/d − η·μ_{t+1}/(1 − Π_t·μ_{t+1}) · m/d
/// </code>
/// This is what PyTorch 2's NAdam computes and what PyTorch 1.13 computes with <c>foreach=True</c>; 1.13's default
/// single-tensor path multiplies μ_t into Π twice per step (a bug fixed in 2.0), so our reference fixtures come from
/// the <c>foreach=True</c> path. Keras's Nadam uses the same μ schedule and the same two-term Nesterov update with ε
/// outside the square root, so the two agree here (only their defaults differ: Keras η = 0.001, PyTorch
/// η = 0.002; we default to 0.001). Π depends only on t = <see cref="Optimizer.Iterations"/>, so it is kept as one
/// cached scalar and recomputed from t whenever t jumps (for instance after a checkpoint restore).
/// State slots: 0 = m, 1 = v.
/// </summary>
public sealed class Nadam : Optimizer
{
    private readonly float[] _scratch;
    private long _productStep;      // the t that _muProduct belongs to
    private double _muProduct = 1;  // Π_t

    /// <summary>Makes the optimizer.</summary>
    /// <param name="parameters">The parameters to train.</param>
    /// <param name="learningRate">η, ≥ 0.</param>
    /// <param name="beta1">β1 in [0, 1), the decay of the first moment.</param>
    /// <param name="beta2">β2 in [0, 1), the decay of the second moment.</param>
    /// <param name="epsilon">ε ≥ 0, added to the denominator.</param>
    /// <param name="weightDecay">λ ≥ 0, added to the gradient as λ·w (L2).</param>
    /// <param name="momentumDecay">ψ ≥ 0 in the momentum schedule μ_t = β1·(1 − ½·0.96^(t·ψ)).</param>
    public Nadam(IEnumerable<Tensor> parameters, float learningRate = 0.001f, float beta1 = 0.9f, float beta2 = 0.999f,
        float epsilon = 1e-8f, float weightDecay = 0f, float momentumDecay = 0.004f)
        : this([new ParamGroup(parameters)], learningRate, beta1, beta2, epsilon, weightDecay, momentumDecay) { }

    /// <summary>Makes the optimizer over parameter groups.</summary>
    public Nadam(IEnumerable<ParamGroup> groups, float learningRate = 0.001f, float beta1 = 0.9f, float beta2 = 0.999f,
        float epsilon = 1e-8f, float weightDecay = 0f, float momentumDecay = 0.004f)
        : base(groups, learningRate, weightDecay, stateSlots: 2)
    {
        Check.UnitInterval(beta1, "beta1");
        Check.UnitInterval(beta2, "beta2");
        Check.NonNegative(epsilon, "epsilon");
        Check.NonNegative(momentumDecay, "momentumDecay");
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
        MomentumDecay = momentumDecay;
        _scratch = new float[Parameters.Count == 0 ? 0 : Parameters.Max(p => p.Length)];
    }

    /// <summary>β1.</summary>
    public float Beta1 { get; }

    /// <summary>β2.</summary>
    public float Beta2 { get; }

    /// <summary>ε.</summary>
    public float Epsilon { get; }

    /// <summary>ψ, the momentum decay.</summary>
    public float MomentumDecay { get; }

    private double Mu(long t) => Beta1 * (1 - 0.5 * Math.Pow(0.96, t * (double)MomentumDecay));

    private double MuProduct(long t)
    {
        if (t == _productStep) return _muProduct;
        if (t == _productStep + 1) _muProduct *= Mu(t);
        else
        {
            _muProduct = 1;
            for (long i = 1; i <= t; i++) _muProduct *= Mu(i);
        }
        _productStep = t;
        return _muProduct;
    }

    /// <inheritdoc/>
    protected override void Update(int index, Span<float> w, Span<float> g, float lr, float weightDecay)
    {
        long t = Iterations;
        var m = State(index, 0).AsSpan();
        var v = State(index, 1).AsSpan();
        var d = _scratch.AsSpan(0, w.Length);
        if (weightDecay != 0) TensorPrimitives.MultiplyAdd(w, weightDecay, g, g);

        TensorPrimitives.Lerp(m, g, 1 - Beta1, m);
        TensorPrimitives.Multiply(g, g, d);
        TensorPrimitives.Lerp(v, d, 1 - Beta2, v);

        double mu = Mu(t), muNext = Mu(t + 1), product = MuProduct(t);
        float gradCoeff = (float)(lr * (1 - mu) / (1 - product));
        float momentCoeff = (float)(lr * muNext / (1 - product * muNext));
        // d = √v / √(1 − β2ᵗ) + ε
        TensorPrimitives.Sqrt(v, d);
        TensorPrimitives.Divide(d, (float)Math.Sqrt(1 - Math.Pow(Beta2, t)), d);
        TensorPrimitives.Add(d, Epsilon, d);
        // g ← (gradCoeff·g + momentCoeff·m) / d,  w ← w − g
        TensorPrimitives.Multiply(g, gradCoeff, g);
        TensorPrimitives.MultiplyAdd(m, momentCoeff, g, g);
        TensorPrimitives.Divide(g, d, g);
        TensorPrimitives.Subtract(w, g, w);
    }
}
