using DeepTrain.Layers;

namespace DeepTrain.Checkpoints;

/// <summary>
/// Layers taken from a saved model (<see cref="ModelFile.LoadLayers(string, int, Func{string, Activation?}?)"/>):
/// new layer objects with the saved configuration, and the saved weights, which are copied in as soon as a
/// <see cref="Sequential"/> builds them. Add them to a new model with
/// <see cref="ReusedLayersExtensions.Add(Sequential, ReusedLayers)"/> (also from a collection initializer). They can be
/// added once; load them again for another model.
/// </summary>
public sealed class ReusedLayers
{
    private readonly List<(Module Layer, Dictionary<string, (IReadOnlyList<long> Shape, float[] Values)> Weights)> _layers;

    internal ReusedLayers(string source, List<(Module, Dictionary<string, (IReadOnlyList<long>, float[])>)> layers)
    {
        Source = source;
        _layers = layers;
    }

    /// <summary>The file the layers come from.</summary>
    public string Source { get; }

    /// <summary>The layers, bottom to top (not yet built).</summary>
    public IReadOnlyList<Module> Layers => _layers.Select(l => l.Layer).ToArray();

    /// <summary>The layers' names.</summary>
    public IReadOnlyList<string> Names => _layers.Select(l => l.Layer.Name).ToArray();

    /// <summary>True once the layers have been added to a model.</summary>
    public bool IsAdded { get; private set; }

    internal void AddTo(Sequential model)
    {
        if (IsAdded) throw new InvalidOperationException($"the layers {string.Join(", ", Names)} from '{Source}' are already in a model; call ModelFile.LoadLayers again for another copy");
        IsAdded = true;
        foreach (var (layer, weights) in _layers)
        {
            model.Add(layer);
            foreach (var (name, t) in layer.OwnParameters.Concat(layer.OwnBuffers))
            {
                if (!weights.TryGetValue(name, out var w))
                    throw new ModelFileException(Source, $"layer '{layer.Name}' has no saved '{name}'; the file is damaged");
                var shape = t.Shape.ToArray();
                if (!w.Shape.SequenceEqual(shape.Select(d => (long)d)))
                    throw new ModelFileException(Source, $"layer '{layer.Name}': the saved '{name}' has shape [{string.Join(", ", w.Shape)}] but in the new model it has shape [{string.Join(", ", shape)}]; " +
                        "the new model's input width must match the saved one's");
                w.Values.CopyTo(t.Data);
            }
        }
    }
}

/// <summary>Adds <see cref="ReusedLayers"/> to a <see cref="Sequential"/>, so they can stand in its collection initializer.</summary>
public static class ReusedLayersExtensions
{
    /// <summary>Appends the reused layers to <paramref name="model"/> (building them) and copies their saved weights in.</summary>
    public static void Add(this Sequential model, ReusedLayers layers)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(layers);
        layers.AddTo(model);
    }
}
