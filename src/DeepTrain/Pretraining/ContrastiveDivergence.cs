using DeepTrain.Kernels;
using DeepTrain.Tensors;

namespace DeepTrain.Pretraining;

/// <summary>
/// Trains an <see cref="Rbm"/> by contrastive divergence, CD-k (Hinton 2002), or persistent contrastive
/// divergence, PCD (Tieleman 2008), with optional momentum and weight decay (Hinton 2010, "A practical guide to
/// training RBMs"). One <see cref="Step"/> per mini-batch v⁰ of n rows:
/// <code>
/// positive phase:  p⁰ = p(h = 1 | v⁰) = σ(v⁰W + c)
/// negative phase:  start: CD: s = v⁰ (m = n chains);  PCD: s = the persistent chains (m chains, made from the first batch)
///                  h ~ Bernoulli(p(h | s))
///                  for t = 1..k:  vᵗ ~ p(v | h);  pᵗ = p(h = 1 | vᵗ);  if t &lt; k: h ~ Bernoulli(pᵗ)
///                  PCD: the chains become vᵏ
/// gradient:        ∇W = (1/n)·v⁰ᵀp⁰ − (1/m)·vᵏᵀpᵏ − λW         (λ: weight decay, on W only)
///                  ∇b = (1/n)·Σ v⁰ − (1/m)·Σ vᵏ
///                  ∇c = (1/n)·Σ p⁰ − (1/m)·Σ pᵏ
/// update:          Δθ ← μ·Δθ + ε·∇θ;   θ ← θ + Δθ               (μ: momentum, ε: learning rate; ascent on log-likelihood)
/// </code>
/// The data statistics use the hidden probabilities p⁰ and the model statistics the probabilities pᵏ, not sampled
/// states, which lowers the variance without biasing the estimate of the expectation over h. Sampling draws from
/// the one generator <see cref="Rng"/> in a fixed order: the starting hidden states (m × hidden draws, row-major),
/// then at each step t the visible states (m × visible), then, if t &lt; k, the hidden states.
/// </summary>
public sealed class ContrastiveDivergence
{
    private readonly float[] _velocityW, _velocityB, _velocityC, _gradW, _gradB, _gradC;
    private float[] _p0 = [], _h = [], _vMean = [], _vk = [], _pk = [];
    private float[]? _chains;
    private int _chainRows;

    /// <summary>Makes a trainer for <paramref name="rbm"/>.</summary>
    /// <param name="rbm">The machine to train (its parameters change in place).</param>
    /// <param name="rng">The generator of every sample.</param>
    /// <param name="learningRate">ε, &gt; 0.</param>
    /// <param name="k">Gibbs steps per update, ≥ 1.</param>
    /// <param name="persistent">PCD instead of CD.</param>
    /// <param name="momentum">μ in [0, 1).</param>
    /// <param name="weightDecay">λ ≥ 0 (an L2 penalty on W).</param>
    public ContrastiveDivergence(Rbm rbm, Rng rng, float learningRate = 0.05f, int k = 1, bool persistent = false, float momentum = 0f, float weightDecay = 0f)
    {
        Rbm = rbm ?? throw new ArgumentNullException(nameof(rbm));
        Rng = rng ?? throw new ArgumentNullException(nameof(rng));
        if (!(learningRate > 0 && float.IsFinite(learningRate))) throw new ArgumentOutOfRangeException(nameof(learningRate), $"the learning rate must be > 0: got {learningRate}");
        if (k < 1) throw new ArgumentOutOfRangeException(nameof(k), $"k (Gibbs steps) must be >= 1: got {k}");
        if (!(momentum >= 0 && momentum < 1)) throw new ArgumentOutOfRangeException(nameof(momentum), $"momentum must be in [0, 1): got {momentum}");
        if (!(weightDecay >= 0 && float.IsFinite(weightDecay))) throw new ArgumentOutOfRangeException(nameof(weightDecay), $"weight decay must be >= 0: got {weightDecay}");
        LearningRate = learningRate; K = k; Persistent = persistent; Momentum = momentum; WeightDecay = weightDecay;
        _velocityW = new float[rbm.Weight.Length]; _gradW = new float[rbm.Weight.Length];
        _velocityB = new float[rbm.Visible]; _gradB = new float[rbm.Visible];
        _velocityC = new float[rbm.Hidden]; _gradC = new float[rbm.Hidden];
    }

    /// <summary>The machine being trained.</summary>
    public Rbm Rbm { get; }
    /// <summary>The generator of every sample.</summary>
    public Rng Rng { get; }
    /// <summary>ε, the learning rate (settable between steps).</summary>
    public float LearningRate { get; set; }
    /// <summary>k, the Gibbs steps per update.</summary>
    public int K { get; }
    /// <summary>Whether the negative chains persist across updates (PCD).</summary>
    public bool Persistent { get; }
    /// <summary>μ, the momentum (settable between steps, e.g. 0.5 then 0.9).</summary>
    public float Momentum { get; set; }
    /// <summary>λ, the weight decay on W.</summary>
    public float WeightDecay { get; }
    /// <summary>The updates made so far.</summary>
    public long Steps { get; private set; }

    /// <summary>The persistent chains' visible states [chains, visible] (PCD, after the first step), else empty.</summary>
    public ReadOnlySpan<float> Chains => _chains is null ? ReadOnlySpan<float>.Empty : _chains.AsSpan(0, _chainRows * Rbm.Visible);

    /// <summary>One CD-k (or PCD-k) update from a mini-batch <paramref name="v0"/> of <paramref name="rows"/> visible vectors.</summary>
    public void Step(ReadOnlySpan<float> v0, int rows)
    {
        var rbm = Rbm;
        int nv = rbm.Visible, nh = rbm.Hidden;
        if (rows <= 0) throw new ArgumentOutOfRangeException(nameof(rows), $"rows must be > 0: got {rows}");
        if (v0.Length < rows * nv) throw new ArgumentException($"v0 holds {v0.Length} values, fewer than {rows} rows × {nv}");
        if (Persistent && _chains is null)
        {
            _chainRows = rows;
            _chains = v0[..(rows * nv)].ToArray();
        }
        int m = Persistent ? _chainRows : rows;
        Grow(ref _p0, rows * nh); Grow(ref _h, m * nh); Grow(ref _vMean, m * nv); Grow(ref _vk, m * nv); Grow(ref _pk, m * nh);

        // positive phase
        rbm.HiddenProbabilities(v0, rows, _p0);
        // negative phase: k steps of block Gibbs sampling from the start state
        if (Persistent) rbm.HiddenProbabilities(_chains, m, _pk);
        Rbm.SampleBernoulli(Persistent ? _pk.AsSpan(0, m * nh) : _p0.AsSpan(0, m * nh), Rng, _h);
        for (int t = 1; t <= K; t++)
        {
            rbm.VisibleMeans(_h, m, _vMean);
            rbm.SampleVisible(_vMean.AsSpan(0, m * nv), Rng, _vk);
            rbm.HiddenProbabilities(_vk, m, _pk);
            if (t < K) Rbm.SampleBernoulli(_pk.AsSpan(0, m * nh), Rng, _h);
        }
        if (Persistent) _vk.AsSpan(0, m * nv).CopyTo(_chains);
        ApplyUpdate(v0, _p0, rows, _vk, _pk, m);
    }

    /// <summary>
    /// The update from given statistics (the class's equations from "gradient:" on): <paramref name="v0"/> and
    /// <paramref name="p0"/> are the data batch and its hidden probabilities ([rows, visible], [rows, hidden]),
    /// <paramref name="vk"/> and <paramref name="pk"/> the negative samples and their hidden probabilities
    /// ([chains, visible], [chains, hidden]). <see cref="Step"/> calls it; tests call it with hand-made statistics.
    /// </summary>
    public void ApplyUpdate(ReadOnlySpan<float> v0, ReadOnlySpan<float> p0, int rows, ReadOnlySpan<float> vk, ReadOnlySpan<float> pk, int chains)
    {
        var rbm = Rbm;
        int nv = rbm.Visible, nh = rbm.Hidden;
        if (rows <= 0 || chains <= 0) throw new ArgumentOutOfRangeException(nameof(rows), $"rows and chains must be > 0: got {rows} and {chains}");
        if (v0.Length < rows * nv || p0.Length < rows * nh || vk.Length < chains * nv || pk.Length < chains * nh)
            throw new ArgumentException("a statistic holds fewer values than its rows × units");
        float invN = 1f / rows, invM = 1f / chains;
        // ∇W = (1/n)·v⁰ᵀp⁰ − (1/m)·vᵏᵀpᵏ (the −λW term is added with the update below)
        Gemm.Sgemm(true, false, nv, nh, rows, invN, v0, nv, p0, nh, 0f, _gradW, nh);
        Gemm.Sgemm(true, false, nv, nh, chains, -invM, vk, nv, pk, nh, 1f, _gradW, nh);
        // ∇b = (1/n)·Σ v⁰ − (1/m)·Σ vᵏ;  ∇c = (1/n)·Σ p⁰ − (1/m)·Σ pᵏ
        ColumnMeanDifference(v0, rows, vk, chains, nv, _gradB);
        ColumnMeanDifference(p0, rows, pk, chains, nh, _gradC);

        float eps = LearningRate, mu = Momentum, lambda = WeightDecay;
        var w = rbm.Weight;
        for (int i = 0; i < w.Length; i++)
        {
            _velocityW[i] = mu * _velocityW[i] + eps * (_gradW[i] - lambda * w[i]);
            w[i] += _velocityW[i];
        }
        var b = rbm.VisibleBias;
        for (int i = 0; i < b.Length; i++) { _velocityB[i] = mu * _velocityB[i] + eps * _gradB[i]; b[i] += _velocityB[i]; }
        var c = rbm.HiddenBias;
        for (int j = 0; j < c.Length; j++) { _velocityC[j] = mu * _velocityC[j] + eps * _gradC[j]; c[j] += _velocityC[j]; }
        Steps++;
    }

    // g[j] = mean over rows of a[:, j] − mean over rows of b[:, j]
    private static void ColumnMeanDifference(ReadOnlySpan<float> a, int rowsA, ReadOnlySpan<float> b, int rowsB, int width, Span<float> g)
    {
        g.Clear();
        Span<float> acc = g;
        float sa = 1f / rowsA, sb = 1f / rowsB;
        for (int r = 0; r < rowsA; r++)
        {
            var row = a.Slice(r * width, width);
            for (int j = 0; j < width; j++) acc[j] += sa * row[j];
        }
        for (int r = 0; r < rowsB; r++)
        {
            var row = b.Slice(r * width, width);
            for (int j = 0; j < width; j++) acc[j] -= sb * row[j];
        }
    }

    private static void Grow(ref float[] buffer, int length)
    {
        if (buffer.Length < length) buffer = new float[length];
    }
}
