using System.Numerics.Tensors;
using DeepTrain.Kernels;

namespace DeepTrain.Optimizers;

/// <summary>
/// AdamW: Adam with decoupled weight decay (Loshchilov and Hutter, 2019), in PyTorch's form. The decay shrinks the
/// weights directly, scaled by the learning rate, instead of entering the gradient and the moments:
/// <code>
/// w ← w·(1 − η·λ)
/// m ← β1·m + (1 − β1)·g
/// v ← β2·v + (1 − β2)·g²
/// v̂max ← max(v̂max, v)                                (AMSGrad only; then v̂max replaces v below)
/// w ← w − η/(1 − β1ᵗ) · m / (√v / √(1 − β2ᵗ) + ε)
/// </code>
/// Keras's AdamW decays the same way (w ← w − η·λ·w) but, like its Adam, uses the "ε-hat" form
/// w ← w − η·√(1 − β2ᵗ)/(1 − β1ᵗ) · m / (√v + ε); see <see cref="Adam"/>. We follow PyTorch, including its default
/// λ = 0.01 (Keras: 0.004). t is <see cref="Optimizer.Iterations"/>. State slots: 0 = m, 1 = v, 2 = v̂max.
/// </summary>
public sealed class AdamW : Optimizer
{
    /// <summary>Makes the optimizer.</summary>
    /// <param name="parameters">The parameters to train.</param>
    /// <param name="learningRate">η, ≥ 0.</param>
    /// <param name="beta1">β1 in [0, 1), the decay of the first moment.</param>
    /// <param name="beta2">β2 in [0, 1), the decay of the second moment.</param>
    /// <param name="epsilon">ε ≥ 0, added to the denominator.</param>
    /// <param name="weightDecay">λ ≥ 0, the decoupled decay: each step multiplies w by 1 − η·λ.</param>
    /// <param name="amsGrad">Use the running maximum of v (AMSGrad).</param>
    public AdamW(IEnumerable<Tensor> parameters, float learningRate = 0.001f, float beta1 = 0.9f, float beta2 = 0.999f,
        float epsilon = 1e-8f, float weightDecay = 0.01f, bool amsGrad = false)
        : this([new ParamGroup(parameters)], learningRate, beta1, beta2, epsilon, weightDecay, amsGrad) { }

    /// <summary>Makes the optimizer over parameter groups.</summary>
    public AdamW(IEnumerable<ParamGroup> groups, float learningRate = 0.001f, float beta1 = 0.9f, float beta2 = 0.999f,
        float epsilon = 1e-8f, float weightDecay = 0.01f, bool amsGrad = false)
        : base(groups, learningRate, weightDecay, stateSlots: 3)
    {
        Check.UnitInterval(beta1, "beta1");
        Check.UnitInterval(beta2, "beta2");
        Check.NonNegative(epsilon, "epsilon");
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
        AmsGrad = amsGrad;
    }

    /// <summary>β1.</summary>
    public float Beta1 { get; }

    /// <summary>β2.</summary>
    public float Beta2 { get; }

    /// <summary>ε.</summary>
    public float Epsilon { get; }

    /// <summary>Whether AMSGrad's running maximum of v is used.</summary>
    public bool AmsGrad { get; }

    /// <inheritdoc/>
    protected override void Update(int index, Span<float> w, Span<float> g, float lr, float weightDecay)
    {
        long t = Iterations;
        if (weightDecay != 0) TensorPrimitives.Multiply(w, 1 - lr * weightDecay, w); // the decoupled decay, first
        Span<float> vmax = AmsGrad ? State(index, 2).AsSpan() : default;
        float stepSize = (float)(lr / (1 - Math.Pow(Beta1, t)));
        float sqrtCorrection2 = (float)Math.Sqrt(1 - Math.Pow(Beta2, t));
        // then Adam's fused pass, with no L2 term in the gradient
        OptimizerKernels.Adam(w, g, State(index, 0), State(index, 1), vmax, Beta1, Beta2, stepSize, sqrtCorrection2, Epsilon, weightDecay: 0);
    }
}
