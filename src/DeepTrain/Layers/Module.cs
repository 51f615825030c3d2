using DeepTrain.Tensors;

namespace DeepTrain.Layers;

/// <summary>
/// A building block of a model: it owns named parameters (trained), named buffers (state such as BatchNorm's
/// moving averages) and child modules, and has a training/inference mode. Parameter names follow the module
/// tree: a child named <c>hidden1</c> with a parameter <c>weight</c> gives <c>hidden1.weight</c>.
/// </summary>
public abstract class Module
{
    private readonly List<(string Name, Tensor Value)> _parameters = new();
    private readonly List<(string Name, Tensor Value)> _buffers = new();
    private readonly List<Module> _children = new();
    private Rng _rng = new(0);

    /// <summary>Makes a module with a name (may be null until a container names it).</summary>
    protected Module(string? name) => Name = name ?? "";

    /// <summary>The module's own name (one level of the tree).</summary>
    public string Name { get; internal set; }

    /// <summary>The kind of layer, for summaries and model files (<c>Dense</c>, <c>BatchNorm</c>, ...).</summary>
    public virtual string Kind => GetType().Name;

    /// <summary>True in training mode (the default), false in inference mode.</summary>
    public bool IsTraining { get; private set; } = true;

    /// <summary>The generator of the module's randomness (dropout masks, RReLU slopes); containers pass theirs down.</summary>
    public Rng Rng
    {
        get => _rng;
        set
        {
            _rng = value ?? throw new ArgumentNullException(nameof(value));
            foreach (var c in _children) c.Rng = value;
        }
    }

    /// <summary>The child modules.</summary>
    public IReadOnlyList<Module> Children => _children;

    /// <summary>Computes the module's output.</summary>
    public abstract Tensor Forward(Tensor input);

    /// <summary>
    /// Creates the module's parameters for inputs of <paramref name="inputFeatures"/> features, drawing initial
    /// values from <paramref name="rng"/>, and returns the number of output features.
    /// </summary>
    public virtual int Build(int inputFeatures, Rng rng) => inputFeatures;

    /// <summary>Switches this module and its children to training mode.</summary>
    public void Train() => SetMode(true);

    /// <summary>Switches this module and its children to inference mode.</summary>
    public void Eval() => SetMode(false);

    private void SetMode(bool training)
    {
        IsTraining = training;
        foreach (var c in _children) c.SetMode(training);
    }

    /// <summary>Registers a parameter (kept out of any step scope, gradients on).</summary>
    protected Tensor AddParameter(string name, Tensor value)
    {
        value.Keep();
        value.RequiresGrad = true;
        value.Name = name;
        _parameters.Add((name, value));
        return value;
    }

    /// <summary>Registers a buffer: state saved with the model but not trained.</summary>
    protected Tensor AddBuffer(string name, Tensor value)
    {
        value.Keep();
        value.Trainable = false;
        value.Name = name;
        _buffers.Add((name, value));
        return value;
    }

    /// <summary>Registers a child module.</summary>
    protected T AddChild<T>(T child) where T : Module
    {
        _children.Add(child);
        child.Rng = _rng;
        child.SetMode(IsTraining);
        return child;
    }

    /// <summary>Every parameter of this module and its children, with its full name.</summary>
    public IEnumerable<(string Name, Tensor Value)> NamedParameters() => Walk(this, "", buffers: false);

    /// <summary>Every buffer of this module and its children, with its full name.</summary>
    public IEnumerable<(string Name, Tensor Value)> NamedBuffers() => Walk(this, "", buffers: true);

    /// <summary>Every parameter (the tensors an optimizer trains).</summary>
    public IReadOnlyList<Tensor> Parameters() => NamedParameters().Select(p => p.Value).ToArray();

    /// <summary>Only the parameters that are not frozen.</summary>
    public IReadOnlyList<Tensor> TrainableParameters() => NamedParameters().Where(p => p.Value.Trainable).Select(p => p.Value).ToArray();

    /// <summary>The module's own parameters (not its children's), with their short names.</summary>
    public IReadOnlyList<(string Name, Tensor Value)> OwnParameters => _parameters;

    /// <summary>The module's own buffers, with their short names.</summary>
    public IReadOnlyList<(string Name, Tensor Value)> OwnBuffers => _buffers;

    private static IEnumerable<(string, Tensor)> Walk(Module m, string prefix, bool buffers)
    {
        string p = prefix.Length == 0 ? (m.Name.Length == 0 ? "" : m.Name + ".") : prefix + (m.Name.Length == 0 ? "" : m.Name + ".");
        foreach (var (n, t) in buffers ? m._buffers : m._parameters) yield return (p + n, t);
        foreach (var c in m._children)
            foreach (var x in Walk(c, p, buffers)) yield return x;
    }

    /// <summary>Sets each parameter's and buffer's <see cref="Tensor.Name"/> to its full name in the tree.</summary>
    protected internal void AssignFullNames()
    {
        foreach (var (n, t) in NamedParameters()) t.Name = n;
        foreach (var (n, t) in NamedBuffers()) t.Name = n;
    }

    /// <summary>True when every parameter of this module is frozen (and it has at least one).</summary>
    public bool IsFrozen => _parameters.Count > 0 && _parameters.All(p => !p.Value.Trainable);

    /// <summary>A one-line description of the layer's configuration (for summaries).</summary>
    public virtual string Describe() => "";
}
