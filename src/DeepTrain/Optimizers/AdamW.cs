
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
public sealed class AdamW : Adam
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
        : base(groups, learningRate, beta1, beta2, epsilon, weightDecay, amsGrad, decoupledWeightDecay: true) { }
}
