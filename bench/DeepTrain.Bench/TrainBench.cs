using System.Diagnostics;
using System.Globalization;
using DeepTrain.Data;
using DeepTrain.Kernels;
using DeepTrain.Layers;
using DeepTrain.Optimizers;
using DeepTrain.Tensors;
using DeepTrain.Training;

namespace DeepTrain.Bench;

/// <summary>
/// The <c>train</c> command: end-to-end training throughput of the seed network on Fashion-MNIST (first 55,000
/// training images, shuffled mini-batches, Adam 0.001, He-normal hidden weights) in two forms, <c>plain</c>
/// (784-300-100-10 ELU) and <c>bn</c> (bias-free Dense → BatchNorm → ELU per hidden layer), next to the same loop in
/// TorchSharp (bench/DeepTrain.Bench.Peers, when built) and PyTorch (bench/peers/pytorch_train.py under
/// /usr/bin/python3, when torch imports). Every contender runs in its own child process, one after the other, form by
/// form (so DeepTrain and its peers are interleaved and each gets a fresh peak working set), after the machine has
/// been quiet for a second. DeepTrain's figures also include a phase breakdown of one step, bytes allocated per
/// steady-state step, and the GEMM bound: the step's 8 matrix products alone at OpenBLAS speed.
/// </summary>
internal static unsafe class TrainBench
{
    private const string FashionMnistDir = "/usr/share/datasets/fashion-mnist";
    private const string Python = "/usr/bin/python3";

    private sealed record Config(string Form, int Batch, int Threads, int[] Hidden, int Epochs, int Train, int Seed)
    {
        public string HiddenText => string.Join(",", Hidden);
        public string Network => $"784-{string.Join("-", Hidden)}-10";

        public IEnumerable<string> Args() =>
        [
            "--form", Form, "--batch", Inv(Batch), "--threads", Inv(Threads), "--hidden", HiddenText,
            "--epochs", Inv(Epochs), "--train", Inv(Train), "--seed", Inv(Seed),
        ];
    }

    /// <summary>One contender's RESULT line, parsed, plus the machine's state before it ran.</summary>
    private sealed class Result(string framework, Dictionary<string, string> fields, string load)
    {
        public string Framework { get; } = framework;
        public Dictionary<string, string> Fields { get; } = fields;
        public string Load { get; } = load;
        public double Get(string key) => Fields.TryGetValue(key, out var v) && double.TryParse(v, CultureInfo.InvariantCulture, out var d) ? d : double.NaN;
        public double SamplesPerSecond => Get("samples_per_s");
        public double Accuracy => Get("test_acc");
    }

    /// <summary>Runs the benchmark. Options: --epochs N (5), --rounds R (3), --accuracy-seeds S (0: off), --batch B (64), --forms plain,bn, --peers torchsharp,pytorch
    /// (or none), --threads T (2), --train N (55000), --seed S, --max-wait S (seconds to wait for a quiet machine
    /// before each run, 300), --scaling (batch 32/64/256, the wide 784-1024-1024-10 network, 1 vs 2 threads),
    /// --scaling-epochs N (3), --scaling-forms bn.</summary>
    public static int Run(string[] args)
    {
        int epochs = 5, batch = 64, threads = Math.Min(2, Environment.ProcessorCount), train = 55_000, seed = 42, maxWait = 300, scalingEpochs = 3, rounds = 3, accuracySeeds = 0;
        string[] forms = ["plain", "bn"], peers = ["torchsharp", "pytorch"], scalingForms = ["bn"];
        bool scaling = false;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--epochs": epochs = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--rounds": rounds = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--accuracy-seeds": accuracySeeds = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--batch": batch = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--threads": threads = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--train": train = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--seed": seed = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--max-wait": maxWait = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--forms": forms = SplitList(args[++i]); break;
                case "--peers": peers = args[i + 1] == "none" ? [] : SplitList(args[i + 1]); i++; break;
                case "--scaling": scaling = true; break;
                case "--scaling-epochs": scalingEpochs = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--scaling-forms": scalingForms = SplitList(args[++i]); break;
                default:
                    Console.Error.WriteLine($"train: unknown option '{args[i]}'");
                    return 2;
            }
        }
        foreach (string f in forms.Concat(scalingForms))
            if (f is not ("plain" or "bn")) { Console.Error.WriteLine($"train: forms are plain and bn: got '{f}'"); return 2; }
        foreach (string p in peers)
            if (p is not ("torchsharp" or "pytorch")) { Console.Error.WriteLine($"train: peers are torchsharp and pytorch (or none): got '{p}'"); return 2; }
        if (epochs < 1 || scalingEpochs < 1) { Console.Error.WriteLine("train: --epochs must be >= 1"); return 2; }
        if (rounds < 1) { Console.Error.WriteLine("train: --rounds must be >= 1"); return 2; }
        if (accuracySeeds < 0) { Console.Error.WriteLine("train: --accuracy-seeds must be >= 0"); return 2; }
        if (!File.Exists(Path.Combine(FashionMnistDir, "train-images-idx3-ubyte.gz")))
        {
            Console.Error.WriteLine($"train: Fashion-MNIST is not installed in {FashionMnistDir}: apt-get install -y dataset-fashion-mnist");
            return 1;
        }

        string tsWhy = "", pyWhy = "";
        string? torchSharp = peers.Contains("torchsharp") ? FindTorchSharpPeer(out tsWhy) : null;
        string? pyScript = peers.Contains("pytorch") ? FindPyTorchPeer(out pyWhy) : null;
        bool haveBlas = OpenBlas.TryLoad();

        Console.WriteLine($"DeepTrain training benchmark, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        Console.WriteLine($"machine: {GemmBench.CpuModel()}, {Environment.ProcessorCount} cores, {GemmBench.CpuMhz():F0} MHz (/proc/cpuinfo), .NET {Environment.Version}, GEMM kernel {(Gemm.IsAvx512Accelerated ? "AVX-512 6x32 (AVX2+FMA 6x16 where n <= 16)" : Gemm.IsAvx2Accelerated ? "AVX2+FMA 6x16" : "portable")}");
        Console.WriteLine($"OpenBLAS: {OpenBlas.Status}{(haveBlas ? "; " + OpenBlas.Config : "")}");
        if (OpenBlas.CoreTypeOverride is { } coreType)
            Console.WriteLine($"note: OPENBLAS_CORETYPE={coreType} is set, so OpenBLAS (and PyTorch through it) may not use its best kernel for this CPU; unset OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE for the fairest peer");
        Console.WriteLine($"data: Fashion-MNIST ({FashionMnistDir}), first {train:N0} training images, 10,000 test images; shuffled batches, Adam 0.001, He normal");
        if (peers.Contains("torchsharp"))
            Console.WriteLine(torchSharp is not null ? $"torchsharp peer: {torchSharp}" : $"torchsharp peer: skipped: {tsWhy}");
        if (peers.Contains("pytorch"))
            Console.WriteLine(pyScript is not null ? $"pytorch peer: {Python} {pyScript} ({pyWhy})" : $"pytorch peer: skipped: {pyWhy}");
        Console.WriteLine($"each run: its own process, started once the machine has been quiet (< 25% busy over 1 s; waiting up to {maxWait} s); load = 1-min load average and busy share before it");
        Console.WriteLine();

        // ---- the main runs: rounds of (each form: the GEMM bound, DeepTrain, the bound again, then the peers). The
        // speed of these shared machines drifts by up to 2x over minutes, so every ratio is taken within one round (runs
        // seconds apart) and the reported ratio is the median over the rounds.
        var main = new List<(Config Config, List<Round> Rounds)>();
        foreach (string form in forms) main.Add((new Config(form, batch, threads, [300, 100], epochs, train, seed), []));
        for (int round = 1; round <= rounds; round++)
        {
            foreach (var (cfg, done) in main)
            {
                var (results, bound) = RunAll(cfg, torchSharp, pyScript, haveBlas, maxWait);
                done.Add(new Round(results, bound));
                Console.Write($"round {round} of {rounds}: ");
                PrintDetail(cfg, results, bound);
            }
        }

        Console.WriteLine();
        Console.WriteLine($"per round (DeepTrain x = DeepTrain's samples/s over the peer's in the same round):");
        Console.WriteLine($"{"form",-5} {"round",5} {"DeepTrain",10} {"TorchSharp",10} {"PyTorch",10} {"x TS",6} {"x PT",6} {"/bound",7}");
        foreach (var (cfg, done) in main)
            for (int r = 0; r < done.Count; r++)
                Console.WriteLine($"{cfg.Form,-5} {r + 1,5} {F0(done[r].Sps("deeptrain")),10} {F0(done[r].Sps("torchsharp")),10} {F0(done[r].Sps("pytorch")),10} " +
                                  $"{F(done[r].Ratio("torchsharp"), 2),6} {F(done[r].Ratio("pytorch"), 2),6} {F(done[r].BoundRatio(cfg.Batch), 2),7}");

        Console.WriteLine();
        Console.WriteLine($"median over {rounds} round{(rounds == 1 ? "" : "s")}:");
        Console.WriteLine($"{"framework",-11} {"form",-5} {"samples/s",10} {"s/epoch",8} {"test acc",8} {"peak MB",8} {"DeepTrain x",11}");
        foreach (var (cfg, done) in main)
        {
            foreach (string fw in done[0].Results.Select(r => r.Framework))
            {
                double sps = Median(done.Select(d => d.Sps(fw)).ToList());
                var last = done[^1].Results.First(r => r.Framework == fw);
                string ratio = fw == "deeptrain" ? "" : F(Median(done.Select(d => d.Ratio(fw)).ToList()), 2);
                Console.WriteLine($"{fw,-11} {cfg.Form,-5} {F0(sps),10} {F(train / sps, 2),8} {F(last.Accuracy, 4),8} {F0(last.Get("rss_mb")),8} {ratio,11}");
            }
        }

        if (scaling)
        {
            Console.WriteLine();
            Console.WriteLine($"scaling ({scalingEpochs} epochs each; samples/s = median over the epochs after the first):");
            var rows = new List<string>();
            var configs = new List<Config>();
            foreach (string form in scalingForms)
            {
                foreach (int b in new[] { 32, 64, 256 })
                    configs.Add(new Config(form, b, threads, [300, 100], scalingEpochs, train, seed));
                configs.Add(new Config(form, batch, 1, [300, 100], scalingEpochs, train, seed));
                configs.Add(new Config(form, batch, threads, [1024, 1024], scalingEpochs, train, seed));
                configs.Add(new Config(form, batch, 1, [1024, 1024], scalingEpochs, train, seed));
            }
            foreach (var cfg in configs)
            {
                var (results, bound) = RunAll(cfg, torchSharp, pyScript, haveBlas, maxWait);
                PrintDetail(cfg, results, bound);
                double Sps(string fw) => results.FirstOrDefault(r => r.Framework == fw)?.SamplesPerSecond ?? double.NaN;
                double acc(string fw) => results.FirstOrDefault(r => r.Framework == fw)?.Accuracy ?? double.NaN;
                double ours = Sps("deeptrain");
                double stepMs = 1000.0 * cfg.Batch / ours;
                rows.Add($"{cfg.Network,-16} {cfg.Form,-5} {cfg.Batch,5} {cfg.Threads,3} {F0(ours),10} {F0(Sps("torchsharp")),10} {F0(Sps("pytorch")),10} " +
                         $"{F(ours / Sps("torchsharp"), 2),6} {F(ours / Sps("pytorch"), 2),6} {F(acc("deeptrain"), 4),7} {F(acc("torchsharp"), 4),7} {F(acc("pytorch"), 4),7} {F(stepMs / bound.Blas, 2),7}");
            }
            Console.WriteLine();
            Console.WriteLine($"{"network",-16} {"form",-5} {"batch",5} {"thr",3} {"DeepTrain",10} {"TorchSharp",10} {"PyTorch",10} {"x TS",6} {"x PT",6} {"acc DT",7} {"acc TS",7} {"acc PT",7} {"/bound",7}");
            foreach (string row in rows) Console.WriteLine(row);
            Console.WriteLine("(samples/s; x TS, x PT = DeepTrain / peer; /bound = DeepTrain's step time / the step's 8 GEMMs at OpenBLAS speed)");
        }

        if (accuracySeeds > 0) CompareAccuracy(main.Select(m => m.Config).ToList(), accuracySeeds, pyScript, maxWait);

        Console.WriteLine();
        foreach (var (cfg, done) in main.Where(m => m.Config.Form != "bn"))
            PrintRatios(cfg, done);
        var bn = main.FirstOrDefault(m => m.Config.Form == "bn");
        if (bn.Config is null)
        {
            Console.WriteLine("train ratio vs torchsharp (bn): n/a");
            Console.WriteLine("train ratio vs pytorch (bn): n/a");
            Console.WriteLine("step time vs gemm bound (bn): n/a");
        }
        else
        {
            PrintRatios(bn.Config, bn.Rounds);
        }
        return 0;
    }

    /// <summary>
    /// Test accuracy after the same epochs depends on the seed by a point or two in every framework (initial weights,
    /// batch order), so one seed cannot tell whether two frameworks train equally well. This trains DeepTrain and
    /// PyTorch (TorchSharp seeds libtorch as PyTorch does and reaches the same accuracies) on seeds 1..n and
    /// compares the mean test accuracies.
    /// </summary>
    private static void CompareAccuracy(List<Config> configs, int seeds, string? pyScript, int maxWait)
    {
        Console.WriteLine();
        Console.WriteLine($"test accuracy over seeds 1..{seeds} ({configs[0].Epochs} epochs each; mean ± standard deviation):");
        var (self, selfArgs) = Worker("--accuracy-only");
        foreach (var cfg in configs)
        {
            var ours = new List<double>();
            var theirs = new List<double>();
            for (int seed = 1; seed <= seeds; seed++)
            {
                var c = cfg with { Seed = seed };
                ours.Add(RunChild("deeptrain", self, selfArgs.Concat(c.Args()), maxWait).Accuracy);
                if (pyScript is not null) theirs.Add(RunChild("pytorch", Python, new[] { pyScript }.Concat(c.Args()), maxWait).Accuracy);
            }
            Console.WriteLine($"  {cfg.Form,-5} deeptrain {string.Join(" ", ours.Select(a => F(a, 4)))}  mean {F(ours.Average(), 4)} ± {F(Std(ours), 4)}");
            if (theirs.Count > 0)
            {
                Console.WriteLine($"  {cfg.Form,-5} pytorch   {string.Join(" ", theirs.Select(a => F(a, 4)))}  mean {F(theirs.Average(), 4)} ± {F(Std(theirs), 4)}");
                Console.WriteLine($"test accuracy, mean over {seeds} seeds ({cfg.Form}): deeptrain {F(ours.Average(), 4)}, pytorch {F(theirs.Average(), 4)}, difference {F(100 * (ours.Average() - theirs.Average()), 2)} points");
            }
        }
    }

    private static double Std(List<double> v) =>
        v.Count < 2 ? 0 : Math.Sqrt(v.Sum(x => (x - v.Average()) * (x - v.Average())) / (v.Count - 1));

    /// <summary>One round of one configuration: each framework's result and the GEMM bound around DeepTrain's run.</summary>
    private sealed record Round(List<Result> Results, Bound Bound)
    {
        public double Sps(string framework) => Results.FirstOrDefault(r => r.Framework == framework)?.SamplesPerSecond ?? double.NaN;

        public double Ratio(string peer) => Sps("deeptrain") / Sps(peer);

        public double BoundRatio(int batch) => 1000.0 * batch / Sps("deeptrain") / Bound.Blas;
    }

    // The issue's three closing lines, each the median over the rounds of the ratio within a round.
    private static void PrintRatios(Config cfg, List<Round> rounds)
    {
        foreach (string peer in new[] { "torchsharp", "pytorch" })
            Console.WriteLine($"train ratio vs {peer} ({cfg.Form}): {F(Median(rounds.Select(r => r.Ratio(peer)).ToList()), 2)}");
        Console.WriteLine($"step time vs gemm bound ({cfg.Form}): {F(Median(rounds.Select(r => r.BoundRatio(cfg.Batch)).ToList()), 2)}");
    }

    private static void PrintDetail(Config cfg, List<Result> results, Bound bound)
    {
        Console.WriteLine($"[{cfg.Form}, {cfg.Network}, batch {cfg.Batch}, {cfg.Threads} thread{(cfg.Threads == 1 ? "" : "s")}, {cfg.Epochs} epochs]");
        Console.WriteLine($"  GEMM bound: the step's 8 products (forward X·W x{cfg.Hidden.Length + 1}, dW x{cfg.Hidden.Length + 1}, dX x{cfg.Hidden.Length}) take {F(bound.Blas, 3)} ms with OpenBLAS, {F(bound.Ours, 3)} ms with DeepTrain's Gemm ({cfg.Threads} threads; the mean of a measurement just before DeepTrain's run and one just after, each the median of 7; OpenBLAS {F(bound.Before.Blas, 3)} and {F(bound.After.Blas, 3)})  [{bound.Before.Load}; {bound.After.Load}]");
        foreach (var r in results)
        {
            string epochsText = r.Fields.GetValueOrDefault("epoch_s", "?");
            if (r.Framework == "deeptrain")
            {
                double stepMs = 1000.0 * cfg.Batch / r.SamplesPerSecond;
                Console.WriteLine($"  deeptrain:  {F0(r.SamplesPerSecond)} samples/s (epochs {epochsText} s), step {F(stepMs, 3)} ms = {F(stepMs / bound.Blas, 2)} x the GEMM bound; test accuracy {F(r.Accuracy, 4)}; peak working set {F0(r.Get("rss_mb"))} MB  [{r.Load}]");
                Console.WriteLine($"    one step in the mirror loop: {F(r.Get("step_ms"), 3)} ms = batch {F(r.Get("data_ms"), 3)} + forward {F(r.Get("fwd_ms"), 3)} + backward {F(r.Get("bwd_ms"), 3)} + optimizer {F(r.Get("opt_ms"), 3)} ms");
                Console.WriteLine($"    allocated: {F0(r.Get("alloc_per_step"))} bytes per steady-state step (mirror loop, {r.Fields.GetValueOrDefault("alloc_steps", "?")} steps); the fit loop: {F0(r.Get("fit_alloc_per_step"))} bytes per step including its per-epoch bookkeeping");
            }
            else if (r.Fields.ContainsKey("error"))
            {
                Console.WriteLine($"  {r.Framework + ":",-11} failed: {r.Fields["error"]}");
            }
            else
            {
                Console.WriteLine($"  {r.Framework + ":",-11} {F0(r.SamplesPerSecond)} samples/s (epochs {epochsText} s); test accuracy {F(r.Accuracy, 4)}; peak resident {F0(r.Get("rss_mb"))} MB  [{r.Load}]");
            }
        }
    }

    // DeepTrain's run between two measurements of the GEMM bound (the host's speed drifts between them, and their mean
    // is the better estimate of the bound during the run), then the peers.
    private static (List<Result> Results, Bound Bound) RunAll(Config cfg, string? torchSharp, string? pyScript, bool haveBlas, int maxWait)
    {
        var results = new List<Result>();
        var (self, selfArgs) = Worker();
        var before = GemmBound(cfg.Batch, cfg.Hidden, cfg.Threads, haveBlas, maxWait);
        results.Add(RunChild("deeptrain", self, selfArgs.Concat(cfg.Args()), maxWait));
        var after = GemmBound(cfg.Batch, cfg.Hidden, cfg.Threads, haveBlas, maxWait);
        if (torchSharp is not null)
        {
            bool apphost = !torchSharp.EndsWith(".dll", StringComparison.Ordinal);
            results.Add(RunChild("torchsharp", apphost ? torchSharp : "dotnet", (apphost ? [] : new[] { torchSharp }).Concat(cfg.Args()), maxWait));
        }
        if (pyScript is not null)
            results.Add(RunChild("pytorch", Python, new[] { pyScript }.Concat(cfg.Args()), maxWait));
        return (results, new Bound(before, after));
    }

    // This program again, as the train-worker child (through `dotnet` when it was started as a dll).
    private static (string File, List<string> Args) Worker(params string[] extra)
    {
        string self = Environment.ProcessPath ?? "dotnet";
        var args = new List<string>();
        if (Path.GetFileNameWithoutExtension(self) == "dotnet") args.Add(typeof(TrainBench).Assembly.Location);
        args.Add("train-worker");
        args.AddRange(extra);
        return (self, args);
    }

    private static Result RunChild(string framework, string file, IEnumerable<string> args, int maxWait)
    {
        string load = WaitForQuiet(maxWait);
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        string? line = stdout.Split('\n').LastOrDefault(l => l.StartsWith("RESULT ", StringComparison.Ordinal));
        if (line is null)
        {
            string tail = string.Join(" | ", (stdout + "\n" + stderr.Result).Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(4));
            return new Result(framework, new() { ["error"] = $"exit code {p.ExitCode}, no RESULT line: {tail}" }, load);
        }
        var fields = new Dictionary<string, string>();
        foreach (string kv in line["RESULT ".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = kv.IndexOf('=');
            if (eq > 0) fields[kv[..eq]] = kv[(eq + 1)..];
        }
        return new Result(framework, fields, load);
    }

    // ------------------------------------------------------------------ the DeepTrain worker (a child process)

    /// <summary>The <c>train-worker</c> command: trains DeepTrain on one configuration with the fit loop, evaluates it,
    /// then times a mirror of the fit loop's step by phases and counts its allocations; prints one RESULT line.</summary>
    public static int RunWorker(string[] args)
    {
        string form = "bn";
        int epochs = 5, batch = 64, threads = 2, train = 55_000, seed = 42;
        bool accuracyOnly = false;
        int[] hidden = [300, 100];
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--form": form = args[++i]; break;
                case "--epochs": epochs = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--batch": batch = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--threads": threads = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--train": train = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--hidden": hidden = SplitList(args[++i]).Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray(); break;
                case "--seed": seed = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--accuracy-only": accuracyOnly = true; break;
                default: Console.Error.WriteLine($"train-worker: unknown option '{args[i]}'"); return 2;
            }
        }
        Gemm.MaxThreads = threads;
        var (fullTrain, test) = KnownDatasets.Load("fashion-mnist");
        var trainSet = fullTrain.Subset(Enumerable.Range(0, Math.Min(train, fullTrain.Count)).ToArray());
        fullTrain = null!;
        GC.Collect();

        var model = new MlpBuilder { Hidden = hidden, BatchNorm = form == "bn" }.Build(trainSet.Features, 10, (ulong)seed);
        var optimizer = new Adam(model.TrainableParameters(), 0.001f);
        var options = new FitOptions
        {
            Optimizer = optimizer, Epochs = epochs, BatchSize = batch, Shuffle = true, Seed = seed,
            Progress = ProgressMode.None, Metrics = [],
        };
        var history = model.Fit(trainSet, null, options);
        var perEpoch = history["seconds"].ToArray();
        var sps = history["samples_per_second"].ToList();
        var steady = sps.Count > 1 ? sps.Skip(1).ToList() : sps;
        double samplesPerSecond = Median(steady);
        double accuracy = model.Evaluate(test).Accuracy;
        if (accuracyOnly)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"RESULT framework=deeptrain form={form} seed={seed} samples_per_s={samplesPerSecond:F0} test_acc={accuracy:F4}"));
            return 0;
        }

        // The fit loop's own allocations per step: a 2-epoch fit minus a 1-epoch fit, so the per-call setup (the step
        // scope's pool filling on the first step, the iterator) cancels and the per-epoch bookkeeping remains.
        long FitAllocated(int n)
        {
            options.Epochs = n;
            long before = GC.GetAllocatedBytesForCurrentThread();
            model.Fit(trainSet, null, options);
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }
        double fitAlloc = (double)(FitAllocated(2) - FitAllocated(1)) / ((trainSet.Count + batch - 1) / batch);

        var phases = MirrorLoop(model, optimizer, trainSet, batch, seed, out double allocPerStep, out int allocSteps);
        double peakMb = Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024.0);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"RESULT framework=deeptrain form={form} batch={batch} threads={threads} hidden={string.Join(",", hidden)} epochs={epochs} " +
            $"samples_per_s={samplesPerSecond:F0} epoch_s={string.Join(",", perEpoch.Select(s => s.ToString("F3", CultureInfo.InvariantCulture)))} " +
            $"test_acc={accuracy:F4} rss_mb={peakMb:F0} step_ms={phases.Sum():F4} data_ms={phases[0]:F4} fwd_ms={phases[1]:F4} bwd_ms={phases[2]:F4} " +
            $"opt_ms={phases[3]:F4} alloc_per_step={allocPerStep:F1} alloc_steps={allocSteps} fit_alloc_per_step={fitAlloc:F1}"));
        return 0;
    }

    /// <summary>
    /// A copy of the fit loop's step (Trainer.Loop without callbacks, metrics and penalties) with a stopwatch
    /// between the phases: batch conversion, forward (model and loss), backward (including closing the step scope,
    /// which returns the intermediates to the pool), optimizer (Step and ZeroGrad). Returns ms per step of each
    /// phase, averaged over one epoch after a warm-up, and the bytes allocated per step over that epoch.
    /// </summary>
    private static double[] MirrorLoop(Module model, Optimizer optimizer, Dataset train, int batch, int seed, out double allocPerStep, out int steps)
    {
        var scope = new StepScope();
        var labels = new int[batch];
        var iterator = new BatchIterator(train.Count, batch, shuffle: true, seed + 1);
        var loss = Loss.SparseCategoricalCrossEntropy;
        var ticks = new long[4];
        model.Train();
        steps = 0;
        allocPerStep = 0;
        for (int pass = 0; pass < 2; pass++)
        {
            Array.Clear(ticks);
            var epoch = iterator.NextEpoch();
            int count = 0;
            long allocBefore = GC.GetAllocatedBytesForCurrentThread();
            foreach (var idx in epoch)
            {
                if (idx.Length != batch) continue; // full batches only: the steady state
                long t0 = Stopwatch.GetTimestamp(), t1, t2, t3;
                using (scope.Open())
                {
                    var x = Tensor.Empty(new Shape(batch, train.Features));
                    var y = labels.AsSpan(0, batch);
                    train.GetBatch(idx, x.Data, y);
                    t1 = Stopwatch.GetTimestamp();
                    var output = model.Forward(x);
                    var l = loss.Compute(output, x, y);
                    _ = l.ToScalar();
                    t2 = Stopwatch.GetTimestamp();
                    l.Backward();
                }
                t3 = Stopwatch.GetTimestamp();
                optimizer.Step();
                optimizer.ZeroGrad();
                long t4 = Stopwatch.GetTimestamp();
                ticks[0] += t1 - t0; ticks[1] += t2 - t1; ticks[2] += t3 - t2; ticks[3] += t4 - t3;
                count++;
            }
            allocPerStep = (double)(GC.GetAllocatedBytesForCurrentThread() - allocBefore) / Math.Max(1, count);
            steps = count;
        }
        int n = Math.Max(1, steps);
        return ticks.Select(t => t * 1000.0 / Stopwatch.Frequency / n).ToArray();
    }

    // ------------------------------------------------------------------ the GEMM bound

    /// <summary>
    /// Median time (ms) of one step's matrix products alone, with OpenBLAS and with DeepTrain's Gemm, interleaved:
    /// per layer l (in → out) the forward X·W [batch×in]·[in×out], the weight gradient Xᵀ·dZ, and, for every layer
    /// but the first, the input gradient dZ·Wᵀ.
    /// </summary>
    /// <summary>The GEMM bound of one run: the mean of the measurements before and after it.</summary>
    private sealed record Bound((double Blas, double Ours, string Load) Before, (double Blas, double Ours, string Load) After)
    {
        public double Blas => (Before.Blas + After.Blas) / 2;
        public double Ours => (Before.Ours + After.Ours) / 2;
    }

    private static (double Blas, double Ours, string Load) GemmBound(int batch, int[] hidden, int threads, bool haveBlas, int maxWait)
    {
        string load = WaitForQuiet(maxWait);
        int[] widths = [784, .. hidden, 10];
        var products = new List<(bool TA, bool TB, int M, int N, int K, float[] A, float[] B, float[] C, float Beta)>();
        var rng = new Random(7);
        float[] Rand(int n) { var a = new float[n]; for (int i = 0; i < n; i++) a[i] = (float)(rng.NextDouble() - 0.5) * 0.01f; return a; }
        for (int l = 0; l + 1 < widths.Length; l++)
        {
            int fin = widths[l], fout = widths[l + 1];
            float[] x = Rand(batch * fin), w = Rand(fin * fout), z = Rand(batch * fout), dw = Rand(fin * fout);
            products.Add((false, false, batch, fout, fin, x, w, Rand(batch * fout), 0f));   // Z = X·W
            products.Add((true, false, fin, fout, batch, x, z, dw, 1f));                   // dW += Xᵀ·dZ
            if (l > 0) products.Add((false, true, batch, fin, fout, z, w, Rand(batch * fin), 1f)); // dX += dZ·Wᵀ
        }
        int savedThreads = Gemm.MaxThreads;
        Gemm.MaxThreads = Math.Min(threads, Environment.ProcessorCount);
        if (haveBlas) OpenBlas.SetThreads(threads);
        void Step(bool blas)
        {
            foreach (var p in products)
            {
                int lda = p.TA ? p.M : p.K, ldb = p.TB ? p.K : p.N;
                if (blas)
                    fixed (float* a = p.A, b = p.B, c = p.C)
                        OpenBlas.Sgemm(p.TA, p.TB, p.M, p.N, p.K, 1f, a, lda, b, ldb, p.Beta, c, p.N);
                else
                    Gemm.Sgemm(p.TA, p.TB, p.M, p.N, p.K, 1f, p.A, lda, p.B, ldb, p.Beta, p.C, p.N);
            }
        }
        double Time(bool blas, int reps)
        {
            long t0 = Stopwatch.GetTimestamp();
            for (int r = 0; r < reps; r++) Step(blas);
            return Stopwatch.GetElapsedTime(t0).TotalMilliseconds / reps;
        }
        try
        {
            for (int w = 0; w < 3; w++) { if (haveBlas) Time(true, 20); Time(false, 20); }
            double one = Time(false, 10);
            int reps = Math.Max(5, (int)(100 / Math.Max(1e-3, one))); // ~0.1 s per sample
            var blasTimes = new List<double>();
            var ourTimes = new List<double>();
            for (int s = 0; s < 7; s++)
            {
                if (haveBlas) blasTimes.Add(Time(true, reps));
                ourTimes.Add(Time(false, reps));
            }
            return (haveBlas ? Median(blasTimes) : double.NaN, Median(ourTimes), load);
        }
        finally
        {
            Gemm.MaxThreads = savedThreads;
        }
    }

    // ------------------------------------------------------------------ peers and the machine

    private static string? FindTorchSharpPeer(out string why)
    {
        string? root = RepoRoot();
        string dir = Path.Combine(root ?? ".", "bench", "DeepTrain.Bench.Peers", "bin", "Release", "net10.0", "linux-x64");
        string apphost = Path.Combine(dir, "DeepTrain.Bench.Peers"), dll = apphost + ".dll";
        why = "";
        if (File.Exists(apphost)) return apphost;
        if (File.Exists(dll)) return dll;
        why = $"its build output is missing ({dll}); build it with: dotnet build -c Release bench/DeepTrain.Bench.Peers (downloads TorchSharp-cpu, ~600 MB)";
        return null;
    }

    private static string? FindPyTorchPeer(out string why)
    {
        string? root = RepoRoot();
        string script = Path.Combine(root ?? ".", "bench", "peers", "pytorch_train.py");
        if (!File.Exists(script)) { why = $"{script} is missing"; return null; }
        if (!File.Exists(Python)) { why = $"{Python} is missing (apt-get install -y python3-torch libopenblas0-openmp)"; return null; }
        try
        {
            var psi = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add("import torch, numpy; print(torch.__version__, numpy.__version__)");
            using var p = Process.Start(psi)!;
            string output = p.StandardOutput.ReadToEnd().Trim();
            p.WaitForExit();
            if (p.ExitCode != 0) { why = $"{Python} -c \"import torch\" failed (apt-get install -y python3-torch libopenblas0-openmp)"; return null; }
            string[] v = output.Split(' ');
            why = $"torch {v[0]}, numpy {v.ElementAtOrDefault(1)}; BLAS: {TorchBlas()}";
            return script;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            why = $"{Python} could not be started: {e.Message}";
            return null;
        }
    }

    // Which libblas.so.3 Debian's alternatives point at (python3-torch links libblas.so.3).
    private static string TorchBlas()
    {
        try
        {
            var target = new FileInfo("/usr/lib/x86_64-linux-gnu/libblas.so.3").ResolveLinkTarget(returnFinalTarget: true);
            string path = target?.FullName ?? "/usr/lib/x86_64-linux-gnu/libblas.so.3";
            return path.Contains("openblas-openmp") ? $"OpenBLAS (OpenMP) via {path}"
                : path.Contains("openblas-pthread") ? $"OpenBLAS (pthreads: slow next to torch's OpenMP; install libopenblas0-openmp) via {path}"
                : $"{path} (reference BLAS? install libopenblas0-openmp)";
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    private static string? RepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "DeepTrain.sln"))) return d.FullName;
        for (var d = new DirectoryInfo(Environment.CurrentDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "DeepTrain.sln"))) return d.FullName;
        return null;
    }

    /// <summary>Waits (up to <paramref name="maxWait"/> s) until the CPUs were under 25% busy over one second;
    /// returns the load average and that busy share, for the record.</summary>
    private static string WaitForQuiet(int maxWait)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            double busy = BusyShare();
            double load = LoadAverage();
            if (busy < 0.25 || clock.Elapsed.TotalSeconds >= maxWait || double.IsNaN(busy))
            {
                string waited = clock.Elapsed.TotalSeconds >= 2 ? $", waited {clock.Elapsed.TotalSeconds:F0} s" : "";
                string warn = busy >= 0.25 ? " NOT QUIET" : "";
                return string.Create(CultureInfo.InvariantCulture, $"load {load:F2}, busy {busy * 100:F0}%{waited}{warn}");
            }
            Thread.Sleep(3000);
        }
    }

    private static double LoadAverage()
    {
        try { return double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture); }
        catch (IOException) { return double.NaN; }
    }

    private static double BusyShare()
    {
        static (long Idle, long Total)? Read()
        {
            try
            {
                string[] f = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
                long[] v = f.Skip(1).Select(s => long.Parse(s, CultureInfo.InvariantCulture)).ToArray();
                return (v[3] + v[4], v.Take(8).Sum()); // idle + iowait; user..steal
            }
            catch (IOException) { return null; }
        }
        var a = Read();
        Thread.Sleep(1000);
        var b = Read();
        if (a is null || b is null || b.Value.Total == a.Value.Total) return double.NaN;
        return 1.0 - (double)(b.Value.Idle - a.Value.Idle) / (b.Value.Total - a.Value.Total);
    }

    // ------------------------------------------------------------------ helpers

    private static string[] SplitList(string s) => s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    private static string Inv(int v) => v.ToString(CultureInfo.InvariantCulture);
    private static string F(double v, int digits) => double.IsFinite(v) ? v.ToString("F" + digits, CultureInfo.InvariantCulture) : "n/a";
    private static string F0(double v) => double.IsFinite(v) ? v.ToString("N0", CultureInfo.InvariantCulture) : "n/a";

    private static double Median(List<double> values)
    {
        if (values.Count == 0) return double.NaN;
        var s = values.OrderBy(v => v).ToList();
        return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
    }
}
