using System.Numerics.Tensors;

namespace DeepTrain.Optimizers;

/// <summary>
/// AdaGrad (Duchi, Hazan and Singer, 2011), in PyTorch's form. With weight decay λ (L2, added to the gradient),
/// initial accumulator value a0, learning-rate decay δ and step t = 1, 2, ...:
/// <code>
/// g ← g + λ·w
/// s ← s + g²                              (s starts at a0)
/// η_t = η / (1 + (t − 1)·δ)
/// w ← w − η_t · g / (√s + ε)
/// </code>
/// ε is added outside the square root, as in PyTorch; Keras 3 puts it inside (g / √(s + ε)) and defaults to
/// a0 = 0.1, ε = 1e-7, which matters while s is tiny. We follow PyTorch, defaults included (a0 = 0, ε = 1e-10).
/// State slot 0 holds Σg² without a0 (the rule adds a0 when it reads it), so a freshly made slot is correct
/// and a checkpoint stays meaningful whatever a0 is. t is <see cref="Optimizer.Iterations"/>.
/// </summary>
public sealed class AdaGrad : Optimizer
{
    private readonly float[] _scratch;

    /// <summary>Makes the optimizer.</summary>
    /// <param name="parameters">The parameters to train.</param>
    /// <param name="learningRate">η, ≥ 0.</param>
    /// <param name="initialAccumulatorValue">a0 ≥ 0, the starting value of the sum of squared gradients.</param>
    /// <param name="epsilon">ε ≥ 0, added to √s.</param>
    /// <param name="weightDecay">λ ≥ 0, added to the gradient as λ·w (L2).</param>
    /// <param name="learningRateDecay">δ ≥ 0: the step size at step t is η / (1 + (t − 1)·δ).</param>
    public AdaGrad(IEnumerable<Tensor> parameters, float learningRate = 0.01f, float initialAccumulatorValue = 0f,
        float epsilon = 1e-10f, float weightDecay = 0f, float learningRateDecay = 0f)
        : this([new ParamGroup(parameters)], learningRate, initialAccumulatorValue, epsilon, weightDecay, learningRateDecay) { }

    /// <summary>Makes the optimizer over parameter groups.</summary>
    public AdaGrad(IEnumerable<ParamGroup> groups, float learningRate = 0.01f, float initialAccumulatorValue = 0f,
        float epsilon = 1e-10f, float weightDecay = 0f, float learningRateDecay = 0f)
        : base(groups, learningRate, weightDecay, stateSlots: 1)
    {
        Check.NonNegative(initialAccumulatorValue, "initialAccumulatorValue");
        Check.NonNegative(epsilon, "epsilon");
        Check.NonNegative(learningRateDecay, "learningRateDecay");
        InitialAccumulatorValue = initialAccumulatorValue;
        Epsilon = epsilon;
        LearningRateDecay = learningRateDecay;
        _scratch = new float[Parameters.Count == 0 ? 0 : Parameters.Max(p => p.Length)];
    }

    /// <summary>a0.</summary>
    public float InitialAccumulatorValue { get; }

    /// <summary>ε.</summary>
    public float Epsilon { get; }

    /// <summary>δ.</summary>
    public float LearningRateDecay { get; }

    /// <inheritdoc/>
    protected override void Update(int index, Span<float> w, Span<float> g, float lr, float weightDecay)
    {
        var sum = State(index, 0).AsSpan();
        var s = _scratch.AsSpan(0, w.Length);
        if (weightDecay != 0) TensorPrimitives.MultiplyAdd(w, weightDecay, g, g);
        TensorPrimitives.MultiplyAdd(g, g, sum, sum);
        if (InitialAccumulatorValue != 0)
        {
            TensorPrimitives.Add(sum, InitialAccumulatorValue, s);
            TensorPrimitives.Sqrt(s, s);
        }
        else TensorPrimitives.Sqrt(sum, s);
        TensorPrimitives.Add(s, Epsilon, s);
        TensorPrimitives.Divide(g, s, s);
        float clr = (float)(lr / (1 + (Iterations - 1) * (double)LearningRateDecay));
        TensorPrimitives.MultiplyAdd(s, -clr, w, w);
    }
}
