namespace DeepTrain.Optimizers;

/// <summary>
/// The base of every optimizer: validated options, parameter groups, per-parameter state kept as plain
/// <c>float[]</c> slots, and the update loop. A derived class writes only its update rule
/// (<see cref="Update"/>), element by element as in its paper. Parameters whose <see cref="Tensor.Trainable"/> is
/// false (frozen) or that received no gradient are skipped.
/// </summary>
public abstract class Optimizer
{
    private readonly List<float[]?[]> _state = new();
    private readonly List<(ParamGroup Group, Tensor Param)> _flat = new();
    private readonly Tensor[] _params;
    private float _learningRate;

    /// <summary>Makes an optimizer over one group of parameters.</summary>
    protected Optimizer(IEnumerable<Tensor> parameters, float learningRate, float weightDecay, int stateSlots)
        : this([new ParamGroup(parameters)], learningRate, weightDecay, stateSlots) { }

    /// <summary>Makes an optimizer over parameter groups.</summary>
    protected Optimizer(IEnumerable<ParamGroup> groups, float learningRate, float weightDecay, int stateSlots)
    {
        Check.NonNegative(learningRate, "learning rate");
        Check.NonNegative(weightDecay, "weight decay");
        Groups = groups.ToArray();
        _learningRate = InitialLearningRate = learningRate;
        WeightDecay = weightDecay;
        StateSlots = stateSlots;
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        foreach (var g in Groups)
            foreach (var p in g.Parameters)
            {
                if (!seen.Add(p)) throw new ArgumentException($"parameter '{p.Name ?? "(unnamed)"}' appears twice in the optimizer's parameters");
                _flat.Add((g, p));
                _state.Add(new float[]?[stateSlots]);
            }
        _params = _flat.Select(f => f.Param).ToArray();
    }

    /// <summary>The parameter groups.</summary>
    public IReadOnlyList<ParamGroup> Groups { get; }

    /// <summary>The learning rate the optimizer was made with.</summary>
    public float InitialLearningRate { get; }

    /// <summary>The current base learning rate; schedules set it. Must be finite and ≥ 0.</summary>
    public float LearningRate
    {
        get => _learningRate;
        set { Check.NonNegative(value, "learning rate"); _learningRate = value; }
    }

    /// <summary>The default weight decay (L2 added to the gradient unless the optimizer says otherwise).</summary>
    public float WeightDecay { get; }

    /// <summary>How many <see cref="Step"/> calls have been made.</summary>
    public long Iterations { get; set; }

    /// <summary>Gradient clipping applied to the gradients before each update, or null.</summary>
    public GradientClipping? Clipping { get; set; }

    /// <summary>How many state arrays each parameter has (moments, velocities, ...).</summary>
    protected int StateSlots { get; }

    /// <summary>Every parameter, in group order.</summary>
    public IReadOnlyList<Tensor> Parameters => _params;

    /// <summary>Applies one update to every trainable parameter that has a gradient.</summary>
    public void Step()
    {
        Iterations++;
        Clipping?.Apply(_params);
        float scale = InitialLearningRate > 0 ? _learningRate / InitialLearningRate : 1f;
        for (int i = 0; i < _flat.Count; i++)
        {
            var (group, p) = _flat[i];
            if (!p.Trainable || !p.HasGrad) continue;
            float lr = group.LearningRate is { } glr ? glr * scale : _learningRate;
            float wd = group.WeightDecay ?? WeightDecay;
            Update(i, p.Data, p.Grad, lr, wd);
        }
    }

    /// <summary>
    /// Updates one parameter in place from its gradient <paramref name="g"/> (which the rule may overwrite as
    /// scratch), with the group's learning rate and weight decay. <see cref="Iterations"/> is already the new step
    /// number t (1 for the first update).
    /// </summary>
    protected abstract void Update(int index, Span<float> w, Span<float> g, float lr, float weightDecay);

    /// <summary>State slot <paramref name="slot"/> of parameter <paramref name="index"/>, zero-filled on first use.</summary>
    protected float[] State(int index, int slot) => _state[index][slot] ??= new float[_flat[index].Param.Length];

    /// <summary>Sets every parameter's gradient to zero.</summary>
    public void ZeroGrad()
    {
        foreach (var p in _params) p.ZeroGrad();
    }

    /// <summary>The optimizer's state by parameter name and slot (for checkpoints).</summary>
    public IEnumerable<(string Name, int Slot, float[] Values)> GetState()
    {
        for (int i = 0; i < _flat.Count; i++)
            for (int s = 0; s < StateSlots; s++)
                if (_state[i][s] is { } v) yield return (_flat[i].Param.Name ?? $"param{i}", s, v);
    }

    /// <summary>Restores one state array saved by <see cref="GetState"/>.</summary>
    public void SetState(string name, int slot, float[] values)
    {
        for (int i = 0; i < _flat.Count; i++)
            if ((_flat[i].Param.Name ?? $"param{i}") == name)
            {
                if ((uint)slot >= (uint)StateSlots) throw new ArgumentException($"optimizer state slot {slot} for '{name}' is out of range (this optimizer has {StateSlots})");
                if (values.Length != _flat[i].Param.Length) throw new ArgumentException($"optimizer state for '{name}' has {values.Length} values; the parameter has {_flat[i].Param.Length}");
                _state[i][slot] = (float[])values.Clone();
                return;
            }
        throw new ArgumentException($"optimizer state names an unknown parameter '{name}'");
    }
}
