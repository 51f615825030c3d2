using System.Diagnostics;
using System.Globalization;
using DeepTrain.Kernels;

namespace DeepTrain.Bench;

/// <summary>
/// The <c>gemm</c> command: DeepTrain's <see cref="Gemm.Sgemm"/> against OpenBLAS's sgemm, measured
/// interleaved in one run on square sizes and on the forward and backward products of a
/// 784-300-100-10 MLP at batch 64, with 1 and 2 threads.
/// </summary>
internal static unsafe class GemmBench
{
    private sealed record Case(string Name, bool TransA, bool TransB, int M, int N, int K, bool Square);

    /// <summary>Runs the benchmark. Options: --seconds S (time per measurement, default 0.25),
    /// --repeats R (best of R, default 3), --threads 1,2, --only square|mlp, --portable, --no-openblas;
    /// tuning: --nopack N, --parallel N (thresholds in multiply-adds).</summary>
    public static int Run(string[] args)
    {
        double seconds = 0.25;
        int repeats = 3;
        int[] threadCounts = [1, 2];
        string only = "";
        bool skipBlas = false;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--seconds": seconds = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--repeats": repeats = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--threads": threadCounts = args[++i].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray(); break;
                case "--only": only = args[++i]; break;
                case "--portable": Gemm.ForcePortable = true; break;
                case "--no-openblas": skipBlas = true; break;
                case "--nopack": Gemm.NoPackThreshold = long.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--parallel": Gemm.ParallelThreshold = long.Parse(args[++i], CultureInfo.InvariantCulture); break;
                default:
                    Console.Error.WriteLine($"gemm: unknown option '{args[i]}'");
                    return 2;
            }
        }
        threadCounts = threadCounts.Where(t => t >= 1 && t <= Environment.ProcessorCount).ToArray();

        var cases = new List<Case>();
        if (only != "mlp")
            foreach (int s in new[] { 64, 128, 256, 512, 1024, 2048 })
                cases.Add(new Case($"{s}x{s}x{s}", false, false, s, s, s, true));
        if (only != "square")
        {
            const int batch = 64;
            int[] widths = [784, 300, 100, 10];
            for (int l = 0; l + 1 < widths.Length; l++)
            {
                int fin = widths[l], fout = widths[l + 1];
                cases.Add(new Case($"fwd  X*W    {batch}x{fin}*{fin}x{fout}", false, false, batch, fout, fin, false));
                cases.Add(new Case($"bwd  Xt*dY  {fin}x{batch}*{batch}x{fout}", true, false, fin, fout, batch, false));
                cases.Add(new Case($"bwd  dY*Wt  {batch}x{fout}*{fout}x{fin}", false, true, batch, fin, fout, false));
            }
        }

        bool haveBlas = !skipBlas && OpenBlas.TryLoad();
        double mhz = CpuMhz();
        int cores = Environment.ProcessorCount;
        Console.WriteLine($"DeepTrain SGEMM benchmark, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        Console.WriteLine($"machine: {CpuModel()}, {cores} cores, {mhz:F0} MHz (/proc/cpuinfo), .NET {Environment.Version}");
        Console.WriteLine($"kernel: {(Gemm.IsAvx512Accelerated ? "AVX-512 6x32 (AVX2+FMA 6x16 where n <= 16)" : Gemm.IsAvx2Accelerated && !Gemm.ForcePortable ? "AVX2+FMA 6x16" : $"portable Vector<float> ({System.Numerics.Vector<float>.Count} lanes)")}");
        Console.WriteLine($"OpenBLAS: {OpenBlas.Status}{(haveBlas ? "; " + OpenBlas.Config : "")}");
        if (OpenBlas.CoreTypeOverride is { } coreType)
            Console.WriteLine($"note: OPENBLAS_CORETYPE={coreType} is set, so OpenBLAS (and PyTorch through it) may not use its best kernel for this CPU; unset OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE for the fairest peer");
        if (mhz > 0)
            Console.WriteLine($"estimated FMA peak: {mhz * 32 / 1000:F1} GFLOP/s per core, {cores * mhz * 32 / 1000:F1} GFLOP/s on {cores} cores (cores x clock x 32 flop/cycle; cores may boost above it)");
        Console.WriteLine($"each figure: best of {repeats} runs of ~{seconds:F2} s, DeepTrain and OpenBLAS interleaved");
        Console.WriteLine();
        Console.WriteLine($"{"shape (m x k * k x n)",-34} {"thr",3} {"DeepTrain",10} {"OpenBLAS",10} {"ratio",6}");

        var squareRatios = new List<double>();
        var mlpRatios = new List<double>();
        int savedThreads = Gemm.MaxThreads;
        var rng = new Random(42);
        foreach (Case cs in cases)
        {
            int aRows = cs.TransA ? cs.K : cs.M, aCols = cs.TransA ? cs.M : cs.K;
            int bRows = cs.TransB ? cs.N : cs.K, bCols = cs.TransB ? cs.K : cs.N;
            float[] a = Random(rng, aRows * aCols), b = Random(rng, bRows * bCols), c = new float[cs.M * cs.N];
            double flops = 2.0 * cs.M * cs.N * cs.K;
            foreach (int threads in threadCounts)
            {
                Gemm.MaxThreads = threads;
                if (haveBlas) OpenBlas.SetThreads(threads);
                fixed (float* pa = a, pb = b, pc = c)
                {
                    float* ca = pa, cb = pb, cc = pc;
                    Action ours = () => Gemm.Sgemm(cs.TransA, cs.TransB, cs.M, cs.N, cs.K, 1f, a, aCols, b, bCols, 0f, c, cs.N);
                    Action? theirs = haveBlas
                        ? () => OpenBlas.Sgemm(cs.TransA, cs.TransB, cs.M, cs.N, cs.K, 1f, ca, aCols, cb, bCols, 0f, cc, cs.N)
                        : null;
                    int repsOurs = Calibrate(ours, seconds);
                    int repsTheirs = theirs is null ? 0 : Calibrate(theirs, seconds);
                    double bestOurs = double.MaxValue, bestTheirs = double.MaxValue;
                    for (int r = 0; r < repeats; r++)
                    {
                        bestOurs = Math.Min(bestOurs, Time(ours, repsOurs));
                        if (theirs is not null) bestTheirs = Math.Min(bestTheirs, Time(theirs, repsTheirs));
                    }
                    double gOurs = flops / bestOurs / 1e9;
                    string line = $"{cs.Name,-34} {threads,3} {gOurs,10:F1}";
                    if (theirs is not null)
                    {
                        double gTheirs = flops / bestTheirs / 1e9;
                        double ratio = gOurs / gTheirs;
                        line += $" {gTheirs,10:F1} {ratio,6:F2}";
                        if (threads == 2)
                        {
                            if (cs.Square && cs.M >= 256) squareRatios.Add(ratio);
                            if (!cs.Square) mlpRatios.Add(ratio);
                        }
                    }
                    else
                    {
                        line += $" {"-",10} {"-",6}";
                    }
                    Console.WriteLine(line);
                }
            }
        }
        Gemm.MaxThreads = savedThreads;
        Console.WriteLine("(GFLOP/s; ratio = DeepTrain / OpenBLAS)");
        Console.WriteLine($"gemm ratio vs openblas (n>=256, 2 threads): {Median(squareRatios)}");
        Console.WriteLine($"gemm ratio vs openblas (mlp shapes, 2 threads): {Median(mlpRatios)}");
        return 0;
    }

    private static float[] Random(Random rng, int count)
    {
        var x = new float[count];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
        return x;
    }

    /// <summary>Warms up, then returns a repeat count that takes about <paramref name="seconds"/>.</summary>
    private static int Calibrate(Action f, double seconds)
    {
        for (int i = 0; i < 3; i++) f();
        int reps = 1;
        while (true)
        {
            double t = Time(f, reps) * reps;
            if (t >= seconds / 8 || reps >= 1 << 24)
                return Math.Max(1, (int)Math.Ceiling(reps * seconds / t));
            reps *= 4;
        }
    }

    /// <summary>Seconds per call, over <paramref name="reps"/> calls.</summary>
    private static double Time(Action f, int reps)
    {
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < reps; i++) f();
        return Stopwatch.GetElapsedTime(start).TotalSeconds / reps;
    }

    private static string Median(List<double> ratios)
    {
        if (ratios.Count == 0) return "n/a";
        var s = ratios.OrderBy(x => x).ToArray();
        double med = s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
        return med.ToString("F2", CultureInfo.InvariantCulture);
    }

    internal static double CpuMhz()
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/cpuinfo"))
                if (line.StartsWith("cpu MHz", StringComparison.Ordinal))
                    return double.Parse(line[(line.IndexOf(':') + 1)..].Trim(), CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        return 0;
    }

    internal static string CpuModel()
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/cpuinfo"))
                if (line.StartsWith("model name", StringComparison.Ordinal))
                    return line[(line.IndexOf(':') + 1)..].Trim();
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        return "unknown CPU";
    }
}
