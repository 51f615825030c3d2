using System.Numerics.Tensors;
using DeepTrain.Autograd;
using DeepTrain.Data;
using DeepTrain.Layers;
using DeepTrain.Tensors;
using DeepTrain.Training;

namespace DeepTrain.Pretraining;

// The data each greedy layer trains on: the frozen codes of the layers below, computed once per layer.
internal static class LayerData
{
    /// <summary>
    /// The outputs of <paramref name="layer"/> (run in inference mode, without gradients) for every example, as a
    /// float dataset with the original labels.
    /// </summary>
    public static Dataset Codes(Module layer, int outputs, Dataset data, int batchSize = 512) =>
        Dataset.FromArrays(layer.Predict(data, batchSize).ToArray(), data.Labels.ToArray(), outputs, data.Classes, data.ClassNames);

    /// <summary>Fills the <paramref name="outputs"/> of a block of <paramref name="rows"/> examples from their <paramref name="inputs"/>.</summary>
    public delegate void RowMap(ReadOnlySpan<float> inputs, int rows, Span<float> outputs);

    /// <summary>Visits a block of <paramref name="rows"/> consecutive examples, from example <paramref name="start"/>.</summary>
    public delegate void RowBlock(ReadOnlySpan<float> inputs, int start, int rows);

    /// <summary>Reads every example of <paramref name="data"/> (as <see cref="Dataset.GetBatch"/> returns it) in blocks, in order.</summary>
    public static void ForEachBlock(Dataset data, int batchSize, RowBlock visit)
    {
        var x = new float[batchSize * data.Features];
        var labels = new int[batchSize];
        var indices = new int[batchSize];
        for (int start = 0; start < data.Count; start += batchSize)
        {
            int rows = Math.Min(batchSize, data.Count - start);
            for (int i = 0; i < rows; i++) indices[i] = start + i;
            data.GetBatch(indices.AsSpan(0, rows), x.AsSpan(0, rows * data.Features), labels.AsSpan(0, rows));
            visit(x.AsSpan(0, rows * data.Features), start, rows);
        }
    }

    /// <summary>Applies <paramref name="map"/> to every example of <paramref name="data"/> in blocks; keeps the labels.</summary>
    public static Dataset Map(Dataset data, int outputs, int batchSize, RowMap map)
    {
        var result = new float[(long)data.Count * outputs];
        ForEachBlock(data, batchSize, (x, start, rows) => map(x, rows, result.AsSpan(start * outputs, rows * outputs)));
        return Dataset.FromArrays(result, data.Labels.ToArray(), outputs, data.Classes, data.ClassNames);
    }

    /// <summary>The smallest and largest feature value of the dataset (as <see cref="Dataset.GetBatch"/> returns them).</summary>
    public static (float Min, float Max) Range(Dataset data)
    {
        float min = float.PositiveInfinity, max = float.NegativeInfinity;
        ForEachBlock(data, 512, (x, _, _) =>
        {
            min = Math.Min(min, TensorPrimitives.Min(x));
            max = Math.Max(max, TensorPrimitives.Max(x));
        });
        return (min, max);
    }

    /// <summary>The mean of each feature over the dataset.</summary>
    public static float[] ColumnMeans(Dataset data)
    {
        var sums = new double[data.Features];
        int f = data.Features;
        ForEachBlock(data, 512, (x, _, rows) =>
        {
            for (int r = 0; r < rows; r++)
                for (int i = 0; i < f; i++) sums[i] += x[r * f + i];
        });
        return sums.Select(s => (float)(s / Math.Max(1, data.Count))).ToArray();
    }

    /// <summary>Every example of <paramref name="data"/> as one row-major array, with the row count.</summary>
    public static (float[] X, int Rows) ReadAll(Dataset data)
    {
        var all = new float[(long)data.Count * data.Features];
        int f = data.Features;
        ForEachBlock(data, 512, (x, start, rows) => x.CopyTo(all.AsSpan(start * f, rows * f)));
        return (all, data.Count);
    }

    /// <summary>A fixed random subset of at most <paramref name="rows"/> examples (all when 0 or when there are fewer).</summary>
    public static Dataset Sample(Dataset data, int rows, int seed)
    {
        if (rows == 0 || rows >= data.Count) return data;
        var order = new int[data.Count];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        new Rng((ulong)(uint)seed ^ 0xA5A5A5A5UL).Shuffle(order.AsSpan());
        var keep = order[..rows];
        Array.Sort(keep);
        return data.Subset(keep);
    }
}
