using DeepTrain.Tensors;

namespace DeepTrain.Init;

/// <summary>
/// Fills a parameter tensor with its initial values. A weight of shape [fan_in, fan_out] (Dense's kernel)
/// gets its fans from its shape; a vector's fans are its length.
/// </summary>
public abstract class Initializer
{
    /// <summary>A short name (<c>he_normal</c>, <c>zeros</c>, ...).</summary>
    public abstract string Name { get; }

    /// <summary>Fills <paramref name="tensor"/> in place, drawing from <paramref name="rng"/>.</summary>
    public abstract void Fill(Tensor tensor, Rng rng);

    /// <summary>The fans of a weight: [in, out] for a matrix, (n, n) for a vector.</summary>
    public static (int FanIn, int FanOut) Fans(Shape shape) => shape.Rank switch
    {
        0 => (1, 1),
        1 => (shape[0], shape[0]),
        _ => (shape.Size / shape.Last, shape.Last),
    };

    /// <summary>Glorot (Xavier) uniform: variance 1/fan_avg, uniform.</summary>
    public static Initializer GlorotUniform => new VarianceScaling(1f, FanMode.FanAvg, Distribution.Uniform, "glorot_uniform");
    /// <summary>Glorot (Xavier) normal: variance 1/fan_avg, truncated normal.</summary>
    public static Initializer GlorotNormal => new VarianceScaling(1f, FanMode.FanAvg, Distribution.TruncatedNormal, "glorot_normal");
    /// <summary>He normal: variance 2/fan_in, truncated normal (He et al. 2015).</summary>
    public static Initializer HeNormal => new VarianceScaling(2f, FanMode.FanIn, Distribution.TruncatedNormal, "he_normal");
    /// <summary>He uniform: variance 2/fan_in, uniform.</summary>
    public static Initializer HeUniform => new VarianceScaling(2f, FanMode.FanIn, Distribution.Uniform, "he_uniform");
    /// <summary>LeCun normal: variance 1/fan_in, truncated normal (the SELU companion).</summary>
    public static Initializer LeCunNormal => new VarianceScaling(1f, FanMode.FanIn, Distribution.TruncatedNormal, "lecun_normal");
    /// <summary>LeCun uniform: variance 1/fan_in, uniform.</summary>
    public static Initializer LeCunUniform => new VarianceScaling(1f, FanMode.FanIn, Distribution.Uniform, "lecun_uniform");
    /// <summary>
    /// The "standard" initialization Glorot &amp; Bengio (2010) started from: U[−1/√fan_in, 1/√fan_in]
    /// (variance 1/(3·fan_in)), under which deep logistic networks lose their gradient on the way down.
    /// </summary>
    public static Initializer StandardUniform => new VarianceScaling(1f / 3, FanMode.FanIn, Distribution.Uniform, "standard");
    /// <summary>All zeros.</summary>
    public static Initializer Zeros => new Constant(0f, "zeros");
    /// <summary>All ones.</summary>
    public static Initializer Ones => new Constant(1f, "ones");
    /// <summary>Plain N(mean, std²), untruncated (<c>normal1</c> is N(0, 1), the Glorot &amp; Bengio counter-example).</summary>
    public static Initializer RandomNormal(float mean = 0f, float std = 1f) => new RandomNormalInitializer(mean, std);

    /// <summary>The names <see cref="Parse"/> accepts.</summary>
    public static IReadOnlyList<string> Names { get; } =
        ["glorot_uniform", "glorot", "glorot_normal", "he_normal", "he", "he_uniform", "lecun_normal", "lecun", "lecun_uniform", "standard", "normal1", "zeros", "ones"];

    /// <summary>An initializer by name; an unknown name is an error that lists the valid ones.</summary>
    public static Initializer Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "glorot_uniform" or "glorot" or "xavier" or "xavier_uniform" => GlorotUniform,
        "glorot_normal" or "xavier_normal" => GlorotNormal,
        "he_normal" or "he" => HeNormal,
        "he_uniform" => HeUniform,
        "lecun_normal" or "lecun" => LeCunNormal,
        "lecun_uniform" => LeCunUniform,
        "standard" or "standard_uniform" => StandardUniform,
        "normal1" or "normal" => RandomNormal(0f, 1f),
        "zeros" => Zeros,
        "ones" => Ones,
        _ => throw new ArgumentException($"unknown initializer '{name}'; valid names: {string.Join(", ", Names)}"),
    };
}

/// <summary>Every element set to one value.</summary>
public sealed class Constant : Initializer
{
    private readonly string _name;
    /// <summary>Makes the initializer.</summary>
    public Constant(float value, string? name = null) { Value = value; _name = name ?? $"constant({value})"; }
    /// <summary>The value.</summary>
    public float Value { get; }
    /// <inheritdoc/>
    public override string Name => _name;
    /// <inheritdoc/>
    public override void Fill(Tensor tensor, Rng rng) => tensor.Fill(Value);
}

/// <summary>Untruncated N(mean, std²), whatever the fans.</summary>
public sealed class RandomNormalInitializer : Initializer
{
    /// <summary>Makes the initializer.</summary>
    public RandomNormalInitializer(float mean, float std)
    {
        if (!(std >= 0)) throw new ArgumentException($"std must be >= 0: got {std}");
        Mean = mean; Std = std;
    }
    /// <summary>The mean.</summary>
    public float Mean { get; }
    /// <summary>The standard deviation.</summary>
    public float Std { get; }
    /// <inheritdoc/>
    public override string Name => Mean == 0 && Std == 1 ? "normal1" : $"normal({Mean},{Std})";
    /// <inheritdoc/>
    public override void Fill(Tensor tensor, Rng rng)
    {
        var d = tensor.Data;
        for (int i = 0; i < d.Length; i++) d[i] = Mean + Std * rng.NextGaussian();
    }
}
