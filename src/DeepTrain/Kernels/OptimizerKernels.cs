using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DeepTrain.Kernels;

/// <summary>
/// Fused optimizer updates over spans: one pass over the weights, the gradient and the state, instead of one
/// library call (and one trip through memory) per term of the update rule. Long spans are split between the
/// kernel threads (<see cref="Gemm.MaxThreads"/>) at multiples of 8 elements. Every element is computed by the same
/// sequence of IEEE operations (fused multiply-adds, a square root, divisions) in the vector body and in the scalar
/// tail, so the result depends neither on the split nor on the thread count.
/// </summary>
public static unsafe class OptimizerKernels
{
    /// <summary>Spans at least this long are split between the kernel threads.</summary>
    internal static int ParallelMinLength { get; set; } = 1 << 13;

    [ThreadStatic] private static AdamJob? t_adam;

    /// <summary>
    /// One Adam step (PyTorch's form) for every element i:
    /// <code>
    /// g ← g + λ·w                                  (λ = weightDecay; g itself is not written)
    /// m ← β1·m + (1 − β1)·g
    /// v ← β2·v + (1 − β2)·g²
    /// u ← max(vmax, v); vmax ← u                    (AMSGrad, when vmax is not empty; else u = v)
    /// w ← w − stepSize · m / (√u / sqrtCorrection2 + ε)
    /// </code>
    /// with stepSize = η/(1 − β1ᵗ) and sqrtCorrection2 = √(1 − β2ᵗ) computed by the caller.
    /// </summary>
    /// <param name="w">The weights, updated in place.</param>
    /// <param name="g">The gradient (same length).</param>
    /// <param name="m">The first moment, updated in place.</param>
    /// <param name="v">The second moment, updated in place.</param>
    /// <param name="vmax">AMSGrad's running maximum of v, updated in place; empty for plain Adam.</param>
    /// <param name="beta1">β1.</param>
    /// <param name="beta2">β2.</param>
    /// <param name="stepSize">η/(1 − β1ᵗ).</param>
    /// <param name="sqrtCorrection2">√(1 − β2ᵗ).</param>
    /// <param name="epsilon">ε, added to the bias-corrected √v.</param>
    /// <param name="weightDecay">λ (L2 added to the gradient); 0 for none.</param>
    /// <exception cref="ArgumentException">The spans' lengths differ.</exception>
    public static void Adam(Span<float> w, ReadOnlySpan<float> g, Span<float> m, Span<float> v, Span<float> vmax,
        float beta1, float beta2, float stepSize, float sqrtCorrection2, float epsilon, float weightDecay)
    {
        int n = w.Length;
        if (g.Length != n || m.Length != n || v.Length != n || (!vmax.IsEmpty && vmax.Length != n))
            throw new ArgumentException($"Adam: weights, gradient and state must have one length: got {n}, {g.Length}, {m.Length}, {v.Length}, {vmax.Length}");
        if (n == 0) return;
        fixed (float* pw = w, pg = g, pm = m, pv = v, px = vmax)
        {
            var job = t_adam ??= new AdamJob();
            job.W = pw; job.G = pg; job.M = pm; job.V = pv; job.VMax = vmax.IsEmpty ? null : px; job.N = n;
            job.Beta1 = beta1; job.Beta2 = beta2; job.StepSize = stepSize; job.C2 = sqrtCorrection2; job.Eps = epsilon; job.Wd = weightDecay;
            int parts = n >= ParallelMinLength ? Math.Min(Gemm.MaxThreads, n / 8) : 1;
            try
            {
                ParallelWorker.Run(job, Math.Max(1, parts));
            }
            finally
            {
                job.W = job.G = job.M = job.V = job.VMax = null;
            }
        }
    }

    private sealed class AdamJob : ParallelJob
    {
        public float* W, G, M, V, VMax;
        public int N;
        public float Beta1, Beta2, StepSize, C2, Eps, Wd;

        public override void Execute(int part, int parts)
        {
            int blocks = (N + 7) / 8;
            int from = (int)((long)blocks * part / parts) * 8, to = Math.Min(N, (int)((long)blocks * (part + 1) / parts) * 8);
            if (from < to) AdamRange(this, from, to);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AdamRange(AdamJob j, int from, int to)
    {
        float* w = j.W, g = j.G, m = j.M, v = j.V, vmax = j.VMax;
        float b1 = j.Beta1, b2 = j.Beta2, c1 = 1 - j.Beta1, c2 = 1 - j.Beta2, step = -j.StepSize, corr = j.C2, eps = j.Eps, wd = j.Wd;
        int i = from;
        if (Avx512F.IsSupported)
        {
            // 16 lanes: the divisions and the square root are the costly part, and they run at the same rate per
            // instruction on 16 lanes as on 8 here; the memory traffic is the same.
            Vector512<float> vb1 = Vector512.Create(b1), vb2 = Vector512.Create(b2), vc1 = Vector512.Create(c1), vc2 = Vector512.Create(c2);
            Vector512<float> vstep = Vector512.Create(step), vcorr = Vector512.Create(corr), veps = Vector512.Create(eps), vwd = Vector512.Create(wd);
            for (; i + 16 <= to; i += 16)
            {
                var wi = Vector512.Load(w + i);
                var gi = Vector512.Load(g + i);
                if (wd != 0f) gi = Avx512F.FusedMultiplyAdd(vwd, wi, gi);
                var mi = Avx512F.FusedMultiplyAdd(vb1, Vector512.Load(m + i), vc1 * gi);
                var vi = Avx512F.FusedMultiplyAdd(vb2, Vector512.Load(v + i), vc2 * gi * gi);
                mi.Store(m + i);
                vi.Store(v + i);
                if (vmax != null)
                {
                    vi = Avx512F.Max(Vector512.Load(vmax + i), vi);
                    vi.Store(vmax + i);
                }
                var s = Avx512F.Sqrt(vi) / vcorr + veps;
                Avx512F.FusedMultiplyAdd(vstep, mi / s, wi).Store(w + i);
            }
        }
        if (Avx.IsSupported && Fma.IsSupported)
        {
            Vector256<float> vb1 = Vector256.Create(b1), vb2 = Vector256.Create(b2), vc1 = Vector256.Create(c1), vc2 = Vector256.Create(c2);
            Vector256<float> vstep = Vector256.Create(step), vcorr = Vector256.Create(corr), veps = Vector256.Create(eps), vwd = Vector256.Create(wd);
            for (; i + 8 <= to; i += 8)
            {
                var wi = Avx.LoadVector256(w + i);
                var gi = Avx.LoadVector256(g + i);
                if (wd != 0f) gi = Fma.MultiplyAdd(vwd, wi, gi);
                var mi = Fma.MultiplyAdd(vb1, Avx.LoadVector256(m + i), Avx.Multiply(vc1, gi));
                var vi = Fma.MultiplyAdd(vb2, Avx.LoadVector256(v + i), Avx.Multiply(Avx.Multiply(vc2, gi), gi));
                Avx.Store(m + i, mi);
                Avx.Store(v + i, vi);
                if (vmax != null)
                {
                    vi = Avx.Max(Avx.LoadVector256(vmax + i), vi);
                    Avx.Store(vmax + i, vi);
                }
                var s = Avx.Add(Avx.Divide(Avx.Sqrt(vi), vcorr), veps);
                Avx.Store(w + i, Fma.MultiplyAdd(vstep, Avx.Divide(mi, s), wi));
            }
        }
        for (; i < to; i++)
        {
            float wi = w[i], gi = g[i];
            if (wd != 0f) gi = MathF.FusedMultiplyAdd(wd, wi, gi);
            float mi = MathF.FusedMultiplyAdd(b1, m[i], c1 * gi);
            float vi = MathF.FusedMultiplyAdd(b2, v[i], c2 * gi * gi);
            m[i] = mi;
            v[i] = vi;
            if (vmax != null)
            {
                vi = MathF.Max(vmax[i], vi);
                vmax[i] = vi;
            }
            float s = MathF.Sqrt(vi) / corr + eps;
            w[i] = MathF.FusedMultiplyAdd(step, mi / s, wi);
        }
    }
}
