using System.Numerics.Tensors;

namespace DeepTrain.Optimizers;

/// <summary>
/// Stochastic gradient descent, optionally with momentum (Polyak) or Nesterov momentum, in PyTorch's form:
/// <code>
/// g ← g + λ·w                      (weight decay λ)
/// v ← μ·v + g                      (momentum μ &gt; 0)
/// w ← w − η·v                      (classical momentum)
/// w ← w − η·(g + μ·v)              (Nesterov)
/// </code>
/// TensorFlow/Keras keep v ← μ·v − η·g and w ← w + v (the learning rate inside the velocity); both are the same
/// while η is constant and differ when a schedule changes η. We follow PyTorch.
/// </summary>
public sealed class Sgd : Optimizer
{
    /// <summary>Makes the optimizer.</summary>
    /// <param name="parameters">The parameters to train.</param>
    /// <param name="learningRate">η, ≥ 0.</param>
    /// <param name="momentum">μ in [0, 1); 0 is plain SGD.</param>
    /// <param name="nesterov">Use Nesterov's momentum (needs μ &gt; 0).</param>
    /// <param name="weightDecay">λ, added to the gradient as λ·w.</param>
    public Sgd(IEnumerable<Tensor> parameters, float learningRate = 0.01f, float momentum = 0f, bool nesterov = false, float weightDecay = 0f)
        : this([new ParamGroup(parameters)], learningRate, momentum, nesterov, weightDecay) { }

    /// <summary>Makes the optimizer over parameter groups.</summary>
    public Sgd(IEnumerable<ParamGroup> groups, float learningRate = 0.01f, float momentum = 0f, bool nesterov = false, float weightDecay = 0f)
        : base(groups, learningRate, weightDecay, stateSlots: 1)
    {
        Check.UnitInterval(momentum, "momentum");
        if (nesterov && momentum == 0) throw new ArgumentException("nesterov needs a momentum > 0");
        Momentum = momentum;
        Nesterov = nesterov;
    }

    /// <summary>μ.</summary>
    public float Momentum { get; }

    /// <summary>Whether Nesterov momentum is used.</summary>
    public bool Nesterov { get; }

    /// <inheritdoc/>
    protected override void Update(int index, Span<float> w, Span<float> g, float lr, float weightDecay)
    {
        if (weightDecay != 0) TensorPrimitives.MultiplyAdd(w, weightDecay, g, g);
        if (Momentum == 0)
        {
            TensorPrimitives.MultiplyAdd(g, -lr, w, w);
            return;
        }
        var v = State(index, 0).AsSpan();
        TensorPrimitives.MultiplyAdd(v, Momentum, g, v); // from v = 0 this gives v = g, PyTorch's first velocity
        if (Nesterov) TensorPrimitives.MultiplyAdd(v, Momentum, g, g);
        else v.CopyTo(g);
        TensorPrimitives.MultiplyAdd(g, -lr, w, w);
    }
}
