using System.Numerics.Tensors;
using DeepTrain.Kernels;
using DeepTrain.Layers;
using DeepTrain.Tensors;

namespace DeepTrain.Pretraining;

/// <summary>
/// A restricted Boltzmann machine: <see cref="Visible"/> visible units v, <see cref="Hidden"/> binary hidden
/// units h, weights W [visible, hidden], visible biases b and hidden biases c, with the energy
/// <list type="bullet">
/// <item>Bernoulli visible units: E(v, h) = −bᵀv − cᵀh − vᵀW h;</item>
/// <item>Gaussian visible units of unit variance: E(v, h) = ½‖v − b‖² − cᵀh − vᵀW h.</item>
/// </list>
/// Its conditionals factorize: p(hⱼ = 1 | v) = σ(cⱼ + Σᵢ vᵢWᵢⱼ), and vᵢ | h is Bernoulli(σ(bᵢ + Σⱼ Wᵢⱼhⱼ)) or
/// N(bᵢ + Σⱼ Wᵢⱼhⱼ, 1). Train it with <see cref="ContrastiveDivergence"/>. Batches are row-major float spans of
/// [rows, visible] or [rows, hidden]; the matrix products run on <see cref="Gemm.Sgemm"/>.
/// </summary>
/// <remarks>
/// W's layout is <see cref="Dense"/>'s ([inputs, units]), so an RBM initializes a logistic Dense layer as it is
/// (<see cref="CopyTo"/>): the layer then computes p(h = 1 | v).
/// </remarks>
public sealed class Rbm
{
    /// <summary>Makes an RBM with zero weights and biases (see <see cref="Initialize"/>).</summary>
    public Rbm(int visible, int hidden, VisibleUnits visibleUnits = VisibleUnits.Bernoulli)
    {
        if (visible <= 0) throw new ArgumentOutOfRangeException(nameof(visible), $"the number of visible units must be > 0: got {visible}");
        if (hidden <= 0) throw new ArgumentOutOfRangeException(nameof(hidden), $"the number of hidden units must be > 0: got {hidden}");
        if (!Enum.IsDefined(visibleUnits)) throw new ArgumentOutOfRangeException(nameof(visibleUnits), $"unknown visible unit kind {(int)visibleUnits}");
        Visible = visible;
        Hidden = hidden;
        VisibleUnits = visibleUnits;
        Weight = new float[visible * hidden];
        VisibleBias = new float[visible];
        HiddenBias = new float[hidden];
    }

    /// <summary>The number of visible units.</summary>
    public int Visible { get; }

    /// <summary>The number of hidden units.</summary>
    public int Hidden { get; }

    /// <summary>The kind of the visible units.</summary>
    public VisibleUnits VisibleUnits { get; }

    /// <summary>W, row-major [visible, hidden]: Wᵢⱼ joins visible unit i and hidden unit j.</summary>
    public float[] Weight { get; }

    /// <summary>b, [visible].</summary>
    public float[] VisibleBias { get; }

    /// <summary>c, [hidden].</summary>
    public float[] HiddenBias { get; }

    /// <summary>
    /// The usual starting point (Hinton 2010, "A practical guide to training RBMs"): Wᵢⱼ ~ N(0, <paramref name="std"/>²),
    /// c = 0, and b from the data's mean activity: bᵢ = log(pᵢ / (1 − pᵢ)) for Bernoulli units (pᵢ clamped to
    /// [0.001, 0.999]), bᵢ = the mean of vᵢ for Gaussian units (0 when <paramref name="visibleMeans"/> is null).
    /// </summary>
    /// <param name="rng">Draws the weights.</param>
    /// <param name="visibleMeans">Each visible unit's mean over the training data, or null.</param>
    /// <param name="std">The weights' standard deviation (default 0.01).</param>
    public void Initialize(Rng rng, ReadOnlySpan<float> visibleMeans = default, float std = 0.01f)
    {
        ArgumentNullException.ThrowIfNull(rng);
        if (!visibleMeans.IsEmpty && visibleMeans.Length != Visible)
            throw new ArgumentException($"visibleMeans must hold {Visible} values: got {visibleMeans.Length}");
        for (int i = 0; i < Weight.Length; i++) Weight[i] = std * rng.NextGaussian();
        Array.Clear(HiddenBias);
        for (int i = 0; i < Visible; i++)
        {
            float m = visibleMeans.IsEmpty ? (VisibleUnits == VisibleUnits.Bernoulli ? 0.5f : 0f) : visibleMeans[i];
            VisibleBias[i] = VisibleUnits == VisibleUnits.Bernoulli
                ? MathF.Log(Math.Clamp(m, 0.001f, 0.999f) / (1f - Math.Clamp(m, 0.001f, 0.999f)))
                : m;
        }
    }

    /// <summary>The hidden pre-activations cⱼ + Σᵢ vᵢWᵢⱼ of <paramref name="rows"/> visible vectors, into <paramref name="z"/> [rows, hidden].</summary>
    public void HiddenInputs(ReadOnlySpan<float> v, int rows, Span<float> z)
    {
        Check(v, rows, Visible, "v"); Check(z, rows, Hidden, "z");
        for (int r = 0; r < rows; r++) HiddenBias.CopyTo(z.Slice(r * Hidden, Hidden));
        Gemm.Sgemm(false, false, rows, Hidden, Visible, 1f, v, Visible, Weight, Hidden, 1f, z, Hidden);
    }

    /// <summary>p(hⱼ = 1 | v) = σ(cⱼ + Σᵢ vᵢWᵢⱼ) for <paramref name="rows"/> visible vectors, into <paramref name="p"/> [rows, hidden].</summary>
    public void HiddenProbabilities(ReadOnlySpan<float> v, int rows, Span<float> p)
    {
        HiddenInputs(v, rows, p);
        TensorPrimitives.Sigmoid(p[..(rows * Hidden)], p);
    }

    /// <summary>
    /// E[vᵢ | h]: σ(bᵢ + Σⱼ Wᵢⱼhⱼ) for Bernoulli units, bᵢ + Σⱼ Wᵢⱼhⱼ for Gaussian ones, for <paramref name="rows"/>
    /// hidden vectors (states or probabilities), into <paramref name="mean"/> [rows, visible].
    /// </summary>
    public void VisibleMeans(ReadOnlySpan<float> h, int rows, Span<float> mean)
    {
        Check(h, rows, Hidden, "h"); Check(mean, rows, Visible, "mean");
        for (int r = 0; r < rows; r++) VisibleBias.CopyTo(mean.Slice(r * Visible, Visible));
        // [rows, visible] += h [rows, hidden] · Wᵀ, W stored [visible, hidden]
        Gemm.Sgemm(false, true, rows, Visible, Hidden, 1f, h, Hidden, Weight, Hidden, 1f, mean, Visible);
        if (VisibleUnits == VisibleUnits.Bernoulli) TensorPrimitives.Sigmoid(mean[..(rows * Visible)], mean);
    }

    /// <summary>
    /// Binary states from probabilities: dstₖ = 1 if uₖ &lt; pₖ else 0, with uₖ = <see cref="Rng.NextFloat"/> drawn
    /// in element order (so a test can replay the draws).
    /// </summary>
    public static void SampleBernoulli(ReadOnlySpan<float> p, Rng rng, Span<float> dst)
    {
        if (dst.Length < p.Length) throw new ArgumentException($"the destination holds {dst.Length} values, fewer than the {p.Length} probabilities");
        for (int k = 0; k < p.Length; k++) dst[k] = rng.NextFloat() < p[k] ? 1f : 0f;
    }

    /// <summary>
    /// Visible states from their conditional means: Bernoulli draws (<see cref="SampleBernoulli"/>), or for Gaussian
    /// units meanₖ + εₖ with εₖ = <see cref="Rng.NextGaussian"/> in element order.
    /// </summary>
    public void SampleVisible(ReadOnlySpan<float> mean, Rng rng, Span<float> dst)
    {
        if (VisibleUnits == VisibleUnits.Bernoulli) { SampleBernoulli(mean, rng, dst); return; }
        if (dst.Length < mean.Length) throw new ArgumentException($"the destination holds {dst.Length} values, fewer than the {mean.Length} means");
        for (int k = 0; k < mean.Length; k++) dst[k] = mean[k] + rng.NextGaussian();
    }

    /// <summary>
    /// The free energy F(v) = −log Σₕ e^(−E(v, h)) of each of <paramref name="rows"/> visible vectors, into
    /// <paramref name="f"/>: −bᵀv − Σⱼ softplus(cⱼ + Σᵢ vᵢWᵢⱼ) for Bernoulli units, ½‖v − b‖² − Σⱼ softplus(...) for
    /// Gaussian ones.
    /// </summary>
    public void FreeEnergy(ReadOnlySpan<float> v, int rows, Span<float> f)
    {
        if (f.Length < rows) throw new ArgumentException($"f holds {f.Length} values, fewer than the {rows} rows");
        var z = new float[rows * Hidden];
        HiddenInputs(v, rows, z);
        for (int r = 0; r < rows; r++)
        {
            var vr = v.Slice(r * Visible, Visible);
            double visibleTerm = 0;
            if (VisibleUnits == VisibleUnits.Bernoulli)
                visibleTerm = -TensorPrimitives.Dot(vr, VisibleBias);
            else
                for (int i = 0; i < Visible; i++) { double d = vr[i] - VisibleBias[i]; visibleTerm += 0.5 * d * d; }
            double hiddenTerm = 0;
            foreach (var zj in z.AsSpan(r * Hidden, Hidden)) hiddenTerm += Softplus(zj);
            f[r] = (float)(visibleTerm - hiddenTerm);
        }
    }

    /// <summary>
    /// The stochastic pseudo-log-likelihood of Bernoulli visible data, per example: for each row one visible unit
    /// i is drawn uniformly (<see cref="Rng.NextInt"/>), ṽ is v with vᵢ replaced by 1 − vᵢ, and the row scores
    /// Visible · log σ(F(ṽ) − F(v)), an unbiased estimate of Σᵢ log p(vᵢ | v₋ᵢ) for binary v (as scikit-learn's
    /// BernoulliRBM.score_samples; grey values in [0, 1] are used as they are). Returns the mean over rows; higher is better.
    /// </summary>
    /// <exception cref="InvalidOperationException">The visible units are Gaussian.</exception>
    public double PseudoLogLikelihood(ReadOnlySpan<float> v, int rows, Rng rng)
    {
        if (VisibleUnits != VisibleUnits.Bernoulli) throw new InvalidOperationException("the pseudo-log-likelihood is defined here for Bernoulli visible units only; use the free-energy gap for Gaussian ones");
        ArgumentNullException.ThrowIfNull(rng);
        if (rows == 0) return double.NaN;
        var z = new float[rows * Hidden];
        HiddenInputs(v, rows, z);
        double total = 0;
        for (int r = 0; r < rows; r++)
        {
            int i = rng.NextInt(Visible);
            float vi = v[r * Visible + i];
            float delta = 1f - 2f * vi; // ṽᵢ − vᵢ
            var zr = z.AsSpan(r * Hidden, Hidden);
            var wi = Weight.AsSpan(i * Hidden, Hidden);
            // F(ṽ) − F(v) = −bᵢ·δ − Σⱼ [softplus(zⱼ + δ·Wᵢⱼ) − softplus(zⱼ)]
            double gap = -VisibleBias[i] * delta;
            for (int j = 0; j < Hidden; j++) gap -= Softplus(zr[j] + delta * wi[j]) - Softplus(zr[j]);
            total += Visible * -Softplus(-gap); // log σ(x) = −softplus(−x)
        }
        return total / rows;
    }

    /// <summary>
    /// The mean squared error per element between <paramref name="rows"/> visible vectors and their mean-field
    /// reconstructions E[v | h = p(h | v)] (no sampling).
    /// </summary>
    public double ReconstructionError(ReadOnlySpan<float> v, int rows)
    {
        if (rows == 0) return double.NaN;
        var p = new float[rows * Hidden];
        var m = new float[rows * Visible];
        HiddenProbabilities(v, rows, p);
        VisibleMeans(p, rows, m);
        double sum = 0;
        var vv = v[..(rows * Visible)];
        for (int k = 0; k < m.Length; k++) { double d = m[k] - vv[k]; sum += d * d; }
        return sum / m.Length;
    }

    /// <summary>Copies W and c into a logistic Dense layer of matching shape (its weight [visible, hidden] and bias [hidden]).</summary>
    /// <exception cref="ArgumentException">The layer's shape differs, it has no bias, or its activation is not sigmoid.</exception>
    public void CopyTo(Dense layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        if (layer.Inputs != Visible || layer.Units != Hidden)
            throw new ArgumentException($"layer '{layer.Name}' is [{layer.Inputs}, {layer.Units}] but the RBM is [{Visible}, {Hidden}]");
        if (layer.Bias is null) throw new ArgumentException($"layer '{layer.Name}' has no bias to take the RBM's hidden biases");
        if (layer.Activation.Kind != ActivationKind.Sigmoid || !layer.Activation.IsFusable)
            throw new ArgumentException($"layer '{layer.Name}' must be logistic (sigmoid) to compute p(h | v): its activation is {layer.Activation.Name}");
        Weight.CopyTo(layer.Weight.Data);
        HiddenBias.CopyTo(layer.Bias.Data);
    }

    // softplus(x) = ln(1 + eˣ), stable for any x
    internal static double Softplus(double x) => Math.Max(x, 0) + Math.Log(1 + Math.Exp(-Math.Abs(x)));

    private static void Check(ReadOnlySpan<float> s, int rows, int width, string name)
    {
        if (rows < 0) throw new ArgumentOutOfRangeException(nameof(rows), $"rows must be >= 0: got {rows}");
        if (s.Length < (long)rows * width) throw new ArgumentException($"{name} holds {s.Length} values, fewer than {rows} rows × {width}");
    }
}
