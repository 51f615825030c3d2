using System.Globalization;
using DeepTrain.Tensors;

namespace DeepTrain.Pretraining;

/// <summary>
/// The noise a denoising autoencoder adds to its input in training mode (Vincent et al. 2008, 2010); the loss
/// still compares the reconstruction with the clean input. Inference mode never corrupts.
/// </summary>
public abstract class Corruption
{
    private Corruption() { }

    /// <summary>The corruption as <see cref="Parse"/> reads it: <c>none</c>, <c>gaussian:0.3</c>, <c>masking:0.25</c>.</summary>
    public abstract string Name { get; }

    /// <summary>
    /// The corrupted input, drawing the noise from <paramref name="rng"/> (an op: gradients flow to
    /// <paramref name="x"/> through it, the noise itself being a constant).
    /// </summary>
    public abstract Tensor Apply(Tensor x, Rng rng);

    /// <summary>No corruption: a plain autoencoder.</summary>
    public static Corruption None { get; } = new NoCorruption();

    /// <summary>Additive isotropic Gaussian noise: x̃ = x + σ·ε, ε ~ N(0, I).</summary>
    /// <param name="sigma">The noise's standard deviation, &gt; 0.</param>
    public static Corruption Gaussian(float sigma)
    {
        if (!(sigma > 0) || !float.IsFinite(sigma)) throw new ArgumentOutOfRangeException(nameof(sigma), $"the Gaussian noise's sigma must be > 0 and finite: got {sigma}");
        return new GaussianNoise(sigma);
    }

    /// <summary>
    /// Masking noise: each input element is set to 0 with probability <paramref name="dropProbability"/> and kept
    /// unchanged otherwise (no rescaling, unlike dropout).
    /// </summary>
    /// <param name="dropProbability">The probability of zeroing an element, in (0, 1).</param>
    public static Corruption Masking(float dropProbability)
    {
        if (!(dropProbability > 0 && dropProbability < 1)) throw new ArgumentOutOfRangeException(nameof(dropProbability), $"the masking probability must be in (0, 1): got {dropProbability}");
        return new MaskingNoise(dropProbability);
    }

    /// <summary>The names <see cref="Parse"/> accepts.</summary>
    public static IReadOnlyList<string> Names { get; } = ["none", "gaussian:SIGMA", "masking:PROBABILITY"];

    /// <summary>A corruption by name (<c>none</c>, <c>gaussian:0.3</c>, <c>masking:0.25</c>); anything else is an error listing the valid forms.</summary>
    public static Corruption Parse(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var parts = spec.Trim().ToLowerInvariant().Split(':', 2);
        if (parts[0] == "none" && parts.Length == 1) return None;
        if (parts.Length == 2 && (parts[0] == "gaussian" || parts[0] == "masking"))
        {
            if (!float.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var a))
                throw new ArgumentException($"corruption '{spec}': '{parts[1]}' is not a number");
            return parts[0] == "gaussian" ? Gaussian(a) : Masking(a);
        }
        throw new ArgumentException($"unknown corruption '{spec}'; valid forms: {string.Join(", ", Names)}");
    }

    /// <inheritdoc/>
    public override string ToString() => Name;

    private sealed class NoCorruption : Corruption
    {
        public override string Name => "none";
        public override Tensor Apply(Tensor x, Rng rng) => x;
    }

    private sealed class GaussianNoise(float sigma) : Corruption
    {
        public override string Name => string.Create(CultureInfo.InvariantCulture, $"gaussian:{sigma}");
        public override Tensor Apply(Tensor x, Rng rng)
        {
            var noise = Tensor.Empty(x.Shape);
            var d = noise.Data;
            for (int i = 0; i < d.Length; i++) d[i] = sigma * rng.NextGaussian();
            return Ops.Ops.Add(x, noise);
        }
    }

    private sealed class MaskingNoise(float p) : Corruption
    {
        public override string Name => string.Create(CultureInfo.InvariantCulture, $"masking:{p}");
        public override Tensor Apply(Tensor x, Rng rng)
        {
            var mask = Tensor.Empty(x.Shape);
            var d = mask.Data;
            for (int i = 0; i < d.Length; i++) d[i] = rng.NextFloat() < p ? 0f : 1f;
            return Ops.Ops.Mul(x, mask);
        }
    }
}
