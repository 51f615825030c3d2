using DeepTrain.Data;
using DeepTrain.Layers;
using DeepTrain.Training;

namespace DeepTrain.Checkpoints;

/// <summary>
/// Trains only the upper layers of a model whose lower layers are frozen, without running the frozen layers again
/// every epoch: their outputs are computed once for the whole dataset (in inference mode) and kept as a new float
/// dataset, and the upper layers train on it as <see cref="Upper"/>, a model that shares their parameter tensors (so
/// the original model is trained in place).
/// <code>
/// Freezing.Freeze(model, "hidden[123]");
/// var cache = FrozenFeatureCache.Create(model, train);          // runs hidden1..hidden3 once
/// cache.Upper.Fit(cache.Train, cache.Transform(valid), new FitOptions { Optimizer = new Adam(cache.Upper.Parameters()), ... });
/// model.Evaluate(test);                                          // the whole model, with the trained upper layers
/// </code>
/// A lower layer can be cached when it is deterministic in training: all its parameters frozen (or it has none),
/// and no randomness — no dropout, no RReLU, no BatchNorm that uses batch statistics. Cached training then gives
/// the same weights as training the whole model (up to float rounding, since the cached features come from batches
/// of another size), except that the loss no longer includes penalties on the frozen layers' weights (constant).
/// </summary>
public sealed class FrozenFeatureCache
{
    private readonly LayerStack _lower;
    private readonly int _batchSize;

    private FrozenFeatureCache(LayerStack lower, LayerStack upper, int count, Dataset train, int batchSize)
    {
        _lower = lower; Upper = upper; LowerLayers = count; _batchSize = batchSize;
        Train = Transform(train);
    }

    /// <summary>How many lower layers are cached.</summary>
    public int LowerLayers { get; }

    /// <summary>The upper layers as a model of their own, sharing the original model's parameter tensors.</summary>
    public Module Upper { get; }

    /// <summary>The training data as the frozen layers see it: their outputs, with the original labels.</summary>
    public Dataset Train { get; }

    /// <summary>Caches the outputs of the lower layers of <paramref name="model"/> on <paramref name="train"/>.</summary>
    /// <param name="model">The model; its lower layers must be frozen and deterministic.</param>
    /// <param name="train">The training data.</param>
    /// <param name="lowerLayers">How many layers to cache; null for as many as can be cached (at least one, and at least one left above).</param>
    /// <param name="batchSize">The batch size of the one inference pass.</param>
    /// <exception cref="ArgumentException">A layer below the cut cannot be cached (the message says which and why).</exception>
    public static FrozenFeatureCache Create(Sequential model, Dataset train, int? lowerLayers = null, int batchSize = 256)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(train);
        if (batchSize < 1) throw new ArgumentException($"batch size must be >= 1: got {batchSize}");
        int cacheable = CacheableLayers(model);
        int count = lowerLayers ?? Math.Min(cacheable, model.Layers.Count - 1);
        if (count < 1 || count >= model.Layers.Count)
            throw new ArgumentException(lowerLayers is null
                ? $"no lower layer can be cached: {WhyNot(model.Layers[0]) ?? "it is the only layer"}; freeze the lower layers first (Freezing.Freeze)"
                : $"lower layers must be in [1, {model.Layers.Count - 1}] for a model of {model.Layers.Count} layers: got {count}");
        if (count > cacheable)
            throw new ArgumentException($"layer '{model.Layers[cacheable].Name}' cannot be cached: {WhyNot(model.Layers[cacheable])}");
        if (train.Features != model.InputFeatures)
            throw new ArgumentException($"the model expects {model.InputFeatures} input features but the training data has {train.Features}");
        return new FrozenFeatureCache(new LayerStack(model.Layers.Take(count)), new LayerStack(model.Layers.Skip(count)), count, train, batchSize);
    }

    /// <summary>How many layers from the bottom of <paramref name="model"/> can be cached.</summary>
    public static int CacheableLayers(Sequential model)
    {
        ArgumentNullException.ThrowIfNull(model);
        int n = 0;
        while (n < model.Layers.Count && WhyNot(model.Layers[n]) is null) n++;
        return n;
    }

    /// <summary>Why a layer cannot be cached, or null when it can.</summary>
    private static string? WhyNot(Module layer) => layer switch
    {
        _ when layer.NamedParameters().Any(p => p.Value.Trainable) => "it has trainable parameters",
        Dropout d when d.Rate > 0 => "dropout is random in training",
        BatchNorm b when !b.IsFrozen => "it normalizes with batch statistics in training (it has no frozen parameters)",
        Dense d when d.Activation.IsRandomized => "its RReLU activation is random in training",
        ActivationLayer a when a.Activation.IsRandomized => "its RReLU activation is random in training",
        Dense or BatchNorm or Dropout or ActivationLayer or PReLU or StopGradient => null,
        _ => $"a {layer.GetType().Name} is not known to be deterministic",
    };

    /// <summary>The outputs of the cached layers for every example of <paramref name="data"/> (e.g. validation data), with its labels.</summary>
    public Dataset Transform(Dataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var features = _lower.Predict(data, _batchSize);
        int width = features.Shape.Last;
        return Dataset.FromArrays(features.ToArray(), data.Labels.ToArray(), width, data.Classes, data.ClassNames);
    }
}
