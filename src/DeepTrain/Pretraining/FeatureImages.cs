using DeepTrain.Data;
using DeepTrain.Layers;

namespace DeepTrain.Pretraining;

/// <summary>
/// The data behind the classic pretraining pictures (the plotting itself lives elsewhere): the first layer's
/// features as images, and inputs next to their reconstructions. Every image is a row-major float array of
/// height × width values in [0, 1].
/// </summary>
public static class FeatureImages
{
    /// <summary>
    /// The incoming weights of the first <paramref name="count"/> units of the stack's first Dense layer (column j
    /// of W [inputs, units] is unit j's filter), each min-max normalized to [0, 1] on its own (a constant filter
    /// becomes 0.5 everywhere).
    /// </summary>
    /// <exception cref="ArgumentException">There is no Dense layer, or its inputs are not <paramref name="width"/> × <paramref name="height"/>.</exception>
    public static float[][] FirstLayerFeatures(Sequential encoder, int count = 100, int width = 28, int height = 28)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        var dense = encoder.Layers.OfType<Dense>().FirstOrDefault()
            ?? throw new ArgumentException("the model has no Dense layer whose features could be shown");
        if (dense.Inputs != width * height)
            throw new ArgumentException($"layer '{dense.Name}' has {dense.Inputs} inputs, not {width} × {height} = {width * height}");
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count), $"count must be >= 0: got {count}");
        int units = dense.Units, n = Math.Min(count, units);
        var w = dense.Weight.Data;
        var images = new float[n][];
        for (int j = 0; j < n; j++)
        {
            var img = new float[dense.Inputs];
            for (int i = 0; i < img.Length; i++) img[i] = w[i * units + j];
            images[j] = Normalize(img);
        }
        return images;
    }

    /// <summary>
    /// The first <paramref name="count"/> examples of <paramref name="data"/> and their reconstructions through the
    /// whole pretrained stack (<see cref="PretrainResult.Reconstruct"/>), each clamped to [0, 1] (for data in
    /// [0, 1]; standardized data should be shown through <see cref="Normalize"/> instead).
    /// </summary>
    public static (float[][] Inputs, float[][] Reconstructions) Reconstructions(PretrainResult result, Dataset data, int count = 10)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(data);
        int n = Math.Clamp(count, 0, data.Count), f = data.Features;
        var indices = Enumerable.Range(0, n).ToArray();
        var x = new float[n * f];
        data.GetBatch(indices, x, new int[n]);
        var r = result.Reconstruct(x, n);
        var inputs = new float[n][];
        var outputs = new float[n][];
        for (int k = 0; k < n; k++)
        {
            inputs[k] = x.AsSpan(k * f, f).ToArray();
            outputs[k] = r.AsSpan(k * f, f).ToArray();
            for (int i = 0; i < f; i++) { inputs[k][i] = Math.Clamp(inputs[k][i], 0f, 1f); outputs[k][i] = Math.Clamp(outputs[k][i], 0f, 1f); }
        }
        return (inputs, outputs);
    }

    /// <summary>Min-max normalizes <paramref name="values"/> to [0, 1] in place (a constant array becomes 0.5) and returns it.</summary>
    public static float[] Normalize(float[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Length == 0) return values;
        float min = values.Min(), max = values.Max();
        float range = max - min;
        for (int i = 0; i < values.Length; i++) values[i] = range > 0 ? (values[i] - min) / range : 0.5f;
        return values;
    }
}
