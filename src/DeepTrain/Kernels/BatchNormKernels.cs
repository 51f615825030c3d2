using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DeepTrain.Kernels;

/// <summary>
/// Batch normalization over the rows of a row-major [n, c] batch, per column, forward and backward, in as few passes
/// over the batch as the statistics allow. Each column's sums run over the rows in order with the same IEEE
/// operations in the vector body and the scalar tail.
/// </summary>
/// <remarks>
/// The kernels run on the calling thread. Splitting the columns between two threads was slower at every size
/// measured (64×300 to 1024×300 and 256×1024, on the 2-vCPU development machine): each thread's rows share a cache
/// line with the other's at the split, in every row, and the work is too light to pay for the hand-over.
/// </remarks>
public static unsafe class BatchNormKernels
{
    [ThreadStatic] private static BnJob? t_job;

    /// <summary>
    /// Training-mode forward: per column j, μ = Σᵣ x/n, σ² = Σᵣ (x − μ)²/n, s = 1/√(σ² + ε), x̂ = (x − μ)·s,
    /// y = γ·x̂ + β (γ = 1 and β = 0 when empty).
    /// </summary>
    /// <param name="x">The batch [n, c].</param>
    /// <param name="n">Rows.</param>
    /// <param name="c">Columns.</param>
    /// <param name="gamma">γ [c], or empty.</param>
    /// <param name="beta">β [c], or empty.</param>
    /// <param name="epsilon">ε.</param>
    /// <param name="mean">Receives μ [c].</param>
    /// <param name="variance">Receives the biased σ² [c].</param>
    /// <param name="invStd">Receives s [c].</param>
    /// <param name="xhat">Receives x̂ [n, c].</param>
    /// <param name="y">Receives y [n, c].</param>
    public static void ForwardTraining(ReadOnlySpan<float> x, int n, int c, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, float epsilon,
        Span<float> mean, Span<float> variance, Span<float> invStd, Span<float> xhat, Span<float> y)
    {
        Check(x.Length, n, c, gamma.Length, beta.Length, mean.Length, variance.Length, invStd.Length, xhat.Length, y.Length);
        fixed (float* px = x, pg = gamma, pb = beta, pm = mean, pv = variance, ps = invStd, pxh = xhat, py = y)
        {
            var job = Job(BnJob.Mode.ForwardTraining, n, c);
            job.X = px; job.Gamma = gamma.IsEmpty ? null : pg; job.Beta = beta.IsEmpty ? null : pb; job.Mean = pm; job.Var = pv;
            job.InvStd = ps; job.XHat = pxh; job.Y = py; job.Epsilon = epsilon;
            Run(job);
        }
    }

    /// <summary>
    /// Inference-mode forward with fixed statistics: per column, s = 1/√(v + ε), x̂ = (x − m)·s, y = γ·x̂ + β.
    /// </summary>
    /// <param name="x">The batch [n, c].</param>
    /// <param name="n">Rows.</param>
    /// <param name="c">Columns.</param>
    /// <param name="gamma">γ [c], or empty.</param>
    /// <param name="beta">β [c], or empty.</param>
    /// <param name="epsilon">ε.</param>
    /// <param name="movingMean">m [c].</param>
    /// <param name="movingVar">v [c].</param>
    /// <param name="invStd">Receives s [c].</param>
    /// <param name="xhat">Receives x̂ [n, c].</param>
    /// <param name="y">Receives y [n, c].</param>
    public static void ForwardInference(ReadOnlySpan<float> x, int n, int c, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, float epsilon,
        ReadOnlySpan<float> movingMean, ReadOnlySpan<float> movingVar, Span<float> invStd, Span<float> xhat, Span<float> y)
    {
        Check(x.Length, n, c, gamma.Length, beta.Length, movingMean.Length, movingVar.Length, invStd.Length, xhat.Length, y.Length);
        fixed (float* px = x, pg = gamma, pb = beta, pm = movingMean, pv = movingVar, ps = invStd, pxh = xhat, py = y)
        {
            var job = Job(BnJob.Mode.ForwardInference, n, c);
            job.X = px; job.Gamma = gamma.IsEmpty ? null : pg; job.Beta = beta.IsEmpty ? null : pb; job.Mean = pm; job.Var = pv;
            job.InvStd = ps; job.XHat = pxh; job.Y = py; job.Epsilon = epsilon;
            Run(job);
        }
    }

    /// <summary>
    /// Backward: per column, Σdy and Σdy·x̂ are added to <paramref name="dBeta"/> and <paramref name="dGamma"/> (when
    /// not empty), and when <paramref name="dx"/> is not empty it accumulates, in training mode (μ and σ² depend on x),
    /// <c>dx += γ·s · (dy − Σdy/n − x̂·Σ(dy·x̂)/n)</c>, and in inference mode <c>dx += γ·s·dy</c>.
    /// </summary>
    /// <param name="dy">The gradient of y [n, c].</param>
    /// <param name="xhat">x̂ [n, c] from the forward.</param>
    /// <param name="invStd">s [c] from the forward.</param>
    /// <param name="n">Rows.</param>
    /// <param name="c">Columns.</param>
    /// <param name="gamma">γ [c], or empty (1).</param>
    /// <param name="training">Whether the forward used the batch statistics.</param>
    /// <param name="dGamma">dγ [c] (accumulated), or empty.</param>
    /// <param name="dBeta">dβ [c] (accumulated), or empty.</param>
    /// <param name="dx">dx [n, c] (accumulated), or empty.</param>
    /// <param name="accumulate">False to overwrite <paramref name="dx"/> (<c>=</c> instead of <c>+=</c>; its old
    /// contents are not read).</param>
    public static void Backward(ReadOnlySpan<float> dy, ReadOnlySpan<float> xhat, ReadOnlySpan<float> invStd, int n, int c, ReadOnlySpan<float> gamma,
        bool training, Span<float> dGamma, Span<float> dBeta, Span<float> dx, bool accumulate = true)
    {
        Check(dy.Length, n, c, gamma.Length, 0, invStd.Length, c, c, xhat.Length, dx.IsEmpty ? n * c : dx.Length);
        if ((!dGamma.IsEmpty && dGamma.Length != c) || (!dBeta.IsEmpty && dBeta.Length != c))
            throw new ArgumentException($"BatchNormKernels.Backward: dγ and dβ must hold {c} values: got {dGamma.Length} and {dBeta.Length}");
        fixed (float* pdy = dy, pxh = xhat, ps = invStd, pg = gamma, pdg = dGamma, pdb = dBeta, pdx = dx)
        {
            var job = Job(BnJob.Mode.Backward, n, c);
            job.Y = pdy; job.XHat = pxh; job.InvStd = ps; job.Gamma = gamma.IsEmpty ? null : pg;
            job.DGamma = dGamma.IsEmpty ? null : pdg; job.DBeta = dBeta.IsEmpty ? null : pdb; job.X = dx.IsEmpty ? null : pdx; job.Training = training;
            job.Accumulate = accumulate;
            Run(job);
        }
    }

    private static void Check(int xLength, int n, int c, int gammaLength, int betaLength, int s1, int s2, int s3, int xhatLength, int yLength)
    {
        if (n < 0 || c < 0 || xLength != n * c || xhatLength != n * c || yLength != n * c)
            throw new ArgumentException($"BatchNormKernels: the batch must be [n, c] = [{n}, {c}]: got spans of {xLength}, {xhatLength} and {yLength}");
        if ((gammaLength != 0 && gammaLength != c) || (betaLength != 0 && betaLength != c) || s1 != c || s2 != c || s3 != c)
            throw new ArgumentException($"BatchNormKernels: per-column spans must hold {c} values (γ and β may be empty)");
    }

    private static BnJob Job(BnJob.Mode mode, int n, int c)
    {
        var job = t_job ??= new BnJob();
        job.Kind = mode; job.N = n; job.C = c;
        return job;
    }

    private static void Run(BnJob job)
    {
        try
        {
            if (job.C == 0) return;
            switch (job.Kind)
            {
                case BnJob.Mode.ForwardTraining: ForwardTrainingRange(job, 0, job.C); break;
                case BnJob.Mode.ForwardInference: ForwardInferenceRange(job, 0, job.C); break;
                default: BackwardRange(job, 0, job.C); break;
            }
        }
        finally
        {
            job.X = job.Gamma = job.Beta = job.Mean = job.Var = job.InvStd = job.XHat = job.Y = job.DGamma = job.DBeta = null;
        }
    }

    // One call's arguments.
    private sealed class BnJob
    {
        public enum Mode { ForwardTraining, ForwardInference, Backward }
        public Mode Kind;
        public int N, C;
        public float Epsilon;
        public bool Training, Accumulate;
        // Backward reuses the slots: Y = dy, X = dx.
        public float* X, Gamma, Beta, Mean, Var, InvStd, XHat, Y, DGamma, DBeta;
    }

    private static bool UseAvx => Avx.IsSupported && Fma.IsSupported;

    // 16 lanes first where the CPU has them; every lane does what the 8-lane and scalar code do, so results are the same.
    private static bool Use512 => Vector512.IsHardwareAccelerated && UseAvx;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardTrainingRange(BnJob j, int from, int to)
    {
        int n = j.N, c = j.C;
        float* x = j.X, mean = j.Mean, var = j.Var, isd = j.InvStd;
        float invN = 1f / n;
        // μ: column sums over the rows, in row order.
        for (int k = from; k < to; k++) { mean[k] = 0f; var[k] = 0f; }
        for (int r = 0; r < n; r++)
        {
            float* xr = x + (nint)r * c;
            int k = from;
            if (Use512)
                for (; k + 16 <= to; k += 16) (Vector512.Load(mean + k) + Vector512.Load(xr + k)).Store(mean + k);
            if (UseAvx)
                for (; k + 8 <= to; k += 8) Avx.Store(mean + k, Avx.Add(Avx.LoadVector256(mean + k), Avx.LoadVector256(xr + k)));
            for (; k < to; k++) mean[k] += xr[k];
        }
        for (int k = from; k < to; k++) mean[k] *= invN;
        // σ²: Σ (x − μ)², fused multiply-adds in row order.
        for (int r = 0; r < n; r++)
        {
            float* xr = x + (nint)r * c;
            int k = from;
            if (Use512)
                for (; k + 16 <= to; k += 16)
                {
                    var d = Vector512.Load(xr + k) - Vector512.Load(mean + k);
                    Vector512.FusedMultiplyAdd(d, d, Vector512.Load(var + k)).Store(var + k);
                }
            if (UseAvx)
                for (; k + 8 <= to; k += 8)
                {
                    var d = Avx.Subtract(Avx.LoadVector256(xr + k), Avx.LoadVector256(mean + k));
                    Avx.Store(var + k, Fma.MultiplyAdd(d, d, Avx.LoadVector256(var + k)));
                }
            for (; k < to; k++) { float d = xr[k] - mean[k]; var[k] = MathF.FusedMultiplyAdd(d, d, var[k]); }
        }
        for (int k = from; k < to; k++)
        {
            var[k] *= invN;
            isd[k] = 1f / MathF.Sqrt(var[k] + j.Epsilon);
        }
        Normalize(j, from, to, mean);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardInferenceRange(BnJob j, int from, int to)
    {
        for (int k = from; k < to; k++) j.InvStd[k] = 1f / MathF.Sqrt(j.Var[k] + j.Epsilon);
        Normalize(j, from, to, j.Mean);
    }

    // x̂ = (x − μ)·s; y = γ·x̂ + β, one pass.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Normalize(BnJob j, int from, int to, float* mu)
    {
        int n = j.N, c = j.C;
        float* x = j.X, isd = j.InvStd, gamma = j.Gamma, beta = j.Beta;
        for (int r = 0; r < n; r++)
        {
            nint o = (nint)r * c;
            float* xr = x + o, xh = j.XHat + o, yr = j.Y + o;
            int k = from;
            if (Use512)
                for (; k + 16 <= to; k += 16)
                {
                    var h = (Vector512.Load(xr + k) - Vector512.Load(mu + k)) * Vector512.Load(isd + k);
                    h.Store(xh + k);
                    var g = gamma != null ? Vector512.Load(gamma + k) : Vector512<float>.One;
                    var b = beta != null ? Vector512.Load(beta + k) : Vector512<float>.Zero;
                    Vector512.FusedMultiplyAdd(h, g, b).Store(yr + k);
                }
            if (UseAvx)
                for (; k + 8 <= to; k += 8)
                {
                    var h = Avx.Multiply(Avx.Subtract(Avx.LoadVector256(xr + k), Avx.LoadVector256(mu + k)), Avx.LoadVector256(isd + k));
                    Avx.Store(xh + k, h);
                    var g = gamma != null ? Avx.LoadVector256(gamma + k) : Vector256<float>.One;
                    var b = beta != null ? Avx.LoadVector256(beta + k) : Vector256<float>.Zero;
                    Avx.Store(yr + k, Fma.MultiplyAdd(h, g, b));
                }
            for (; k < to; k++)
            {
                float h = (xr[k] - mu[k]) * isd[k];
                xh[k] = h;
                yr[k] = MathF.FusedMultiplyAdd(h, gamma != null ? gamma[k] : 1f, beta != null ? beta[k] : 0f);
            }
        }
    }

    // Column chunks keep the per-column scratch on the stack small.
    private static void BackwardRange(BnJob j, int from, int to)
    {
        for (int cs = from; cs < to; cs += 1024) BackwardChunk(j, cs, Math.Min(to, cs + 1024));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BackwardChunk(BnJob j, int from, int to)
    {
        int n = j.N, c = j.C;
        float* dy = j.Y, xh = j.XHat, isd = j.InvStd, gamma = j.Gamma, dx = j.X;
        // Column sums Σdy and Σdy·x̂ on the stack (c is a layer width: small).
        int w = to - from;
        float* sumDy = stackalloc float[w];
        float* sumDyXh = stackalloc float[w];
        for (int k = 0; k < w; k++) { sumDy[k] = 0f; sumDyXh[k] = 0f; }
        for (int r = 0; r < n; r++)
        {
            nint o = (nint)r * c + from;
            float* dyr = dy + o, xhr = xh + o;
            int k = 0;
            if (Use512)
                for (; k + 16 <= w; k += 16)
                {
                    var d = Vector512.Load(dyr + k);
                    (Vector512.Load(sumDy + k) + d).Store(sumDy + k);
                    Vector512.FusedMultiplyAdd(d, Vector512.Load(xhr + k), Vector512.Load(sumDyXh + k)).Store(sumDyXh + k);
                }
            if (UseAvx)
                for (; k + 8 <= w; k += 8)
                {
                    var d = Avx.LoadVector256(dyr + k);
                    Avx.Store(sumDy + k, Avx.Add(Avx.LoadVector256(sumDy + k), d));
                    Avx.Store(sumDyXh + k, Fma.MultiplyAdd(d, Avx.LoadVector256(xhr + k), Avx.LoadVector256(sumDyXh + k)));
                }
            for (; k < w; k++)
            {
                sumDy[k] += dyr[k];
                sumDyXh[k] = MathF.FusedMultiplyAdd(dyr[k], xhr[k], sumDyXh[k]);
            }
        }
        if (j.DBeta != null) for (int k = 0; k < w; k++) j.DBeta[from + k] += sumDy[k];
        if (j.DGamma != null) for (int k = 0; k < w; k++) j.DGamma[from + k] += sumDyXh[k];
        if (dx == null) return;
        // kk = γ·s per column; in training, the means of dy and dy·x̂ replace the sums.
        float* kk = stackalloc float[w];
        float invN = 1f / n;
        for (int k = 0; k < w; k++)
        {
            kk[k] = gamma != null ? gamma[from + k] * isd[from + k] : isd[from + k];
            sumDy[k] *= invN;
            sumDyXh[k] *= invN;
        }
        // dx = kk ⊙ t + dx, or kk ⊙ t when dx is written rather than added to (the same value when dx was zero)
        bool add = j.Accumulate;
        for (int r = 0; r < n; r++)
        {
            nint o = (nint)r * c + from;
            float* dyr = dy + o, xhr = xh + o, dxr = dx + o;
            int k = 0;
            if (j.Training)
            {
                if (Use512)
                    for (; k + 16 <= w; k += 16)
                    {
                        var t = Vector512.Load(dyr + k) - Vector512.Load(sumDy + k) - Vector512.Load(xhr + k) * Vector512.Load(sumDyXh + k);
                        var kv = Vector512.Load(kk + k);
                        (add ? Vector512.FusedMultiplyAdd(t, kv, Vector512.Load(dxr + k)) : t * kv).Store(dxr + k);
                    }
                if (UseAvx)
                    for (; k + 8 <= w; k += 8)
                    {
                        // t = dy − mean(dy) − x̂ ⊙ mean(dy·x̂)
                        var t = Avx.Subtract(Avx.Subtract(Avx.LoadVector256(dyr + k), Avx.LoadVector256(sumDy + k)),
                                             Avx.Multiply(Avx.LoadVector256(xhr + k), Avx.LoadVector256(sumDyXh + k)));
                        var kv = Avx.LoadVector256(kk + k);
                        Avx.Store(dxr + k, add ? Fma.MultiplyAdd(t, kv, Avx.LoadVector256(dxr + k)) : Avx.Multiply(t, kv));
                    }
                for (; k < w; k++)
                {
                    float t = dyr[k] - sumDy[k] - xhr[k] * sumDyXh[k];
                    dxr[k] = add ? MathF.FusedMultiplyAdd(t, kk[k], dxr[k]) : t * kk[k];
                }
            }
            else
            {
                if (Use512)
                    for (; k + 16 <= w; k += 16)
                    {
                        var d = Vector512.Load(dyr + k);
                        var kv = Vector512.Load(kk + k);
                        (add ? Vector512.FusedMultiplyAdd(d, kv, Vector512.Load(dxr + k)) : d * kv).Store(dxr + k);
                    }
                if (UseAvx)
                    for (; k + 8 <= w; k += 8)
                    {
                        var d = Avx.LoadVector256(dyr + k);
                        var kv = Avx.LoadVector256(kk + k);
                        Avx.Store(dxr + k, add ? Fma.MultiplyAdd(d, kv, Avx.LoadVector256(dxr + k)) : Avx.Multiply(d, kv));
                    }
                for (; k < w; k++) dxr[k] = add ? MathF.FusedMultiplyAdd(dyr[k], kk[k], dxr[k]) : dyr[k] * kk[k];
            }
        }
    }
}
