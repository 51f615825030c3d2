using DeepTrain.Tensors;

namespace DeepTrain.Init;

/// <summary>Which fan <see cref="VarianceScaling"/> divides by.</summary>
public enum FanMode
{
    /// <summary>The number of inputs.</summary>
    FanIn,
    /// <summary>The number of outputs.</summary>
    FanOut,
    /// <summary>The mean of the two.</summary>
    FanAvg,
}

/// <summary>The distribution <see cref="VarianceScaling"/> draws from.</summary>
public enum Distribution
{
    /// <summary>A normal distribution.</summary>
    Normal,
    /// <summary>A normal truncated at two standard deviations, widened so its variance is still the target.</summary>
    TruncatedNormal,
    /// <summary>A uniform distribution on [−limit, limit].</summary>
    Uniform,
}

/// <summary>
/// Variance scaling, with the semantics of TensorFlow 2's <c>VarianceScaling</c> (and so of
/// <c>variance_scaling_initializer</c>'s modes): draws with variance scale / n, where n is fan_in, fan_out or
/// their mean. Normal: std = √(scale/n). Truncated normal: draws from N(0, σ²) cut at ±2σ with
/// σ = √(scale/n) / 0.87962566 so the truncated variance is scale/n (TF 1's contrib version used a 1.3 factor
/// instead; we follow TF 2). Uniform: limit = √(3·scale/n). Glorot, He and LeCun are presets
/// (see <see cref="Initializer"/>).
/// </summary>
public sealed class VarianceScaling : Initializer
{
    /// <summary>The standard deviation of N(0, 1) truncated to [−2, 2].</summary>
    public const double TruncatedStdOfUnitNormal = 0.87962566103423978;

    private readonly string _name;

    /// <summary>Makes the initializer; <paramref name="scale"/> must be &gt; 0.</summary>
    public VarianceScaling(float scale = 1f, FanMode mode = FanMode.FanIn, Distribution distribution = Distribution.TruncatedNormal, string? name = null)
    {
        if (!(scale > 0) || !float.IsFinite(scale)) throw new ArgumentException($"scale must be a finite number > 0: got {scale}");
        Scale = scale; Mode = mode; Distribution = distribution;
        _name = name ?? $"variance_scaling({scale},{mode},{distribution})";
    }

    /// <summary>The scale (1 for Glorot and LeCun, 2 for He).</summary>
    public float Scale { get; }
    /// <summary>The fan divided by.</summary>
    public FanMode Mode { get; }
    /// <summary>The distribution.</summary>
    public Distribution Distribution { get; }
    /// <inheritdoc/>
    public override string Name => _name;

    /// <summary>The target variance scale / n for a tensor of <paramref name="shape"/>.</summary>
    public double TargetVariance(Shape shape)
    {
        var (fanIn, fanOut) = Fans(shape);
        double n = Mode switch { FanMode.FanIn => fanIn, FanMode.FanOut => fanOut, _ => (fanIn + fanOut) / 2.0 };
        return Scale / Math.Max(1.0, n);
    }

    /// <inheritdoc/>
    public override void Fill(Tensor tensor, Rng rng)
    {
        double variance = TargetVariance(tensor.Shape);
        var d = tensor.Data;
        switch (Distribution)
        {
            case Distribution.Normal:
            {
                float std = (float)Math.Sqrt(variance);
                for (int i = 0; i < d.Length; i++) d[i] = std * rng.NextGaussian();
                break;
            }
            case Distribution.TruncatedNormal:
            {
                float std = (float)(Math.Sqrt(variance) / TruncatedStdOfUnitNormal);
                for (int i = 0; i < d.Length; i++)
                {
                    float z;
                    do { z = rng.NextGaussian(); } while (z < -2f || z > 2f);
                    d[i] = std * z;
                }
                break;
            }
            default:
            {
                float limit = (float)Math.Sqrt(3 * variance);
                for (int i = 0; i < d.Length; i++) d[i] = limit * (2f * rng.NextFloat() - 1f);
                break;
            }
        }
    }
}
