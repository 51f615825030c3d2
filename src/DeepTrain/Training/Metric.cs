using DeepTrain.Tensors;

namespace DeepTrain.Training;

/// <summary>A quality measure accumulated over batches (accuracy, top-k accuracy).</summary>
public abstract class Metric
{
    /// <summary>The metric's name, as it appears in logs and History (<c>accuracy</c>).</summary>
    public abstract string Name { get; }

    /// <summary>Adds one batch: the model's outputs (logits) and the true labels.</summary>
    public abstract void Update(Tensor output, ReadOnlySpan<int> labels);

    /// <summary>The value over everything added since <see cref="Reset"/>.</summary>
    public abstract double Result { get; }

    /// <summary>Forgets every batch.</summary>
    public abstract void Reset();

    /// <summary>Classification accuracy (the arg-max of the logits equals the label).</summary>
    public static Metric Accuracy() => new TopKAccuracy(1);

    /// <summary>Top-k accuracy (the label is among the k largest logits).</summary>
    public static Metric TopK(int k) => new TopKAccuracy(k);
}

/// <summary>The fraction of rows whose label is among the k largest outputs (ties count against).</summary>
public sealed class TopKAccuracy : Metric
{
    private long _correct, _total;

    /// <summary>Makes the metric; <paramref name="k"/> ≥ 1.</summary>
    public TopKAccuracy(int k)
    {
        if (k < 1) throw new ArgumentException($"k must be >= 1: got {k}");
        K = k;
    }

    /// <summary>k.</summary>
    public int K { get; }

    /// <inheritdoc/>
    public override string Name => K == 1 ? "accuracy" : $"top{K}_accuracy";

    /// <inheritdoc/>
    public override double Result => _total == 0 ? double.NaN : (double)_correct / _total;

    /// <inheritdoc/>
    public override void Reset() { _correct = 0; _total = 0; }

    /// <inheritdoc/>
    public override void Update(Tensor output, ReadOnlySpan<int> labels)
    {
        int c = output.Shape.Last;
        var d = output.Data;
        for (int r = 0; r < labels.Length; r++)
        {
            var row = d.Slice(r * c, c);
            float target = row[labels[r]];
            int above = 0;
            for (int j = 0; j < c; j++)
                if (row[j] > target || (row[j] == target && j < labels[r])) above++;
            if (above < K) _correct++;
        }
        _total += labels.Length;
    }
}
