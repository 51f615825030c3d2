using System.Diagnostics;
using System.Globalization;
using DeepTrain.Data;
using DeepTrain.Distributed;
using DeepTrain.Kernels;
using DeepTrain.Layers;
using DeepTrain.Optimizers;
using DeepTrain.Training;

namespace DeepTrain.Bench;

/// <summary>
/// The <c>mpi</c> command, run alone or under <c>mpirun -np P</c>: training throughput of the seed network
/// 784-300-100-10 (ELU, He, Adam, global batch 64) on Fashion-MNIST when installed, else the bundled digits, with
/// the share of time spent exchanging gradients; under mpirun also the allreduce throughput of the binding over
/// buffer sizes from 4 KB to 16 MB. bench/mpi.sh runs the comparison (1 process × 2 threads vs 2 processes × 1
/// thread) next to a C program calling the same MPI_Allreduce. Two untimed runs come first (JIT warm-up).
/// </summary>
internal static class MpiBench
{
    /// <summary>Options: --threads T, --steps N (optimizer steps timed, default 400), --batch B (global, default 64), --bucket-bytes B, --repeats R (default 3), --no-allreduce.</summary>
    public static int Run(string[] args)
    {
        int threads = 1, steps = 400, bucket = 0, repeats = 3, batch = 64;
        bool allreduce = true;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--threads": threads = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--steps": steps = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--batch": batch = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--bucket-bytes": bucket = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--repeats": repeats = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--no-allreduce": allreduce = false; break;
                default: Console.Error.WriteLine($"unknown option '{args[i]}'"); return 2;
            }
        }
        var launch = MpiLaunch.Detect();
        MpiWorld? world = launch is { Size: > 1 } ? MpiWorld.Initialize(launch.Flavor) : null;
        bool root = world is null || world.Rank == 0;
        Gemm.MaxThreads = threads;
        string dataName = Directory.Exists(KnownDatasets.FashionMnistDirectory) ? KnownDatasets.FashionMnistName : KnownDatasets.DefaultName;
        var (train, _) = KnownDatasets.Load(dataName);
        int rows = Math.Min(train.Count, (steps + 20) * batch); // 20 warm-up steps
        var subset = train.Subset(Enumerable.Range(0, rows).ToArray());
        if (root)
            Console.WriteLine($"mpi bench: {(world is null ? "1 process" : $"{world.Size} processes ({world.Implementation}: {world.LibraryVersion})")} x {threads} thread(s); " +
                              $"784-300-100-10 ELU Adam, global batch {batch}, {dataName}, {rows:N0} examples per epoch; load {Load()}");
        for (int r = -2; r < repeats; r++) // two untimed warm-up runs: tier-1 code takes a while on a process bound to one core
        {
            var model = new MlpBuilder { Hidden = [300, 100] }.Build(784, 10, 42);
            var optimizer = OptimizerFactory.Create("adam", model.Parameters(), new OptimizerOptions());
            var dp = world is null ? null : new DataParallel(world, new DataParallelOptions { BucketBytes = bucket });
            var fit = new FitOptions { Optimizer = optimizer, Epochs = 1, BatchSize = batch, Seed = 1, Progress = ProgressMode.None, Distributed = dp };
            var history = model.Fit(subset, null, fit);
            double sps = history["samples_per_second"][0], seconds = history["seconds"][0];
            if (root && r >= 0)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  run {r + 1}: {sps,8:N0} samples/s ({seconds:F2} s){(dp is null ? "" : $"; gradient exchange {dp.ExchangeTime.TotalMilliseconds / seconds / 10:F1}% of the time, {dp.ExchangeTime.TotalMilliseconds * 1000 / (rows / batch):F0} µs per step")}"));
        }
        if (world is not null && allreduce) AllReduceSweep(world);
        world?.Dispose();
        return 0;
    }

    private static void AllReduceSweep(MpiWorld world)
    {
        if (world.Rank == 0) Console.WriteLine($"allreduce (float sum, in place) over {world.Size} processes: bytes, µs per call, algorithm GB/s (bytes/time), bus GB/s (x 2(p-1)/p)");
        for (int bytes = 4 << 10; bytes <= 16 << 20; bytes *= 4)
        {
            var buffer = GC.AllocateArray<float>(bytes / 4, pinned: true);
            buffer.AsSpan().Fill(1f);
            int iterations = Math.Clamp((int)(200_000_000L / bytes), 10, 2000);
            for (int i = 0; i < Math.Max(3, iterations / 10); i++) world.AllReduce(buffer);
            world.Barrier();
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < iterations; i++) world.AllReduce(buffer);
            double seconds = clock.Elapsed.TotalSeconds / iterations;
            Span<double> slowest = [seconds];
            world.AllReduce(slowest, MpiOp.Max);
            if (world.Rank == 0)
            {
                double algo = bytes / slowest[0] / 1e9;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {bytes,10:N0} {slowest[0] * 1e6,10:F1} {algo,8:F2} {algo * 2 * (world.Size - 1) / world.Size,8:F2}"));
            }
        }
    }

    private static string Load() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";
}
