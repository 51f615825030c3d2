using DeepTrain.Layers;

namespace DeepTrain.Checkpoints;

/// <summary>
/// Layers of another model run in order, without building them again: a view that shares their parameter tensors
/// (training it trains them in place). Its parameter names are the layers' own (<c>hidden4.weight</c>).
/// </summary>
internal sealed class LayerStack : Module
{
    private readonly Module[] _layers;

    public LayerStack(IEnumerable<Module> layers) : base(null)
    {
        _layers = layers.ToArray();
        foreach (var l in _layers) AddChild(l);
    }

    public override string Kind => "LayerStack";

    public override Tensor Forward(Tensor input)
    {
        var x = input;
        foreach (var l in _layers) x = l.Forward(x);
        return x;
    }
}
