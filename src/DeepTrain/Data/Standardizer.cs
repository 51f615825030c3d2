using System.Numerics.Tensors;

namespace DeepTrain.Data;

/// <summary>
/// Per-feature standardization, <c>x' = (x - mean) / std</c>, with the mean and the (population) standard deviation
/// of each feature measured on a training set and then applied unchanged to validation and test sets.
/// </summary>
/// <remarks>
/// A feature whose standard deviation is below <see cref="MinStd"/> (a constant feature, such as MNIST's border
/// pixels) keeps a divisor of 1: it is only centred, never divided by zero.
/// </remarks>
public sealed class Standardizer
{
    /// <summary>Standard deviations below this are replaced by 1 (the feature is only centred).</summary>
    public const float MinStd = 1e-6f;

    private readonly float[] _mean;
    private readonly float[] _std;

    /// <summary>Creates a standardizer from known statistics (e.g. restored from a checkpoint). The arrays are copied.</summary>
    /// <param name="mean">The mean of each feature.</param>
    /// <param name="std">The standard deviation of each feature; values below <see cref="MinStd"/> are replaced by 1.</param>
    /// <exception cref="ArgumentException">The arrays differ in length, are empty, or hold a non-finite or negative value.</exception>
    public Standardizer(ReadOnlySpan<float> mean, ReadOnlySpan<float> std)
    {
        if (mean.Length == 0)
            throw new ArgumentException("a standardizer needs at least one feature", nameof(mean));
        if (mean.Length != std.Length)
            throw new ArgumentException($"mean and std must have the same length: got {mean.Length} and {std.Length}", nameof(std));
        _mean = mean.ToArray();
        _std = new float[std.Length];
        for (int i = 0; i < std.Length; i++)
        {
            if (!float.IsFinite(mean[i]))
                throw new ArgumentException($"mean[{i}] must be finite: got {mean[i]}", nameof(mean));
            if (!float.IsFinite(std[i]) || std[i] < 0)
                throw new ArgumentException($"std[{i}] must be finite and non-negative: got {std[i]}", nameof(std));
            _std[i] = std[i] < MinStd ? 1f : std[i];
        }
    }

    /// <summary>The number of features.</summary>
    public int Features => _mean.Length;

    /// <summary>The mean of each feature.</summary>
    public ReadOnlySpan<float> Mean => _mean;

    /// <summary>The divisor of each feature: its standard deviation, or 1 where that was below <see cref="MinStd"/>.</summary>
    public ReadOnlySpan<float> Std => _std;

    /// <summary>Standardizes rows in place: each row of <see cref="Features"/> values becomes <c>(x - mean) / std</c>.</summary>
    /// <param name="rows">Row-major values; the length must be a multiple of <see cref="Features"/>.</param>
    /// <exception cref="ArgumentException">The length is not a multiple of <see cref="Features"/>.</exception>
    public void Apply(Span<float> rows)
    {
        int f = _mean.Length;
        if (rows.Length % f != 0)
            throw new ArgumentException($"the length must be a multiple of {f} features: got {rows.Length}", nameof(rows));
        for (int start = 0; start < rows.Length; start += f)
            ApplyRow(rows.Slice(start, f));
    }

    // Division rather than multiplication by 1/std, so the result is exactly (x - mean) / std as references compute it.
    internal void ApplyRow(Span<float> row)
    {
        TensorPrimitives.Subtract(row, _mean, row);
        TensorPrimitives.Divide(row, _std, row);
    }

    /// <summary>Measures each feature's mean and population standard deviation over the raw (unstandardized) rows of <paramref name="data"/>.</summary>
    internal static Standardizer Fit(Dataset data)
    {
        int count = data.Count, features = data.Features;
        if (count == 0)
            throw new InvalidOperationException("cannot standardize an empty dataset");
        var row = new float[features];
        var sum = new double[features];
        for (int i = 0; i < count; i++)
        {
            data.ReadRawRow(i, row);
            for (int k = 0; k < features; k++)
                sum[k] += row[k];
        }
        var mean = new float[features];
        var meanD = new double[features];
        for (int k = 0; k < features; k++)
        {
            meanD[k] = sum[k] / count;
            mean[k] = (float)meanD[k];
        }
        // Second pass over the centred values: no cancellation, unlike sum(x^2) - n*mean^2.
        var squares = new double[features];
        for (int i = 0; i < count; i++)
        {
            data.ReadRawRow(i, row);
            for (int k = 0; k < features; k++)
            {
                double d = row[k] - meanD[k];
                squares[k] += d * d;
            }
        }
        var std = new float[features];
        for (int k = 0; k < features; k++)
            std[k] = (float)Math.Sqrt(squares[k] / count);
        return new Standardizer(mean, std);
    }
}
