using System.Numerics.Tensors;
using DeepTrain.Kernels;

namespace DeepTrain.Optimizers;

/// <summary>
/// Adam (Kingma and Ba, 2015), optionally with AMSGrad (Reddi et al., 2018), in PyTorch's form. With weight decay
/// λ (an L2 penalty added to the gradient; see <see cref="AdamW"/> for the decoupled kind) and step t = 1, 2, ...:
/// <code>
/// g ← g + λ·w
/// m ← β1·m + (1 − β1)·g
/// v ← β2·v + (1 − β2)·g²
/// v̂max ← max(v̂max, v)                                (AMSGrad only; then v̂max replaces v below)
/// w ← w − η/(1 − β1ᵗ) · m / (√v / √(1 − β2ᵗ) + ε)
/// </code>
/// ε is added to the bias-corrected √v̂ as in the paper's Algorithm 1 (and PyTorch). TensorFlow/Keras instead fold
/// both corrections into the step size, w ← w − η·√(1 − β2ᵗ)/(1 − β1ᵗ) · m / (√v + ε), which is the paper's
/// "ε-hat" form: it equals ours with ε̂ = ε·√(1 − β2ᵗ), so Keras's ε acts larger early on. We follow PyTorch.
/// t is the optimizer's step count (<see cref="Optimizer.Iterations"/>), as in Keras; PyTorch counts steps per
/// parameter, which differs only for a parameter that sat out some steps (frozen or without a gradient).
/// State slots: 0 = m, 1 = v, 2 = v̂max (AMSGrad).
/// </summary>
public class Adam : Optimizer
{
    /// <summary>Makes the optimizer.</summary>
    /// <param name="parameters">The parameters to train.</param>
    /// <param name="learningRate">η, ≥ 0.</param>
    /// <param name="beta1">β1 in [0, 1), the decay of the first moment.</param>
    /// <param name="beta2">β2 in [0, 1), the decay of the second moment.</param>
    /// <param name="epsilon">ε ≥ 0, added to the denominator.</param>
    /// <param name="weightDecay">λ ≥ 0, added to the gradient as λ·w (L2).</param>
    /// <param name="amsGrad">Use the running maximum of v (AMSGrad).</param>
    public Adam(IEnumerable<Tensor> parameters, float learningRate = 0.001f, float beta1 = 0.9f, float beta2 = 0.999f,
        float epsilon = 1e-8f, float weightDecay = 0f, bool amsGrad = false)
        : this([new ParamGroup(parameters)], learningRate, beta1, beta2, epsilon, weightDecay, amsGrad) { }

    /// <summary>Makes the optimizer over parameter groups.</summary>
    public Adam(IEnumerable<ParamGroup> groups, float learningRate = 0.001f, float beta1 = 0.9f, float beta2 = 0.999f,
        float epsilon = 1e-8f, float weightDecay = 0f, bool amsGrad = false)
        : this(groups, learningRate, beta1, beta2, epsilon, weightDecay, amsGrad, decoupledWeightDecay: false) { }

    /// <summary>The shared constructor; <see cref="AdamW"/> passes <paramref name="decoupledWeightDecay"/> = true.</summary>
    private protected Adam(IEnumerable<ParamGroup> groups, float learningRate, float beta1, float beta2,
        float epsilon, float weightDecay, bool amsGrad, bool decoupledWeightDecay)
        : base(groups, learningRate, weightDecay, stateSlots: 3)
    {
        DecoupledWeightDecay = decoupledWeightDecay;
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

    /// <summary>True for AdamW: the weight decay shrinks w directly instead of entering the gradient.</summary>
    public bool DecoupledWeightDecay { get; }

    /// <inheritdoc/>
    protected override void Update(int index, Span<float> w, Span<float> g, float lr, float weightDecay)
    {
        long t = Iterations;
        if (DecoupledWeightDecay && weightDecay != 0)
        {
            TensorPrimitives.Multiply(w, 1 - lr * weightDecay, w); // AdamW: w ← w·(1 − η·λ) first, then plain Adam
            weightDecay = 0;
        }
        var m = State(index, 0).AsSpan();
        var v = State(index, 1).AsSpan();
        Span<float> vmax = AmsGrad ? State(index, 2).AsSpan() : default;
        float stepSize = (float)(lr / (1 - Math.Pow(Beta1, t)));
        float sqrtCorrection2 = (float)Math.Sqrt(1 - Math.Pow(Beta2, t));
        // One fused pass: m, v (and v̂max) and w ← w − stepSize · m / (√v / √(1 − β2ᵗ) + ε).
        OptimizerKernels.Adam(w, g, m, v, vmax, Beta1, Beta2, stepSize, sqrtCorrection2, Epsilon, weightDecay);
    }
}
