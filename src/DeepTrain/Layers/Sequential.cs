using System.Collections;
using DeepTrain.Tensors;

namespace DeepTrain.Layers;

/// <summary>
/// A stack of layers applied in order to [batch, features] inputs. Made with the number of input features and a
/// seed for initialization; each added layer is built at once for the width below it. Unnamed layers are named
/// by kind and position (<c>dense1</c>, <c>batchnorm1</c>, ...).
/// <code>
/// var model = new Sequential(784, seed: 42)
/// {
///     new Dense(300, Activation.Elu(), Initializer.HeNormal, name: "hidden1"),
///     new Dense(10, name: "output"),
/// };
/// </code>
/// </summary>
public sealed class Sequential : Module, IEnumerable<Module>
{
    private readonly List<Module> _layers = new();
    private readonly Rng _initRng;

    /// <summary>Makes an empty stack for inputs of <paramref name="inputFeatures"/> features.</summary>
    public Sequential(int inputFeatures, ulong seed = 0, string? name = null) : base(name)
    {
        if (inputFeatures <= 0) throw new ArgumentException($"input features must be > 0: got {inputFeatures}");
        InputFeatures = OutputFeatures = inputFeatures;
        Seed = seed;
        _initRng = new Rng(seed);
        Rng = new Rng(seed ^ 0x5DEECE66DUL);
    }

    /// <summary>The number of input features.</summary>
    public int InputFeatures { get; }
    /// <summary>The number of output features of the last layer.</summary>
    public int OutputFeatures { get; private set; }
    /// <summary>The initialization seed.</summary>
    public ulong Seed { get; }
    /// <summary>The layers, in order.</summary>
    public IReadOnlyList<Module> Layers => _layers;

    /// <summary>The layer named <paramref name="name"/>.</summary>
    public Module this[string name] => _layers.FirstOrDefault(l => l.Name == name)
        ?? throw new KeyNotFoundException($"no layer named '{name}'; layers: {string.Join(", ", _layers.Select(l => l.Name))}");

    /// <summary>Appends a layer, naming it if unnamed and building it for the current output width.</summary>
    public void Add(Module layer)
    {
        if (layer.Name.Length == 0)
        {
            string kind = layer.Kind.ToLowerInvariant();
            int k = 1;
            while (_layers.Any(l => l.Name == kind + k)) k++;
            layer.Name = kind + k;
        }
        if (layer.Name.Contains('.')) throw new ArgumentException($"layer name '{layer.Name}' must not contain '.'");
        if (_layers.Any(l => l.Name == layer.Name)) throw new ArgumentException($"a layer named '{layer.Name}' is already in the model");
        OutputFeatures = layer.Build(OutputFeatures, _initRng);
        _layers.Add(layer);
        AddChild(layer);
        AssignFullNames();
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        if (input.Shape.Rank != 2 || input.Shape[1] != InputFeatures)
            throw new ArgumentException($"the model expects inputs of shape [batch, {InputFeatures}]: got {input.Shape}");
        var x = input;
        var observer = LayerObserver;
        foreach (var layer in _layers)
        {
            x = layer.Forward(x);
            observer?.Invoke(layer, x);
        }
        return x;
    }

    /// <summary>
    /// Called with each layer and its output during <see cref="Forward"/> when set (diagnostics use it to see
    /// activations and, after the backward pass, the gradients with respect to them). Null by default.
    /// </summary>
    public Action<Module, Tensor>? LayerObserver { get; set; }

    /// <inheritdoc/>
    public IEnumerator<Module> GetEnumerator() => _layers.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
