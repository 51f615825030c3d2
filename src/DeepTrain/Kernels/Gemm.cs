using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DeepTrain.Kernels;

/// <summary>
/// Single-precision general matrix multiply (BLAS <c>sgemm</c>) on row-major matrices:
/// <c>C = alpha·op(A)·op(B) + beta·C</c>.
/// </summary>
/// <remarks>
/// BLIS-style: op(B) is packed into panels of 16-column strips and op(A) into 6-row micro-panels
/// (transposes are absorbed by the packing), and a 6×16 micro-kernel keeps 12
/// <see cref="Vector256{T}"/> accumulators in registers, fed by AVX2/FMA. Small problems skip
/// packing and read the operands in place. Machines without AVX2+FMA use a
/// <see cref="Vector{T}"/> kernel with the same blocking (a 6×32 AVX-512 kernel where the CPU has it).
/// Large problems are split over <see cref="MaxThreads"/> threads by an even share of the grid of
/// output tiles (column strips; row bands for tall outputs such as weight gradients); every output
/// element is computed by one thread with a fixed summation order. A layer's forward with k ≥ 2n
/// is split in depth instead, on any number of threads (<c>SplitDepth</c>). A single row (m = 1, one example
/// through a layer) skips the tile, which would compute it six times (<c>RowTimesMatrix</c>). Results are
/// bit-identical from run to run and do not depend on the thread count.
/// </remarks>
public static unsafe class Gemm
{
    internal const int MR = 6;        // rows of a micro-tile
    internal const int KC = 256;      // depth of a packed panel
    internal const int MC = 120;      // rows of a packed A block (multiple of MR)
    internal const int NC = 512;      // columns of a packed B panel (multiple of every NR)

    private static int s_maxThreads = Math.Min(2, Environment.ProcessorCount);

    [ThreadStatic] private static SgemmJob? t_job;
    [ThreadStatic] private static PackBuffers? t_buffers;

    /// <summary>
    /// The most threads one <see cref="Sgemm"/> call uses (the calling thread plus dedicated
    /// workers). Defaults to <c>min(2, Environment.ProcessorCount)</c>; must be in
    /// [1, <see cref="Environment.ProcessorCount"/>]. Problems too small to pay for a hand-over
    /// run on the calling thread alone.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside [1, ProcessorCount].</exception>
    public static int MaxThreads
    {
        get => s_maxThreads;
        set
        {
            if (value < 1 || value > Environment.ProcessorCount)
                throw new ArgumentOutOfRangeException(nameof(value), value,
                    $"MaxThreads must be in [1, {Environment.ProcessorCount}] (the processor count): got {value}");
            s_maxThreads = value;
        }
    }

    /// <summary>True when <see cref="Sgemm"/> runs its AVX2/FMA micro-kernel on this machine;
    /// false when it runs the portable <see cref="Vector{T}"/> kernel.</summary>
    public static bool IsAvx2Accelerated => UseAvx2;

    /// <summary>Forces the portable <see cref="Vector{T}"/> kernel even where AVX2/FMA exist, for calls made
    /// from the current thread (tests, benchmarks). Per thread, so concurrent tests do not disturb each other.</summary>
    internal static bool ForcePortable { get => t_forcePortable; set => t_forcePortable = value; }

    [ThreadStatic] private static bool t_forcePortable;

    /// <summary>True when <see cref="Sgemm"/> runs its AVX-512 micro-kernel (6×32 tiles) on this machine.</summary>
    public static bool IsAvx512Accelerated => UseAvx512;

    /// <summary>Keeps the AVX2 micro-kernel even where AVX-512 exists, for calls made from the current thread (tests,
    /// benchmarks). Both kernels compute every element with the same chain of fused multiply-adds, so they agree bit
    /// for bit.</summary>
    internal static bool ForceAvx2 { get => t_forceAvx2; set => t_forceAvx2 = value; }

    [ThreadStatic] private static bool t_forceAvx2;

    /// <summary>Below this many multiply-adds (m·n·k) a call runs on one thread. 64³ (2^18) split over two threads
    /// ran at 84 GFLOP/s against 185 on one; 128³ (2^21) gains from the split (292 against 171).</summary>
    internal static long ParallelThreshold { get; set; } = 1L << 19;

    /// <summary>Up to this many multiply-adds (m·n·k) operands are read in place rather than packed.</summary>
    internal static long NoPackThreshold { get; set; } = 1L << 24;

    private static bool UseAvx2 => Fma.IsSupported && Avx2.IsSupported && !ForcePortable;

    private static bool UseAvx512 => UseAvx2 && Avx512F.IsSupported && !ForceAvx2;

    /// <summary>
    /// Computes <c>C = alpha·op(A)·op(B) + beta·C</c> on row-major matrices, where op(A) is m×k,
    /// op(B) is k×n and C is m×n.
    /// </summary>
    /// <param name="transA">If true, A is stored k×m and op(A) = Aᵀ; otherwise A is stored m×k.</param>
    /// <param name="transB">If true, B is stored n×k and op(B) = Bᵀ; otherwise B is stored k×n.</param>
    /// <param name="m">Rows of op(A) and of C (≥ 0).</param>
    /// <param name="n">Columns of op(B) and of C (≥ 0).</param>
    /// <param name="k">Columns of op(A) and rows of op(B) (≥ 0).</param>
    /// <param name="alpha">Scale of the product.</param>
    /// <param name="a">The stored A.</param>
    /// <param name="lda">Row stride of the stored A (≥ its column count, and ≥ 1).</param>
    /// <param name="b">The stored B.</param>
    /// <param name="ldb">Row stride of the stored B (≥ its column count, and ≥ 1).</param>
    /// <param name="beta">Scale of the old C. When 0, C is overwritten without being read (NaN in C does not propagate).</param>
    /// <param name="c">C, read (unless beta is 0) and written.</param>
    /// <param name="ldc">Row stride of C (≥ n, and ≥ 1).</param>
    /// <exception cref="ArgumentException">A size is negative, a stride is too small, or a span is too short for its matrix.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        Validate(transA, transB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        if (m == 0 || n == 0) return;
        fixed (float* pc = c)
        {
            if (k == 0 || alpha == 0f)
            {
                ScaleC(m, n, beta, pc, ldc);
                return;
            }
            fixed (float* pa = a)
            fixed (float* pb = b)
            {
                SgemmJob job = t_job ??= new SgemmJob();
                // The 32-column AVX-512 tile only where n fills more than one 16-column AVX2 strip.
                job.Set(transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc, UseAvx2, UseAvx512 && n > 16);
                long work = (long)m * n * k;
                if (m == 1 && !transB && job.Avx)
                {
                    var row = t_rowJob ??= new RowJob();
                    row.Job = job;
                    try
                    {
                        // Two threads when each one's half of B is big enough to pay for the hand-over.
                        ParallelWorker.Run(row, work >= RowSplitMinWork ? Math.Min(s_maxThreads, (n + 15) / 16) : 1);
                    }
                    finally
                    {
                        row.Job = null;
                        job.Clear();
                    }
                    return;
                }
                if (!transA && !transB && k >= 2 * n && work >= DepthSplitMinWork && work <= DepthSplitMaxWork)
                {
                    SplitDepth(job);
                    return;
                }
                int threads = s_maxThreads;
                if (work < ParallelThreshold) threads = 1;
                threads = (int)Math.Min(threads, job.TotalTiles);
                try
                {
                    ParallelWorker.Run(job, Math.Max(1, threads));
                }
                finally
                {
                    job.Clear();
                }
            }
        }
    }

    /// <summary>
    /// Reference implementation of <see cref="Sgemm"/> (same arguments and semantics): a plain
    /// triple loop accumulating in double. Slow; for tests and checks.
    /// </summary>
    /// <param name="transA">If true, A is stored k×m and op(A) = Aᵀ; otherwise A is stored m×k.</param>
    /// <param name="transB">If true, B is stored n×k and op(B) = Bᵀ; otherwise B is stored k×n.</param>
    /// <param name="m">Rows of op(A) and of C (≥ 0).</param>
    /// <param name="n">Columns of op(B) and of C (≥ 0).</param>
    /// <param name="k">Columns of op(A) and rows of op(B) (≥ 0).</param>
    /// <param name="alpha">Scale of the product.</param>
    /// <param name="a">The stored A.</param>
    /// <param name="lda">Row stride of the stored A.</param>
    /// <param name="b">The stored B.</param>
    /// <param name="ldb">Row stride of the stored B.</param>
    /// <param name="beta">Scale of the old C; when 0, C is overwritten without being read.</param>
    /// <param name="c">C, read (unless beta is 0) and written.</param>
    /// <param name="ldc">Row stride of C.</param>
    /// <exception cref="ArgumentException">A size is negative, a stride is too small, or a span is too short for its matrix.</exception>
    public static void SgemmNaive(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        Validate(transA, transB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                if (alpha != 0f)
                {
                    for (int p = 0; p < k; p++)
                    {
                        float x = transA ? a[p * lda + i] : a[i * lda + p];
                        float y = transB ? b[j * ldb + p] : b[p * ldb + j];
                        s += (double)x * y;
                    }
                }
                ref float cij = ref c[i * ldc + j];
                double r = alpha * s;
                if (beta != 0f) r += (double)beta * cij;
                cij = (float)r;
            }
        }
    }

    // ---------------------------------------------------------------- validation

    private static void Validate(bool transA, bool transB, int m, int n, int k,
        int aLength, int lda, int bLength, int ldb, int cLength, int ldc)
    {
        if (m < 0) throw new ArgumentOutOfRangeException(nameof(m), m, $"m must be >= 0: got {m}");
        if (n < 0) throw new ArgumentOutOfRangeException(nameof(n), n, $"n must be >= 0: got {n}");
        if (k < 0) throw new ArgumentOutOfRangeException(nameof(k), k, $"k must be >= 0: got {k}");
        CheckMatrix("a", aLength, transA ? k : m, transA ? m : k, lda, "lda", transA ? "A (transA: stored k×m)" : "A (stored m×k)");
        CheckMatrix("b", bLength, transB ? n : k, transB ? k : n, ldb, "ldb", transB ? "B (transB: stored n×k)" : "B (stored k×n)");
        CheckMatrix("c", cLength, m, n, ldc, "ldc", "C (m×n)");
    }

    private static void CheckMatrix(string name, int length, int rows, int cols, int ld, string ldName, string what)
    {
        if (ld < Math.Max(1, cols))
            throw new ArgumentException(
                $"{ldName} must be >= max(1, {cols}), the column count of {what}: got {ldName} = {ld}", ldName);
        if (rows > 0 && cols > 0)
        {
            long need = (long)(rows - 1) * ld + cols;
            if (length < need)
                throw new ArgumentException(
                    $"{name} is too short: {what} with {rows} rows, {cols} columns and {ldName} = {ld} needs {need} floats, but {name}.Length = {length}", name);
        }
    }

    private static void ScaleC(int m, int n, float beta, float* c, int ldc)
    {
        for (int i = 0; i < m; i++)
        {
            var row = new Span<float>(c + (nint)i * ldc, n);
            if (beta == 0f) row.Clear();
            else if (beta != 1f)
                for (int j = 0; j < row.Length; j++) row[j] *= beta;
        }
    }

    // ---------------------------------------------------------------- driver

    /// <summary>Per-thread packing buffers, 64-byte aligned, grown on demand and then reused.</summary>
    private sealed class PackBuffers
    {
        private float[]? _aArray, _bArray, _sArray, _pArray;
        private float* _a, _b, _s, _p;
        private int _aCap, _bCap, _sCap, _pCap;

        public float* A(int floats) => Get(ref _aArray, ref _a, ref _aCap, floats);
        public float* B(int floats) => Get(ref _bArray, ref _b, ref _bCap, floats);
        public float* Strip(int floats) => Get(ref _sArray, ref _s, ref _sCap, floats);
        public float* Partial(int floats) => Get(ref _pArray, ref _p, ref _pCap, floats);

        private static float* Get(ref float[]? array, ref float* aligned, ref int capacity, int floats)
        {
            if (capacity < floats)
            {
                // Pinned (never moves), +16 floats for alignment, +16 for packers that write a little past the end.
                array = GC.AllocateUninitializedArray<float>(floats + 32, pinned: true);
                nint p = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array));
                aligned = (float*)((p + 63) & ~(nint)63);
                capacity = floats;
            }
            return aligned;
        }
    }

    /// <summary>One Sgemm call's arguments, shared by the threads that compute it.</summary>
    private sealed class SgemmJob : ParallelJob
    {
        public bool TransA, TransB, Avx, Avx512, PackA, PackB;
        public int M, N, K, Nr, Lda, Ldb, Ldc;
        public float Alpha, Beta;
        public float* A, B, C;
        public long TotalTiles;

        public void Set(bool transA, bool transB, int m, int n, int k, float alpha, float* a, int lda,
            float* b, int ldb, float beta, float* c, int ldc, bool avx, bool avx512)
        {
            TransA = transA; TransB = transB; M = m; N = n; K = k; Alpha = alpha; Beta = beta;
            A = a; B = b; C = c; Lda = lda; Ldb = ldb; Ldc = ldc; Avx = avx; Avx512 = avx512;
            Nr = avx512 ? 32 : avx ? 16 : 2 * Vector<float>.Count;
            // In place is faster up to about 256³ (measured), except that a transposed A whose
            // stride is a multiple of 64 floats maps its 6 reads per step onto few cache sets.
            bool small = (long)m * n * k <= NoPackThreshold && !(transA && lda % 64 == 0 && m > 64);
            PackA = !small;
            PackB = !small;
            TotalTiles = (long)((m + MR - 1) / MR) * ((n + Nr - 1) / Nr);
        }

        public void Clear()
        {
            A = B = C = null;
        }

        public override void Execute(int part, int parts)
        {
            if (parts > 1 && !PackA && M > N) ComputeRowBand(this, part, parts);
            else Compute(this, part, parts);
        }
    }

    /// <summary>
    /// Computes this thread's share of the output tiles. Tiles are numbered in the order the
    /// loops visit them (NC column block, then MC row block, then 16-column strip, then 6-row
    /// tile) and each thread takes one contiguous range of that numbering; it packs the B strips
    /// and A blocks its range touches into its own buffers, so the threads never wait on each other.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Compute(SgemmJob job, int part, int parts)
    {
        int m = job.M, n = job.N, k = job.K, nr = job.Nr;
        bool avx = job.Avx, avx512 = job.Avx512, packA = job.PackA, packB = job.PackB, transA = job.TransA, transB = job.TransB;
        float* a = job.A, b = job.B, c = job.C;
        nint lda = job.Lda, ldb = job.Ldb, ldc = job.Ldc;
        float alpha = job.Alpha;

        int mTiles = (m + MR - 1) / MR;
        long total = job.TotalTiles;
        long t0 = total * part / parts, t1 = total * (part + 1) / parts;
        if (t0 >= t1) return;

        // Row blocks: MC rows when A is packed, else all of m in one block.
        int blockTiles = packA ? MC / MR : mTiles;
        PackBuffers buffers = t_buffers ??= new PackBuffers();
        int kcMax = Math.Min(k, KC);
        float* aPack = packA ? buffers.A(MC * kcMax) : null;
        float* bPack = packB ? buffers.B(kcMax * Math.Min(NC, RoundUp(n, nr))) : null;
        float* strip = packB ? null : buffers.Strip(kcMax * nr);

        long jcBase = 0;
        for (int jc = 0; jc < n; jc += NC)
        {
            int nc = Math.Min(NC, n - jc);
            int nStrips = (nc + nr - 1) / nr;
            long jcTiles = (long)mTiles * nStrips;
            long lo = Math.Max(t0, jcBase), hi = Math.Min(t1, jcBase + jcTiles);
            jcBase += jcTiles;
            if (lo >= hi) continue;
            lo -= jcBase - jcTiles;
            hi -= jcBase - jcTiles;

            // Which strips of this column block does [lo, hi) touch?
            int jrFirst = int.MaxValue, jrLast = -1;
            for (int ib = 0; ib * blockTiles < mTiles; ib++)
            {
                int bt = Math.Min(blockTiles, mTiles - ib * blockTiles);
                long bBase = (long)ib * blockTiles * nStrips;
                long l = Math.Max(lo, bBase), h = Math.Min(hi, bBase + (long)bt * nStrips);
                if (l >= h) continue;
                jrFirst = Math.Min(jrFirst, (int)((l - bBase) / bt));
                jrLast = Math.Max(jrLast, (int)((h - 1 - bBase) / bt));
            }

            for (int pc = 0; pc < k; pc += KC)
            {
                int kc = Math.Min(KC, k - pc);
                float beta = pc == 0 ? job.Beta : 1f;

                if (packB)
                {
                    for (int jr = jrFirst; jr <= jrLast; jr++)
                    {
                        int col = jc + jr * nr;
                        PackB(transB, b, ldb, pc, col, kc, Math.Min(nr, n - col), nr, bPack + (nint)jr * kc * nr, avx);
                    }
                }

                for (int ib = 0; ib * blockTiles < mTiles; ib++)
                {
                    int bt = Math.Min(blockTiles, mTiles - ib * blockTiles);
                    long bBase = (long)ib * blockTiles * nStrips;
                    long l = Math.Max(lo, bBase), h = Math.Min(hi, bBase + (long)bt * nStrips);
                    if (l >= h) continue;
                    int row0 = ib * blockTiles * MR;
                    if (packA)
                        PackA(transA, a, lda, row0, pc, Math.Min(bt * MR, m - row0), kc, aPack, avx);

                    // A(i, p) = ap[o_i + p·csA] with o_0 = 0: packed micro-panels, or A read in place
                    // (transA: the 6 values of one p are adjacent; else the 6 rows are lda apart).
                    nint unitRow = packA || transA ? 1 : lda;
                    nint csA = packA ? MR : transA ? lda : 1;
                    int tl = (int)(l - bBase), th = (int)(h - bBase);
                    int jrA = tl / bt, jrB = (th - 1) / bt;
                    for (int jr = jrA; jr <= jrB; jr++)
                    {
                        int irFrom = jr == jrA ? tl % bt : 0;
                        int irTo = jr == jrB ? (th - 1) % bt + 1 : bt;
                        int col = jc + jr * nr;
                        int nrEff = Math.Min(nr, n - col);

                        nint rsB = nr;
                        float* bp = packB ? bPack + (nint)jr * kc * nr : StripOfB(transB, b, ldb, pc, col, kc, nrEff, nr, strip, avx, ref rsB);

                        for (int ir = irFrom; ir < irTo; ir++)
                        {
                            int row = row0 + ir * MR;
                            int mr = Math.Min(MR, m - row);
                            float* ap = packA ? aPack + (nint)ir * MR * kc : transA ? a + pc * lda + row : a + row * lda + pc;
                            Tile(kc, ap, unitRow, csA, packA, bp, rsB, c + row * ldc + col, ldc, mr, nrEff, alpha, beta, avx, avx512);
                        }
                    }
                }
            }
        }
    }

    [ThreadStatic] private static DepthSplitJob? t_depthJob;

    // Which products SplitDepth takes. Constants, not the tunable thresholds: the split changes the order in which the
    // k products are summed, so whether a shape is split must not depend on settings that tests and tuning change
    // (every other choice, packed or in place, one thread or two, gives the same bits).
    private const long DepthSplitMinWork = 1L << 18, DepthSplitMaxWork = 1L << 24;

    /// <summary>
    /// A layer's forward X·W with more inputs than outputs (k ≥ 2n, batch rows few: 64×784·784×300): C = X[:, :k/2]·W[:k/2]
    /// on one thread and P = X[:, k/2:]·W[k/2:] on the other, then C += P. Each thread reads only its half of W's rows,
    /// the half the optimizer's equal flat split updates on that thread, so the weights never cross between the cores
    /// (a split by columns would make each core read the rows the other core just wrote). P is m×n, small next to W.
    /// The same split runs on one thread, so the result does not depend on the thread count.
    /// </summary>
    private static void SplitDepth(SgemmJob job)
    {
        int m = job.M, n = job.N, k = job.K, k0 = k / 2;
        var split = t_depthJob ??= new DepthSplitJob();
        PackBuffers buffers = t_buffers ??= new PackBuffers();
        float* partial = buffers.Partial(m * n);
        split.Low.Set(false, false, m, n, k0, job.Alpha, job.A, job.Lda, job.B, job.Ldb, job.Beta, job.C, job.Ldc, job.Avx, job.Avx512);
        split.High.Set(false, false, m, n, k - k0, job.Alpha, job.A + k0, job.Lda, job.B + (nint)k0 * job.Ldb, job.Ldb, 0f, partial, n, job.Avx, job.Avx512);
        try
        {
            ParallelWorker.Run(split, Math.Min(2, s_maxThreads));
        }
        finally
        {
            split.Low.Clear();
            split.High.Clear();
        }
        // C += P: one call over the whole block when C's rows are contiguous (a layer's output), else row by row.
        int rows = job.Ldc == n ? 1 : m, width = job.Ldc == n ? m * n : n;
        for (int i = 0; i < rows; i++)
        {
            var cr = new Span<float>(job.C + (nint)i * job.Ldc, width);
            TensorPrimitives.Add(cr, new ReadOnlySpan<float>(partial + (nint)i * n, width), cr);
        }
    }

    /// <summary>
    /// One row times a matrix (m = 1, B not transposed: a single example through a layer). The 6-row tile would
    /// compute the row six times; this path runs each output column's chain once, 64 columns at a time. Every element
    /// gets exactly the tile kernels' arithmetic: per depth block of <see cref="KC"/>, a chain of fused multiply-adds
    /// from zero, then <c>acc·α</c> (β = 0) or <c>fma(acc, α, c·β)</c>, with β = 1 after the first block.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RowTimesMatrix(SgemmJob job, int from, int end)
    {
        int k = job.K;
        float* a = job.A, b = job.B, c = job.C;
        nint csA = job.TransA ? job.Lda : 1, ldb = job.Ldb;
        float alpha = job.Alpha;
        bool wide = Vector512.IsHardwareAccelerated && job.Avx512;
        var va = Vector512.Create(alpha);
        for (int pc = 0; pc < k; pc += KC)
        {
            int kc = Math.Min(KC, k - pc);
            float beta = pc == 0 ? job.Beta : 1f;
            var vb = Vector512.Create(beta);
            float* ap = a + pc * csA, bp = b + pc * ldb;
            int j = from;
            if (wide)
            {
                for (; j + 64 <= end; j += 64)
                {
                    Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default;
                    float* ak = ap, bk = bp + j;
                    for (int p = 0; p < kc; p++, ak += csA, bk += ldb)
                    {
                        var x = Vector512.Create(*ak);
                        s0 = Avx512F.FusedMultiplyAdd(x, Vector512.Load(bk), s0);
                        s1 = Avx512F.FusedMultiplyAdd(x, Vector512.Load(bk + 16), s1);
                        s2 = Avx512F.FusedMultiplyAdd(x, Vector512.Load(bk + 32), s2);
                        s3 = Avx512F.FusedMultiplyAdd(x, Vector512.Load(bk + 48), s3);
                    }
                    StoreRow512(c + j, s0, s1, va, vb, beta);
                    StoreRow512(c + j + 32, s2, s3, va, vb, beta);
                }
                for (; j + 16 <= end; j += 16)
                {
                    Vector512<float> s0 = default;
                    float* ak = ap, bk = bp + j;
                    for (int p = 0; p < kc; p++, ak += csA, bk += ldb)
                        s0 = Avx512F.FusedMultiplyAdd(Vector512.Create(*ak), Vector512.Load(bk), s0);
                    StoreScaled(c + j, s0, va, vb, beta);
                }
            }
            for (; j + 8 <= end; j += 8)
            {
                Vector256<float> s0 = default;
                float* ak = ap, bk = bp + j;
                for (int p = 0; p < kc; p++, ak += csA, bk += ldb)
                    s0 = Fma.MultiplyAdd(Vector256.Create(*ak), Avx.LoadVector256(bk), s0);
                var scaled = beta == 0f ? Avx.Multiply(s0, Vector256.Create(alpha))
                    : Fma.MultiplyAdd(s0, Vector256.Create(alpha), Avx.Multiply(Avx.LoadVector256(c + j), Vector256.Create(beta)));
                Avx.Store(c + j, scaled);
            }
            for (; j < end; j++)
            {
                float s = 0f;
                float* ak = ap, bk = bp + j;
                for (int p = 0; p < kc; p++, ak += csA, bk += ldb) s = MathF.FusedMultiplyAdd(*ak, *bk, s);
                c[j] = beta == 0f ? s * alpha : MathF.FusedMultiplyAdd(s, alpha, c[j] * beta);
            }
        }
    }

    [ThreadStatic] private static RowJob? t_rowJob;

    // From this many multiply-adds a one-row product is split in two column ranges (a fixed constant, like the depth
    // split's; the split does not change any element's arithmetic).
    private const long RowSplitMinWork = 1L << 17;

    /// <summary>Columns of a one-row product in 16-column units, one range per thread.</summary>
    private sealed class RowJob : ParallelJob
    {
        public SgemmJob? Job;

        public override void Execute(int part, int parts)
        {
            int units = (Job!.N + 15) / 16;
            int from = (int)((long)units * part / parts) * 16, to = Math.Min(Job.N, (int)((long)units * (part + 1) / parts) * 16);
            if (from < to) RowTimesMatrix(Job, from, to);
        }
    }

    /// <summary>The two halves of <see cref="SplitDepth"/>: part 0 the first, the last part the second (one thread: both).</summary>
    private sealed class DepthSplitJob : ParallelJob
    {
        public readonly SgemmJob Low = new(), High = new();

        public override void Execute(int part, int parts)
        {
            if (part == 0) Compute(Low, 0, 1);
            if (part == parts - 1) Compute(High, 0, 1);
        }
    }

    /// <summary>
    /// The in-place path for a tall output (m &gt; n: a weight gradient Xᵀ·dZ, whose rows are the layer's inputs): each
    /// thread computes a band of whole rows, all strips. Its share of the gradient is then a contiguous run of memory,
    /// the same run that an element-wise update split into equal flat parts (the optimizer) gives the same thread,
    /// so the gradient never has to cross to the other core. Wide outputs keep the strip split of
    /// <see cref="Compute"/>, where each thread reads only its columns of B.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ComputeRowBand(SgemmJob job, int part, int parts)
    {
        int m = job.M, n = job.N, k = job.K, nr = job.Nr;
        bool avx = job.Avx, avx512 = job.Avx512, transA = job.TransA, transB = job.TransB;
        float* a = job.A, b = job.B, c = job.C;
        nint lda = job.Lda, ldb = job.Ldb, ldc = job.Ldc;
        float alpha = job.Alpha;
        int mTiles = (m + MR - 1) / MR;
        int ir0 = (int)((long)mTiles * part / parts), ir1 = (int)((long)mTiles * (part + 1) / parts);
        if (ir0 >= ir1) return;
        float* strip = (t_buffers ??= new PackBuffers()).Strip(Math.Min(k, KC) * nr);
        nint unitRow = transA ? 1 : lda, csA = transA ? lda : 1;
        for (int pc = 0; pc < k; pc += KC)
        {
            int kc = Math.Min(KC, k - pc);
            float beta = pc == 0 ? job.Beta : 1f;
            for (int col = 0; col < n; col += nr)
            {
                int nrEff = Math.Min(nr, n - col);
                nint rsB = nr;
                float* bp = StripOfB(transB, b, ldb, pc, col, kc, nrEff, nr, strip, avx, ref rsB);
                for (int ir = ir0; ir < ir1; ir++)
                {
                    int row = ir * MR;
                    int mr = Math.Min(MR, m - row);
                    float* ap = transA ? a + pc * lda + row : a + row * lda + pc;
                    Tile(kc, ap, unitRow, csA, packed: false, bp, rsB, c + row * ldc + col, ldc, mr, nrEff, alpha, beta, avx, avx512);
                }
            }
        }
    }

    /// <summary>
    /// The B strip of columns [col, col + nrEff) and depths [pc, pc + kc) for a tile, read in place when it is a full
    /// strip of an untransposed B (<paramref name="rowStride"/> becomes ldb), else packed into <paramref name="strip"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float* StripOfB(bool transB, float* b, nint ldb, int pc, int col, int kc, int nrEff, int nr, float* strip, bool avx, ref nint rowStride)
    {
        if (!transB && nrEff == nr)
        {
            rowStride = ldb;
            return b + pc * ldb + col;
        }
        PackB(transB, b, ldb, pc, col, kc, nrEff, nr, strip, avx);
        return strip;
    }

    /// <summary>
    /// One micro-tile: the six row offsets of A (rows past m repeat the last row when A is read in place; their
    /// results are never stored), then the kernel for this CPU.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile(int kc, float* ap, nint unitRow, nint csA, bool packed, float* bp, nint rsB, float* cp, nint ldc,
        int mr, int nrEff, float alpha, float beta, bool avx, bool avx512)
    {
        nint o1 = unitRow, o2 = 2 * unitRow, o3 = 3 * unitRow, o4 = 4 * unitRow, o5 = 5 * unitRow;
        if (mr < MR && !packed)
        {
            o1 = Math.Min(1, mr - 1) * unitRow; o2 = Math.Min(2, mr - 1) * unitRow;
            o3 = Math.Min(3, mr - 1) * unitRow; o4 = Math.Min(4, mr - 1) * unitRow;
            o5 = Math.Min(5, mr - 1) * unitRow;
        }
        if (avx512)
            KernelAvx512(kc, ap, o1, o2, o3, o4, o5, csA, bp, rsB, cp, ldc, mr, nrEff, alpha, beta);
        else if (avx)
            KernelAvx2(kc, ap, o1, o2, o3, o4, o5, csA, bp, rsB, cp, ldc, mr, nrEff, alpha, beta);
        else
            KernelPortable(kc, ap, o1, o2, o3, o4, o5, csA, bp, rsB, cp, ldc, mr, nrEff, alpha, beta);
    }

    private static int RoundUp(int x, int multiple) => (x + multiple - 1) / multiple * multiple;

    // ---------------------------------------------------------------- packing

    /// <summary>
    /// Packs op(A)[row0 .. row0+rows, pc .. pc+kc) as 6-row micro-panels: panel r holds, for each
    /// p, the 6 values op(A)(row0+6r+i, pc+p) side by side. Rows past the end are zero.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackA(bool transA, float* a, nint lda, int row0, int pc, int rows, int kc, float* dst, bool avx)
    {
        for (int r = 0; r < rows; r += MR)
        {
            int mr = Math.Min(MR, rows - r);
            float* d = dst + (nint)r * kc;
            if (transA)
            {
                float* s = a + pc * lda + row0 + r;
                if (mr == MR)
                {
                    for (int p = 0; p < kc; p++, s += lda, d += MR)
                    {
                        // 4 + 2 floats; rows of the stored A are contiguous in i.
                        *(Vector128<float>*)d = Vector128.Load(s);
                        *(long*)(d + 4) = *(long*)(s + 4);
                    }
                }
                else
                {
                    for (int p = 0; p < kc; p++, s += lda, d += MR)
                        for (int i = 0; i < MR; i++) d[i] = i < mr ? s[i] : 0f;
                }
            }
            else
            {
                float* s = a + (row0 + r) * lda + pc;
                if (mr == MR && avx)
                {
                    PackA6Avx(s, lda, kc, d);
                }
                else
                {
                    for (int i = 0; i < MR; i++)
                    {
                        float* si = s + i * lda;
                        if (i < mr)
                            for (int p = 0; p < kc; p++) d[p * MR + i] = si[p];
                        else
                            for (int p = 0; p < kc; p++) d[p * MR + i] = 0f;
                    }
                }
            }
        }
    }

    /// <summary>Interleaves 6 rows (stride lda) of kc floats: d[p·6 + i] = s[i·lda + p], 8 p at a time by an 8×8 transpose.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackA6Avx(float* s, nint lda, int kc, float* d)
    {
        float* s0 = s, s1 = s + lda, s2 = s + 2 * lda, s3 = s + 3 * lda, s4 = s + 4 * lda, s5 = s + 5 * lda;
        int p = 0;
        for (; p + 8 <= kc; p += 8)
        {
            Transpose8(Avx.LoadVector256(s0 + p), Avx.LoadVector256(s1 + p), Avx.LoadVector256(s2 + p),
                Avx.LoadVector256(s3 + p), Avx.LoadVector256(s4 + p), Avx.LoadVector256(s5 + p),
                Vector256<float>.Zero, Vector256<float>.Zero,
                out var r0, out var r1, out var r2, out var r3, out var r4, out var r5, out var r6, out var r7);
            // Each column (fixed p) is 6 useful floats; 8-float stores overlap the next column,
            // which is written after. The buffer has room for the last store's 2 extra floats.
            float* q = d + p * MR;
            Avx.Store(q, r0);
            Avx.Store(q + 6, r1);
            Avx.Store(q + 12, r2);
            Avx.Store(q + 18, r3);
            Avx.Store(q + 24, r4);
            Avx.Store(q + 30, r5);
            Avx.Store(q + 36, r6);
            Avx.Store(q + 42, r7);
        }
        for (; p < kc; p++)
        {
            float* q = d + p * MR;
            q[0] = s0[p]; q[1] = s1[p]; q[2] = s2[p]; q[3] = s3[p]; q[4] = s4[p]; q[5] = s5[p];
        }
    }

    /// <summary>
    /// Packs op(B)[pc .. pc+kc, col .. col+cols) as one strip of nr columns: for each p, nr
    /// consecutive floats, zero past <paramref name="cols"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackB(bool transB, float* b, nint ldb, int pc, int col, int kc, int cols, int nr, float* dst, bool avx)
    {
        if (!transB)
        {
            float* s = b + pc * ldb + col;
            if (cols == nr && nr % 8 == 0 && avx)
            {
                for (int p = 0; p < kc; p++, s += ldb, dst += nr)
                    for (int h = 0; h < nr; h += 8)
                        Avx.Store(dst + h, Avx.LoadVector256(s + h));
            }
            else
            {
                for (int p = 0; p < kc; p++, s += ldb, dst += nr)
                {
                    int j = 0;
                    if (cols == nr)
                        for (; j + Vector<float>.Count <= nr; j += Vector<float>.Count)
                            *(Vector<float>*)(dst + j) = *(Vector<float>*)(s + j);
                    for (; j < cols; j++) dst[j] = s[j];
                    for (; j < nr; j++) dst[j] = 0f;
                }
            }
        }
        else
        {
            // op(B)(p, j) = b[j·ldb + p]: transpose 8×8 blocks.
            float* s = b + col * ldb + pc;
            if (cols == nr && nr % 8 == 0 && avx)
            {
                int p = 0;
                for (; p + 8 <= kc; p += 8)
                {
                    for (int h = 0; h < nr; h += 8)
                    {
                        float* sh = s + h * ldb + p;
                        Transpose8(Avx.LoadVector256(sh), Avx.LoadVector256(sh + ldb), Avx.LoadVector256(sh + 2 * ldb),
                            Avx.LoadVector256(sh + 3 * ldb), Avx.LoadVector256(sh + 4 * ldb), Avx.LoadVector256(sh + 5 * ldb),
                            Avx.LoadVector256(sh + 6 * ldb), Avx.LoadVector256(sh + 7 * ldb),
                            out var r0, out var r1, out var r2, out var r3, out var r4, out var r5, out var r6, out var r7);
                        float* q = dst + p * nr + h;
                        Avx.Store(q, r0);
                        Avx.Store(q + nr, r1);
                        Avx.Store(q + 2 * nr, r2);
                        Avx.Store(q + 3 * nr, r3);
                        Avx.Store(q + 4 * nr, r4);
                        Avx.Store(q + 5 * nr, r5);
                        Avx.Store(q + 6 * nr, r6);
                        Avx.Store(q + 7 * nr, r7);
                    }
                }
                for (; p < kc; p++)
                    for (int j = 0; j < nr; j++) dst[p * nr + j] = s[j * ldb + p];
            }
            else
            {
                for (int j = 0; j < nr; j++)
                {
                    if (j < cols)
                    {
                        float* sj = s + j * ldb;
                        for (int p = 0; p < kc; p++) dst[p * nr + j] = sj[p];
                    }
                    else
                    {
                        for (int p = 0; p < kc; p++) dst[p * nr + j] = 0f;
                    }
                }
            }
        }
    }

    /// <summary>8×8 transpose: output r_j holds element j of each input row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8(Vector256<float> x0, Vector256<float> x1, Vector256<float> x2, Vector256<float> x3,
        Vector256<float> x4, Vector256<float> x5, Vector256<float> x6, Vector256<float> x7,
        out Vector256<float> r0, out Vector256<float> r1, out Vector256<float> r2, out Vector256<float> r3,
        out Vector256<float> r4, out Vector256<float> r5, out Vector256<float> r6, out Vector256<float> r7)
    {
        var t0 = Avx.UnpackLow(x0, x1);   // 00 10 01 11 | 04 14 05 15
        var t1 = Avx.UnpackHigh(x0, x1);  // 02 12 03 13 | 06 16 07 17
        var t2 = Avx.UnpackLow(x2, x3);
        var t3 = Avx.UnpackHigh(x2, x3);
        var t4 = Avx.UnpackLow(x4, x5);
        var t5 = Avx.UnpackHigh(x4, x5);
        var t6 = Avx.UnpackLow(x6, x7);
        var t7 = Avx.UnpackHigh(x6, x7);
        var u0 = Avx.Shuffle(t0, t2, 0x44); // 00 10 20 30 | 04 14 24 34
        var u1 = Avx.Shuffle(t0, t2, 0xEE); // 01 11 21 31 | 05 ...
        var u2 = Avx.Shuffle(t1, t3, 0x44); // 02 ...      | 06 ...
        var u3 = Avx.Shuffle(t1, t3, 0xEE); // 03 ...      | 07 ...
        var u4 = Avx.Shuffle(t4, t6, 0x44);
        var u5 = Avx.Shuffle(t4, t6, 0xEE);
        var u6 = Avx.Shuffle(t5, t7, 0x44);
        var u7 = Avx.Shuffle(t5, t7, 0xEE);
        r0 = Avx.Permute2x128(u0, u4, 0x20);
        r1 = Avx.Permute2x128(u1, u5, 0x20);
        r2 = Avx.Permute2x128(u2, u6, 0x20);
        r3 = Avx.Permute2x128(u3, u7, 0x20);
        r4 = Avx.Permute2x128(u0, u4, 0x31);
        r5 = Avx.Permute2x128(u1, u5, 0x31);
        r6 = Avx.Permute2x128(u2, u6, 0x31);
        r7 = Avx.Permute2x128(u3, u7, 0x31);
    }

    // ---------------------------------------------------------------- micro-kernels

    /// <summary>
    /// C[0..mr, 0..nr) = alpha·Σ_p A(i,p)·B(p,j) + beta·C, where A(i,p) = a[o_i + p·csA] (o_0 = 0)
    /// and B(p, 0..16) = b[p·rsB ..]. 12 accumulators, 2 B loads and 6 broadcasts per p.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void KernelAvx2(nint kc, float* a, nint o1, nint o2, nint o3, nint o4, nint o5, nint csA,
        float* b, nint rsB, float* c, nint ldc, int mr, int nr, float alpha, float beta)
    {
        // The C tile is needed only at the end; start its cache lines moving now.
        {
            float* cr = c;
            for (int i = 0; i < mr; i++, cr += ldc)
            {
                Sse.Prefetch0(cr);
                Sse.Prefetch0(cr + 15);
            }
        }

        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        Vector256<float> b0, b1, x;
        nint p = 0;
        // Two steps per trip: fewer loop overheads (measured +1-2%).
        for (; p + 2 <= kc; p += 2)
        {
            b0 = Avx.LoadVector256(b);
            b1 = Avx.LoadVector256(b + 8);
            x = Vector256.Create(a[0]);
            c00 = Fma.MultiplyAdd(x, b0, c00);
            c01 = Fma.MultiplyAdd(x, b1, c01);
            x = Vector256.Create(a[o1]);
            c10 = Fma.MultiplyAdd(x, b0, c10);
            c11 = Fma.MultiplyAdd(x, b1, c11);
            x = Vector256.Create(a[o2]);
            c20 = Fma.MultiplyAdd(x, b0, c20);
            c21 = Fma.MultiplyAdd(x, b1, c21);
            x = Vector256.Create(a[o3]);
            c30 = Fma.MultiplyAdd(x, b0, c30);
            c31 = Fma.MultiplyAdd(x, b1, c31);
            x = Vector256.Create(a[o4]);
            c40 = Fma.MultiplyAdd(x, b0, c40);
            c41 = Fma.MultiplyAdd(x, b1, c41);
            x = Vector256.Create(a[o5]);
            c50 = Fma.MultiplyAdd(x, b0, c50);
            c51 = Fma.MultiplyAdd(x, b1, c51);
            a += csA;
            b += rsB;
            b0 = Avx.LoadVector256(b);
            b1 = Avx.LoadVector256(b + 8);
            x = Vector256.Create(a[0]);
            c00 = Fma.MultiplyAdd(x, b0, c00);
            c01 = Fma.MultiplyAdd(x, b1, c01);
            x = Vector256.Create(a[o1]);
            c10 = Fma.MultiplyAdd(x, b0, c10);
            c11 = Fma.MultiplyAdd(x, b1, c11);
            x = Vector256.Create(a[o2]);
            c20 = Fma.MultiplyAdd(x, b0, c20);
            c21 = Fma.MultiplyAdd(x, b1, c21);
            x = Vector256.Create(a[o3]);
            c30 = Fma.MultiplyAdd(x, b0, c30);
            c31 = Fma.MultiplyAdd(x, b1, c31);
            x = Vector256.Create(a[o4]);
            c40 = Fma.MultiplyAdd(x, b0, c40);
            c41 = Fma.MultiplyAdd(x, b1, c41);
            x = Vector256.Create(a[o5]);
            c50 = Fma.MultiplyAdd(x, b0, c50);
            c51 = Fma.MultiplyAdd(x, b1, c51);
            a += csA;
            b += rsB;
        }
        for (; p < kc; p++)
        {
            b0 = Avx.LoadVector256(b);
            b1 = Avx.LoadVector256(b + 8);
            x = Vector256.Create(a[0]);
            c00 = Fma.MultiplyAdd(x, b0, c00);
            c01 = Fma.MultiplyAdd(x, b1, c01);
            x = Vector256.Create(a[o1]);
            c10 = Fma.MultiplyAdd(x, b0, c10);
            c11 = Fma.MultiplyAdd(x, b1, c11);
            x = Vector256.Create(a[o2]);
            c20 = Fma.MultiplyAdd(x, b0, c20);
            c21 = Fma.MultiplyAdd(x, b1, c21);
            x = Vector256.Create(a[o3]);
            c30 = Fma.MultiplyAdd(x, b0, c30);
            c31 = Fma.MultiplyAdd(x, b1, c31);
            x = Vector256.Create(a[o4]);
            c40 = Fma.MultiplyAdd(x, b0, c40);
            c41 = Fma.MultiplyAdd(x, b1, c41);
            x = Vector256.Create(a[o5]);
            c50 = Fma.MultiplyAdd(x, b0, c50);
            c51 = Fma.MultiplyAdd(x, b1, c51);
            a += csA;
            b += rsB;
        }

        Vector256<float> va = Vector256.Create(alpha);
        if (mr == MR && nr == 16)
        {
            if (beta == 0f)
            {
                StoreRow(c, c00, c01, va);
                StoreRow(c + ldc, c10, c11, va);
                StoreRow(c + 2 * ldc, c20, c21, va);
                StoreRow(c + 3 * ldc, c30, c31, va);
                StoreRow(c + 4 * ldc, c40, c41, va);
                StoreRow(c + 5 * ldc, c50, c51, va);
            }
            else
            {
                Vector256<float> vb = Vector256.Create(beta);
                StoreRow(c, c00, c01, va, vb);
                StoreRow(c + ldc, c10, c11, va, vb);
                StoreRow(c + 2 * ldc, c20, c21, va, vb);
                StoreRow(c + 3 * ldc, c30, c31, va, vb);
                StoreRow(c + 4 * ldc, c40, c41, va, vb);
                StoreRow(c + 5 * ldc, c50, c51, va, vb);
            }
        }
        else
        {
            Vector256<int> lane = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7);
            Vector256<float> m0 = Vector256.LessThan(lane, Vector256.Create(nr)).AsSingle();
            Vector256<float> m1 = Vector256.LessThan(lane, Vector256.Create(nr - 8)).AsSingle();
            StoreRowMasked(c, c00, c01, va, beta, m0, m1);
            if (mr > 1) StoreRowMasked(c + ldc, c10, c11, va, beta, m0, m1);
            if (mr > 2) StoreRowMasked(c + 2 * ldc, c20, c21, va, beta, m0, m1);
            if (mr > 3) StoreRowMasked(c + 3 * ldc, c30, c31, va, beta, m0, m1);
            if (mr > 4) StoreRowMasked(c + 4 * ldc, c40, c41, va, beta, m0, m1);
            if (mr > 5) StoreRowMasked(c + 5 * ldc, c50, c51, va, beta, m0, m1);
        }
    }

    /// <summary>
    /// The AVX-512 twin of <see cref="KernelAvx2"/>: a 6×32 tile in 12 <see cref="Vector512{T}"/> accumulators, 2 B
    /// loads and 6 broadcasts per p. Each lane runs the same fused multiply-add chain over p as the AVX2 kernel, so
    /// the two give identical results; this one does twice the work per instruction.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void KernelAvx512(nint kc, float* a, nint o1, nint o2, nint o3, nint o4, nint o5, nint csA,
        float* b, nint rsB, float* c, nint ldc, int mr, int nr, float alpha, float beta)
    {
        {
            float* cr = c;
            for (int i = 0; i < mr; i++, cr += ldc)
            {
                Sse.Prefetch0(cr);
                Sse.Prefetch0(cr + 16);
                Sse.Prefetch0(cr + 31);
            }
        }

        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector512<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        Vector512<float> b0, b1, x;
        for (nint p = 0; p < kc; p++)
        {
            b0 = Vector512.Load(b);
            b1 = Vector512.Load(b + 16);
            x = Vector512.Create(a[0]);
            c00 = Avx512F.FusedMultiplyAdd(x, b0, c00);
            c01 = Avx512F.FusedMultiplyAdd(x, b1, c01);
            x = Vector512.Create(a[o1]);
            c10 = Avx512F.FusedMultiplyAdd(x, b0, c10);
            c11 = Avx512F.FusedMultiplyAdd(x, b1, c11);
            x = Vector512.Create(a[o2]);
            c20 = Avx512F.FusedMultiplyAdd(x, b0, c20);
            c21 = Avx512F.FusedMultiplyAdd(x, b1, c21);
            x = Vector512.Create(a[o3]);
            c30 = Avx512F.FusedMultiplyAdd(x, b0, c30);
            c31 = Avx512F.FusedMultiplyAdd(x, b1, c31);
            x = Vector512.Create(a[o4]);
            c40 = Avx512F.FusedMultiplyAdd(x, b0, c40);
            c41 = Avx512F.FusedMultiplyAdd(x, b1, c41);
            x = Vector512.Create(a[o5]);
            c50 = Avx512F.FusedMultiplyAdd(x, b0, c50);
            c51 = Avx512F.FusedMultiplyAdd(x, b1, c51);
            a += csA;
            b += rsB;
        }

        Vector512<float> va = Vector512.Create(alpha);
        if (mr == MR && nr == 32)
        {
            Vector512<float> vb = Vector512.Create(beta);
            StoreRow512(c, c00, c01, va, vb, beta);
            StoreRow512(c + ldc, c10, c11, va, vb, beta);
            StoreRow512(c + 2 * ldc, c20, c21, va, vb, beta);
            StoreRow512(c + 3 * ldc, c30, c31, va, vb, beta);
            StoreRow512(c + 4 * ldc, c40, c41, va, vb, beta);
            StoreRow512(c + 5 * ldc, c50, c51, va, vb, beta);
        }
        else
        {
            // Edge tiles: the AVX2 masked row store on each 8-lane quarter (a mask of 0 touches no memory).
            Vector256<float> va2 = Vector256.Create(alpha);
            Vector256<int> lane = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7);
            Vector256<float> m0 = Vector256.LessThan(lane, Vector256.Create(nr)).AsSingle();
            Vector256<float> m1 = Vector256.LessThan(lane, Vector256.Create(nr - 8)).AsSingle();
            Vector256<float> m2 = Vector256.LessThan(lane, Vector256.Create(nr - 16)).AsSingle();
            Vector256<float> m3 = Vector256.LessThan(lane, Vector256.Create(nr - 24)).AsSingle();
            StoreRow512Masked(c, c00, c01, va2, beta, m0, m1, m2, m3);
            if (mr > 1) StoreRow512Masked(c + ldc, c10, c11, va2, beta, m0, m1, m2, m3);
            if (mr > 2) StoreRow512Masked(c + 2 * ldc, c20, c21, va2, beta, m0, m1, m2, m3);
            if (mr > 3) StoreRow512Masked(c + 3 * ldc, c30, c31, va2, beta, m0, m1, m2, m3);
            if (mr > 4) StoreRow512Masked(c + 4 * ldc, c40, c41, va2, beta, m0, m1, m2, m3);
            if (mr > 5) StoreRow512Masked(c + 5 * ldc, c50, c51, va2, beta, m0, m1, m2, m3);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow512(float* c, Vector512<float> x0, Vector512<float> x1, Vector512<float> va, Vector512<float> vb, float beta)
    {
        StoreScaled(c, x0, va, vb, beta);
        StoreScaled(c + 16, x1, va, vb, beta);
    }

    // c = acc·α (β = 0: c is not read) or fma(acc, α, c·β): the store of every AVX-512 path, tile or one row.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreScaled(float* c, Vector512<float> acc, Vector512<float> va, Vector512<float> vb, float beta)
    {
        var scaled = beta == 0f ? acc * va : Avx512F.FusedMultiplyAdd(acc, va, Vector512.Load(c) * vb);
        scaled.Store(c);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow512Masked(float* c, Vector512<float> x0, Vector512<float> x1, Vector256<float> va, float beta,
        Vector256<float> m0, Vector256<float> m1, Vector256<float> m2, Vector256<float> m3)
    {
        StoreRowMasked(c, x0.GetLower(), x0.GetUpper(), va, beta, m0, m1);
        StoreRowMasked(c + 16, x1.GetLower(), x1.GetUpper(), va, beta, m2, m3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow(float* c, Vector256<float> x0, Vector256<float> x1, Vector256<float> va)
    {
        Avx.Store(c, Avx.Multiply(x0, va));
        Avx.Store(c + 8, Avx.Multiply(x1, va));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow(float* c, Vector256<float> x0, Vector256<float> x1, Vector256<float> va, Vector256<float> vb)
    {
        Avx.Store(c, Fma.MultiplyAdd(x0, va, Avx.Multiply(Avx.LoadVector256(c), vb)));
        Avx.Store(c + 8, Fma.MultiplyAdd(x1, va, Avx.Multiply(Avx.LoadVector256(c + 8), vb)));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRowMasked(float* c, Vector256<float> x0, Vector256<float> x1, Vector256<float> va,
        float beta, Vector256<float> m0, Vector256<float> m1)
    {
        if (beta == 0f)
        {
            Avx.MaskStore(c, m0, Avx.Multiply(x0, va));
            Avx.MaskStore(c + 8, m1, Avx.Multiply(x1, va));
        }
        else
        {
            Vector256<float> vb = Vector256.Create(beta);
            Avx.MaskStore(c, m0, Fma.MultiplyAdd(x0, va, Avx.Multiply(Avx.MaskLoad(c, m0), vb)));
            Avx.MaskStore(c + 8, m1, Fma.MultiplyAdd(x1, va, Avx.Multiply(Avx.MaskLoad(c + 8, m1), vb)));
        }
    }

    /// <summary>
    /// The portable twin of <see cref="KernelAvx2"/> on <see cref="Vector{T}"/>: a 6 × 2W tile
    /// (W = Vector&lt;float&gt;.Count), multiply then add (no fused multiply-add is assumed).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void KernelPortable(nint kc, float* a, nint o1, nint o2, nint o3, nint o4, nint o5, nint csA,
        float* b, nint rsB, float* c, nint ldc, int mr, int nr, float alpha, float beta)
    {
        int w = Vector<float>.Count;
        Vector<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (nint p = 0; p < kc; p++)
        {
            Vector<float> b0 = *(Vector<float>*)b;
            Vector<float> b1 = *(Vector<float>*)(b + w);
            Vector<float> x = new(a[0]);
            c00 += x * b0;
            c01 += x * b1;
            x = new(a[o1]);
            c10 += x * b0;
            c11 += x * b1;
            x = new(a[o2]);
            c20 += x * b0;
            c21 += x * b1;
            x = new(a[o3]);
            c30 += x * b0;
            c31 += x * b1;
            x = new(a[o4]);
            c40 += x * b0;
            c41 += x * b1;
            x = new(a[o5]);
            c50 += x * b0;
            c51 += x * b1;
            a += csA;
            b += rsB;
        }

        if (mr == MR && nr == 2 * w)
        {
            StoreRowPortable(c, c00, c01, alpha, beta);
            StoreRowPortable(c + ldc, c10, c11, alpha, beta);
            StoreRowPortable(c + 2 * ldc, c20, c21, alpha, beta);
            StoreRowPortable(c + 3 * ldc, c30, c31, alpha, beta);
            StoreRowPortable(c + 4 * ldc, c40, c41, alpha, beta);
            StoreRowPortable(c + 5 * ldc, c50, c51, alpha, beta);
        }
        else
        {
            StoreRowPortableEdge(c, c00, c01, alpha, beta, nr);
            if (mr > 1) StoreRowPortableEdge(c + ldc, c10, c11, alpha, beta, nr);
            if (mr > 2) StoreRowPortableEdge(c + 2 * ldc, c20, c21, alpha, beta, nr);
            if (mr > 3) StoreRowPortableEdge(c + 3 * ldc, c30, c31, alpha, beta, nr);
            if (mr > 4) StoreRowPortableEdge(c + 4 * ldc, c40, c41, alpha, beta, nr);
            if (mr > 5) StoreRowPortableEdge(c + 5 * ldc, c50, c51, alpha, beta, nr);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRowPortable(float* c, Vector<float> x0, Vector<float> x1, float alpha, float beta)
    {
        Vector<float>* c0 = (Vector<float>*)c, c1 = (Vector<float>*)(c + Vector<float>.Count);
        if (beta == 0f)
        {
            *c0 = x0 * alpha;
            *c1 = x1 * alpha;
        }
        else
        {
            *c0 = x0 * alpha + *c0 * beta;
            *c1 = x1 * alpha + *c1 * beta;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void StoreRowPortableEdge(float* c, Vector<float> x0, Vector<float> x1, float alpha, float beta, int nr)
    {
        int w = Vector<float>.Count;
        for (int j = 0; j < nr; j++)
        {
            float x = (j < w ? x0[j] : x1[j - w]) * alpha;
            c[j] = beta == 0f ? x : x + c[j] * beta;
        }
    }
}
