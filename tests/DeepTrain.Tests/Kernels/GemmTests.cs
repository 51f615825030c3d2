using System.Diagnostics;
using DeepTrain.Kernels;

namespace DeepTrain.Tests.Kernels
{
    /// <summary>
    /// Conformance of <see cref="Gemm.Sgemm"/> to its naive twin <see cref="Gemm.SgemmNaive"/>: awkward
    /// sizes and tails, every transpose combination, alpha/beta, padded strides, both kernels
    /// (AVX2 and portable), the packed and in-place paths, 1 and 2 threads.
    /// </summary>
    public class GemmTests
    {
        private const float Unit = 1f / (1 << 24); // float's unit roundoff

        public enum KernelPath { Avx2, Portable, Avx512 }

        public enum Packing { Auto, Packed, InPlace }

        /// <summary>
        /// Runs Sgemm and SgemmNaive on the same random data and checks every element against the
        /// worst-case float summation bound |err| ≤ (k+4)·u·(|α|·Σ_p|a_ip||b_pj| + |β|·|c_ij|), and
        /// that C's padding columns (ldc &gt; n) are untouched. Returns the result.
        /// </summary>
        internal static float[] Check(bool transA, bool transB, int m, int n, int k, float alpha, float beta,
            int pad = 0, int threads = 1, KernelPath path = KernelPath.Avx512, Packing packing = Packing.Auto,
            bool nanInC = false, int seed = 1)
        {
            var rng = new Random(seed * 7919 + m * 31 + n * 17 + k);
            int aRows = transA ? k : m, aCols = transA ? m : k;
            int bRows = transB ? n : k, bCols = transB ? k : n;
            int lda = aCols + pad, ldb = bCols + pad, ldc = n + pad;
            lda = Math.Max(1, lda); ldb = Math.Max(1, ldb); ldc = Math.Max(1, ldc);
            float[] a = Fill(rng, aRows == 0 ? 0 : (aRows - 1) * lda + aCols);
            float[] b = Fill(rng, bRows == 0 ? 0 : (bRows - 1) * ldb + bCols);
            float[] c0 = Fill(rng, m * ldc);
            if (nanInC)
                for (int i = 0; i < m; i++)
                    for (int j = 0; j < n; j++) c0[i * ldc + j] = float.NaN;
            for (int i = 0; i < m; i++)
                for (int j = n; j < ldc; j++) c0[i * ldc + j] = 12345f; // padding sentinel

            float[] expected = (float[])c0.Clone();
            Gemm.SgemmNaive(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, expected, ldc);

            float[] actual = (float[])c0.Clone();
            int savedThreads = Gemm.MaxThreads;
            bool savedPortable = Gemm.ForcePortable, savedAvx2 = Gemm.ForceAvx2;
            long savedNoPack = Gemm.NoPackThreshold, savedParallel = Gemm.ParallelThreshold;
            try
            {
                Gemm.MaxThreads = Math.Min(threads, Environment.ProcessorCount);
                Gemm.ForcePortable = path == KernelPath.Portable;
                Gemm.ForceAvx2 = path == KernelPath.Avx2; // Avx512 falls back to AVX2 where the machine lacks it
                if (threads > 1) Gemm.ParallelThreshold = 0;
                if (packing == Packing.Packed) Gemm.NoPackThreshold = -1;
                if (packing == Packing.InPlace) Gemm.NoPackThreshold = long.MaxValue;
                Gemm.Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, actual, ldc);
            }
            finally
            {
                Gemm.MaxThreads = savedThreads;
                Gemm.ForcePortable = savedPortable;
                Gemm.ForceAvx2 = savedAvx2;
                Gemm.NoPackThreshold = savedNoPack;
                Gemm.ParallelThreshold = savedParallel;
            }

            for (int i = 0; i < m; i++)
            {
                for (int j = 0; j < ldc; j++)
                {
                    float got = actual[i * ldc + j];
                    if (j >= n)
                    {
                        Assert.True(got == 12345f, $"padding C[{i},{j}] was overwritten with {got}");
                        continue;
                    }
                    double magnitude = 0;
                    for (int p = 0; p < k; p++)
                    {
                        float x = transA ? a[p * lda + i] : a[i * lda + p];
                        float y = transB ? b[j * ldb + p] : b[p * ldb + j];
                        magnitude += Math.Abs((double)x * y);
                    }
                    magnitude *= Math.Abs(alpha);
                    if (beta != 0f) magnitude += Math.Abs(beta * c0[i * ldc + j]);
                    double bound = (k + 4) * (double)Unit * magnitude + 1e-30;
                    float want = expected[i * ldc + j];
                    Assert.False(float.IsNaN(got), $"C[{i},{j}] is NaN (want {want}); m={m} n={n} k={k} transA={transA} transB={transB} {path} threads={threads}");
                    double err = Math.Abs((double)got - want);
                    Assert.True(err <= bound,
                        $"C[{i},{j}] = {got}, want {want} (|err| {err:G3} > bound {bound:G3}); m={m} n={n} k={k} transA={transA} transB={transB} alpha={alpha} beta={beta} pad={pad} {path} {packing} threads={threads}");
                }
            }
            return actual;
        }

        private static float[] Fill(Random rng, int count)
        {
            var x = new float[count];
            for (int i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
            return x;
        }

        private static readonly (int M, int N, int K)[] SmallShapes =
        [
            (1, 1, 1), (1, 7, 3), (7, 1, 5), (6, 16, 1), (7, 17, 17), (17, 7, 63), (5, 33, 8),
            (12, 32, 9), (63, 65, 17), (65, 63, 70), (13, 100, 10), (64, 10, 100),
        ];

        public static TheoryData<bool, bool, KernelPath> Combos()
        {
            var data = new TheoryData<bool, bool, KernelPath>();
            foreach (KernelPath path in new[] { KernelPath.Avx2, KernelPath.Portable, KernelPath.Avx512 })
                foreach (bool ta in new[] { false, true })
                    foreach (bool tb in new[] { false, true })
                        data.Add(ta, tb, path);
            return data;
        }

        [Theory]
        [MemberData(nameof(Combos))]
        public void SmallShapes_AllPathsAgreeWithNaive(bool transA, bool transB, KernelPath path)
        {
            foreach (var (m, n, k) in SmallShapes)
            {
                foreach (Packing packing in new[] { Packing.InPlace, Packing.Packed })
                {
                    Check(transA, transB, m, n, k, 1f, 0f, path: path, packing: packing);
                    Check(transA, transB, m, n, k, 0.7f, -1.3f, pad: 3, path: path, packing: packing, threads: 2);
                }
            }
        }

        [Theory]
        [MemberData(nameof(Combos))]
        public void LargeShapes_AgreeWithNaive(bool transA, bool transB, KernelPath path)
        {
            // 300³ crosses several KC/MC blocks; 784×300×64 and 64×300×784 are the MLP's shapes.
            Check(transA, transB, 300, 300, 300, 0.7f, -1.3f, pad: 5, threads: 2, path: path);
            Check(transA, transB, 64, 300, 784, 1f, 0f, threads: 1, path: path);
            Check(transA, transB, 784, 300, 64, -1.3f, 0.7f, pad: 1, threads: 2, path: path);
        }

        [Theory]
        [InlineData(false, false)]
        [InlineData(true, false)]
        [InlineData(false, true)]
        [InlineData(true, true)]
        public void BothPackingModes_BothThreadCounts(bool transA, bool transB)
        {
            foreach (Packing packing in new[] { Packing.InPlace, Packing.Packed })
                foreach (int threads in new[] { 1, 2 })
                {
                    Check(transA, transB, 97, 161, 300, 0.7f, -1.3f, pad: 2, threads: threads, packing: packing);
                    Check(transA, transB, 64, 100, 300, 1f, 1f, threads: threads, packing: packing);
                }
        }

        [Fact]
        public void WideMatrix_CrossesColumnBlocks()
        {
            // n > NC (1024) exercises more than one packed column block and the split across them.
            Check(false, false, 20, 1100, 40, 1f, 0f, threads: 2, packing: Packing.Packed);
            Check(true, true, 20, 1100, 40, 0.7f, -1.3f, pad: 1, threads: 2, packing: Packing.Packed);
        }

        [Theory]
        [InlineData(KernelPath.Avx2)]
        [InlineData(KernelPath.Portable)]
        [InlineData(KernelPath.Avx512)]
        public void BetaZero_OverwritesNaN(KernelPath path)
        {
            foreach (Packing packing in new[] { Packing.InPlace, Packing.Packed })
            {
                Check(false, false, 13, 35, 20, 1f, 0f, nanInC: true, path: path, packing: packing);
                Check(true, true, 13, 35, 20, 0.7f, 0f, pad: 2, nanInC: true, path: path, packing: packing);
            }
            // k = 0 and alpha = 0 take the scaling shortcut; it must overwrite too.
            Check(false, false, 5, 9, 0, 1f, 0f, nanInC: true, path: path);
            Check(false, false, 5, 9, 4, 0f, 0f, nanInC: true, path: path);
        }

        [Fact]
        public void ZeroSizes_AreNoOpsOrScaling()
        {
            Check(false, false, 0, 5, 3, 1f, 0f);
            Check(false, false, 5, 0, 3, 1f, 0f);
            Check(false, false, 5, 4, 0, 1f, 0.5f);
            Check(true, true, 0, 0, 0, 1f, 0f);
            Gemm.Sgemm(false, false, 0, 0, 0, 1f, ReadOnlySpan<float>.Empty, 1, ReadOnlySpan<float>.Empty, 1, 0f, Span<float>.Empty, 1);
        }

        [Fact]
        public void AlphaZero_DoesNotReadAB()
        {
            float[] a = [float.NaN, float.NaN], b = [float.NaN, float.NaN], c = [1f, 2f];
            Gemm.Sgemm(false, false, 1, 2, 1, 0f, a, 1, b, 2, 3f, c, 2);
            Assert.Equal([3f, 6f], c);
        }

        [Theory]
        [InlineData(false, false)]
        [InlineData(true, true)]
        public void Avx512AndAvx2Kernels_AgreeBitForBit(bool transA, bool transB)
        {
            // Same fused multiply-add chain per element: the wider kernel must not change a single bit.
            foreach (Packing packing in new[] { Packing.InPlace, Packing.Packed })
                foreach (var (m, n, k) in new[] { (64, 300, 784), (13, 100, 10), (64, 10, 100), (97, 161, 300) })
                {
                    float[] wide = Check(transA, transB, m, n, k, 0.7f, -1.3f, pad: 1, threads: 2, path: KernelPath.Avx512, packing: packing, seed: 3);
                    float[] narrow = Check(transA, transB, m, n, k, 0.7f, -1.3f, pad: 1, threads: 2, path: KernelPath.Avx2, packing: packing, seed: 3);
                    Assert.Equal(narrow, wide);
                }
        }

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public void OneRow_EqualsThatRowOfATileProduct_BitForBit(bool transA)
        {
            // A single example through a layer takes the one-row path; its outputs must be the bits that the same row
            // gets inside a batch (a 6-row tile here), for every column tail, depth block, α and β, on both kernels.
            foreach (bool avx2 in new[] { false, true })
                foreach (var (n, k) in new[] { (300, 513), (100, 300), (7, 100), (1, 40), (33, 257), (15, 64), (80, 16) })
                    foreach (var (alpha, beta) in new[] { (1f, 0f), (0.7f, -1.3f), (1f, 1f) })
                    {
                        var rng = new Random(n * 1000 + k);
                        const int m = 6, pad = 2;
                        int lda = transA ? m + pad : k + pad, ldb = n + pad, ldc = n + pad;
                        float[] a = Fill(rng, transA ? k * lda : m * lda), b = Fill(rng, k * ldb), c0 = Fill(rng, m * ldc);
                        bool saved = Gemm.ForceAvx2;
                        try
                        {
                            Gemm.ForceAvx2 = avx2;
                            var tile = (float[])c0.Clone();
                            Gemm.Sgemm(transA, false, m, n, k, alpha, a, lda, b, ldb, beta, tile, ldc);
                            for (int r = 0; r < m; r++)
                            {
                                var row = c0.AsSpan(r * ldc, ldc).ToArray();
                                // Row r of op(A): transposed, it starts at column r with stride lda.
                                Gemm.Sgemm(transA, false, 1, n, k, alpha, a.AsSpan(r * (transA ? 1 : lda)), lda, b, ldb, beta, row, ldc);
                                for (int j = 0; j < n; j++)
                                    Assert.True(BitConverter.SingleToInt32Bits(row[j]) == BitConverter.SingleToInt32Bits(tile[r * ldc + j]),
                                        $"row {r}, column {j} of [{m}x{k}]·[{k}x{n}] (transA={transA}, α={alpha}, β={beta}, avx2={avx2}): one row gives {row[j]:R}, the tile {tile[r * ldc + j]:R}");
                            }
                        }
                        finally
                        {
                            Gemm.ForceAvx2 = saved;
                        }
                    }
        }

        [Fact]
        public void Results_AreDeterministic_AndIndependentOfThreadCount()
        {
            float[] one = Check(false, true, 300, 260, 530, 0.7f, -1.3f, threads: 1, seed: 5);
            float[] two = Check(false, true, 300, 260, 530, 0.7f, -1.3f, threads: 2, seed: 5);
            float[] again = Check(false, true, 300, 260, 530, 0.7f, -1.3f, threads: 2, seed: 5);
            Assert.Equal(two, again);
            Assert.Equal(one, two);
            // A tall output (a weight gradient) is split in row bands instead of strips: the same values again.
            Assert.Equal(Check(true, false, 784, 300, 64, 1f, 0f, threads: 1, seed: 6), Check(true, false, 784, 300, 64, 1f, 0f, threads: 2, seed: 6));
            // A deep product (a layer's forward, k ≥ 2n) is split in depth, with α, β and a padded C: the same values again.
            Assert.Equal(Check(false, false, 64, 300, 784, 0.7f, -1.3f, pad: 3, threads: 1, seed: 7), Check(false, false, 64, 300, 784, 0.7f, -1.3f, pad: 3, threads: 2, seed: 7));
            Assert.Equal(Check(false, false, 64, 100, 300, 1f, 1f, threads: 1, seed: 8), Check(false, false, 64, 100, 300, 1f, 1f, threads: 2, seed: 8));
            // Whether a product is split in depth must not follow the tunable thresholds (other tests change them while
            // training runs): packed or in place, any parallel threshold, the same bits.
            Assert.Equal(Check(false, false, 64, 300, 784, 1f, 0f, threads: 1, packing: Packing.InPlace, seed: 9),
                         Check(false, false, 64, 300, 784, 1f, 0f, threads: 2, packing: Packing.Packed, seed: 9));
        }

        [Fact]
        public void InvalidArguments_NameTheValues()
        {
            float[] a = new float[12], b = new float[12], c = new float[12];
            var e1 = Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.Sgemm(false, false, -1, 3, 4, 1f, a, 4, b, 3, 0f, c, 3));
            Assert.Contains("-1", e1.Message);
            var e2 = Assert.Throws<ArgumentException>(() => Gemm.Sgemm(false, false, 3, 3, 4, 1f, a, 3, b, 3, 0f, c, 3));
            Assert.Equal("lda", e2.ParamName);
            Assert.Contains("got lda = 3", e2.Message);
            var e3 = Assert.Throws<ArgumentException>(() => Gemm.Sgemm(false, false, 3, 4, 4, 1f, a, 4, b, 4, 0f, c, 4));
            Assert.Equal("b", e3.ParamName);
            Assert.Contains("needs 16", e3.Message);
            var e4 = Assert.Throws<ArgumentException>(() => Gemm.Sgemm(true, false, 3, 3, 4, 1f, a, 3, b, 3, 0f, c, 2));
            Assert.Equal("ldc", e4.ParamName);
            var e5 = Assert.Throws<ArgumentException>(() => Gemm.Sgemm(true, false, 3, 3, 4, 1f, a, 3, b, 3, 0f, new float[8], 3));
            Assert.Equal("c", e5.ParamName);
            var e6 = Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.MaxThreads = 0);
            Assert.Contains("got 0", e6.Message);
        }

        [Fact]
        public void SteadyState_DoesNotAllocate()
        {
            float[] a = Fill(new Random(3), 300 * 300), b = Fill(new Random(4), 300 * 300), c = new float[300 * 300];
            for (int i = 0; i < 3; i++)
            {
                Gemm.Sgemm(false, false, 300, 300, 300, 1f, a, 300, b, 300, 0f, c, 300);
                Gemm.Sgemm(true, true, 64, 100, 30, 1f, a, 64, b, 30, 0f, c, 100);
            }
            long before = GC.GetAllocatedBytesForCurrentThread();
            Gemm.Sgemm(false, false, 300, 300, 300, 1f, a, 300, b, 300, 0f, c, 300);
            Gemm.Sgemm(true, true, 64, 100, 30, 1f, a, 64, b, 30, 0f, c, 100);
            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        /// <summary>
        /// The portable kernel as the runtime would pick it on a machine without AVX2: a child
        /// process with DOTNET_EnableAVX2=0 runs this assembly with <see cref="PortableChild"/> as a
        /// startup hook, which checks Sgemm against SgemmNaive and exits.
        /// </summary>
        [SkippableFact]
        public void PortablePath_InChildProcessWithAvx2Disabled()
        {
            string assembly = typeof(GemmTests).Assembly.Location;
            string runtimeConfig = System.IO.Path.ChangeExtension(assembly, ".runtimeconfig.json");
            Skip.IfNot(File.Exists(runtimeConfig), $"no {runtimeConfig}: cannot start the test assembly as a process");
            string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)
                ? host
                : Environment.ProcessPath is { } self && System.IO.Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";

            var start = new ProcessStartInfo(dotnet)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add("exec");
            start.ArgumentList.Add(assembly);
            start.Environment["DOTNET_EnableAVX2"] = "0";
            start.Environment["DOTNET_STARTUP_HOOKS"] = assembly;
            start.Environment[PortableChild.Variable] = "1";
            using Process process = Process.Start(start)!;
            string stdout = process.StandardOutput.ReadToEnd();
            string stderr = process.StandardError.ReadToEnd();
            Assert.True(process.WaitForExit(60_000), "child process timed out");
            Assert.True(process.ExitCode == 0, $"child exit code {process.ExitCode}\n{stdout}\n{stderr}");
            Assert.Contains("portable-check: ok", stdout);
            Assert.Contains("avx2=False", stdout);
        }
    }

    /// <summary>The work of <see cref="GemmTests.PortablePath_InChildProcessWithAvx2Disabled"/>'s child process.</summary>
    internal static class PortableChild
    {
        public const string Variable = "DEEPTRAIN_GEMM_PORTABLE_CHILD";

        public static int Run()
        {
            Console.WriteLine($"avx2={Gemm.IsAvx2Accelerated} vector-lanes={System.Numerics.Vector<float>.Count}");
            foreach (bool ta in new[] { false, true })
                foreach (bool tb in new[] { false, true })
                    foreach (var (m, n, k) in new[] { (1, 1, 1), (7, 17, 63), (65, 63, 70), (64, 10, 100), (130, 140, 300) })
                    {
                        GemmTests.Check(ta, tb, m, n, k, 0.7f, -1.3f, pad: 2, threads: 2);
                        GemmTests.Check(ta, tb, m, n, k, 1f, 0f, nanInC: true, packing: GemmTests.Packing.Packed);
                    }
            Console.WriteLine("portable-check: ok");
            return 0;
        }
    }
}

/// <summary>
/// Startup hook (global namespace, by the runtime's convention): when the test assembly is started
/// as a process with DOTNET_STARTUP_HOOKS pointing at it and the child variable set, run the
/// portable check and exit; otherwise do nothing.
/// </summary>
internal static class StartupHook
{
    public static void Initialize()
    {
        if (Environment.GetEnvironmentVariable(DeepTrain.Tests.Kernels.PortableChild.Variable) != "1") return;
        int code;
        try
        {
            code = DeepTrain.Tests.Kernels.PortableChild.Run();
        }
        catch (Exception e)
        {
            Console.WriteLine(e);
            code = 1;
        }
        Console.Out.Flush();
        Environment.Exit(code);
    }
}
