using System.Diagnostics;
using System.Globalization;
using DeepTrain.Autograd;
using DeepTrain.Data;
using DeepTrain.Kernels;
using DeepTrain.Layers;
using DeepTrain.Onnx;
using DeepTrain.Optimizers;
using DeepTrain.Tensors;
using DeepTrain.Training;
using Microsoft.ML.OnnxRuntime;
using Tensor = DeepTrain.Tensors.Tensor;

namespace DeepTrain.Bench;

/// <summary>
/// The <c>predict</c> command: inference of the seed network 784-300-100-10 (ELU, He, BatchNorm) in DeepTrain and,
/// with the same weights exported to ONNX, in ONNX Runtime (2 intra-op threads), interleaved in one run:
/// batch-1 latency (median µs per call) and batch-1024 throughput (rows/s from the median call time).
/// DeepTrain runs the model's forward in inference mode under NoGrad inside a reused <see cref="StepScope"/>, so a
/// call allocates nothing; <c>Predict(Tensor)</c> (which allocates its intermediates and clones the result) is
/// timed too, at batch 1.
/// </summary>
internal static class PredictBench
{
    /// <summary>Runs the benchmark. Options: --rounds R (interleaved rounds, default 10), --calls N (batch-1 calls per round and engine, default 300),
    /// --big-calls N (batch-1024 calls per round and engine, default 4), --explicit-bn (export BatchNorm as nodes instead of folding it),
    /// --ort-no-spin (ONNX Runtime's idle pool threads block instead of spinning: its spinning threads otherwise keep
    /// competing for the 2 cores while DeepTrain runs).</summary>
    public static int Run(string[] args)
    {
        int rounds = 10, calls = 300, bigCalls = 4;
        bool fold = true, ortSpin = true;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--rounds": rounds = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--calls": calls = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--big-calls": bigCalls = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--explicit-bn": fold = false; break;
                case "--ort-no-spin": ortSpin = false; break;
                default:
                    Console.Error.WriteLine($"predict: unknown option '{args[i]}'");
                    return 2;
            }
        }
        if (rounds < 1 || calls < 1 || bigCalls < 1)
        {
            Console.Error.WriteLine($"predict: --rounds, --calls and --big-calls must be >= 1: got {rounds}, {calls}, {bigCalls}");
            return 2;
        }

        // The seed network, trained briefly so the BatchNorm statistics are real ones.
        var (train, test) = KnownDatasets.Load("digits");
        var model = new MlpBuilder { Hidden = [300, 100], Activation = Activation.Elu(), Initializer = Init.Initializer.HeNormal, BatchNorm = true }.Build(784, 10, 42);
        model.Fit(train.Subset(Enumerable.Range(0, 2048).ToArray()), null, new FitOptions
        {
            Optimizer = new Adam(model.Parameters()), Epochs = 1, BatchSize = 64, Progress = ProgressMode.None,
        });
        model.Eval();
        byte[] onnx = OnnxExporter.ToBytes(model, new OnnxExportOptions { FoldBatchNorm = fold });

        Console.WriteLine($"DeepTrain vs ONNX Runtime inference, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, .NET {Environment.Version}; GEMM {(Gemm.IsAvx512Accelerated ? "AVX-512 6x32" : Gemm.IsAvx2Accelerated ? "AVX2+FMA 6x16" : "portable")}, up to {Gemm.MaxThreads} threads");
        Console.WriteLine($"model: 784-300-100-10, ELU, He, BatchNorm ({model.Parameters().Sum(p => p.Length):N0} parameters); ONNX {onnx.Length / 1024.0:F0} KiB, BatchNorm {(fold ? "folded into Gemm" : "as BatchNormalization nodes")}");
        Console.WriteLine($"ONNX Runtime {OrtEnv.Instance().GetVersionString()}, CPU provider, intra-op threads 2, inter-op 1, graph optimization ALL, idle threads {(ortSpin ? "spin (its default)" : "block (--ort-no-spin)")}");
        Console.WriteLine($"{rounds} interleaved rounds; batch 1: {calls} calls per round and engine; batch 1024: {bigCalls} calls per round and engine");
        Console.WriteLine();

        using var options = new SessionOptions { IntraOpNumThreads = 2, InterOpNumThreads = 1, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL };
        if (!ortSpin) options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        using var session = new InferenceSession(onnx, options);
        using var runOptions = new RunOptions();

        var small = new Engines(model, session, runOptions, Images(test, 1));
        var big = new Engines(model, session, runOptions, Images(test, 1024));
        Console.WriteLine($"max |ORT − DeepTrain|: batch 1 {small.MaxDiff():E2}, batch 1024 {big.MaxDiff():E2}");

        // warm-up: JIT tiers, pools, ORT's arena
        for (int i = 0; i < 200; i++) { small.DeepTrain(); small.Ort(); small.Predict(); }
        for (int i = 0; i < 5; i++) { big.DeepTrain(); big.Ort(); }

        var dt1 = new List<double>(); var ort1 = new List<double>(); var pred1 = new List<double>();
        var dtBig = new List<double>(); var ortBig = new List<double>();
        for (int r = 0; r < rounds; r++)
        {
            // alternate which engine goes first, so drift in the machine's speed hits both alike
            if (r % 2 == 0) { Time(small.DeepTrain, calls, dt1); Time(small.Ort, calls, ort1); Time(small.Predict, calls, pred1); }
            else { Time(small.Predict, calls, pred1); Time(small.Ort, calls, ort1); Time(small.DeepTrain, calls, dt1); }
            if (r % 2 == 0) { Time(big.DeepTrain, bigCalls, dtBig); Time(big.Ort, bigCalls, ortBig); }
            else { Time(big.Ort, bigCalls, ortBig); Time(big.DeepTrain, bigCalls, dtBig); }
        }

        double mDt = Median(dt1), mOrt = Median(ort1), mPred = Median(pred1);
        double tDt = 1024 / Median(dtBig) * 1e6, tOrt = 1024 / Median(ortBig) * 1e6;
        Console.WriteLine();
        Console.WriteLine($"{"",-44} {"DeepTrain",12} {"ONNX Runtime",13} {"DeepTrain/ORT",14}");
        Console.WriteLine($"{"batch 1 latency, median µs (forward in scope)",-44} {mDt,12:F1} {mOrt,13:F1} {mDt / mOrt,13:F2}x");
        Console.WriteLine($"{"batch 1 latency, median µs (Predict(Tensor))",-44} {mPred,12:F1} {mOrt,13:F1} {mPred / mOrt,13:F2}x");
        Console.WriteLine($"{"batch 1 latency, p90 µs (forward in scope)",-44} {Percentile(dt1, 0.9),12:F1} {Percentile(ort1, 0.9),13:F1}");
        Console.WriteLine($"{"batch 1024 throughput, rows/s",-44} {tDt,12:N0} {tOrt,13:N0} {tDt / tOrt,13:F2}x");
        Console.WriteLine($"{"batch 1024, median ms per call",-44} {Median(dtBig) / 1000,12:F2} {Median(ortBig) / 1000,13:F2}");
        Console.WriteLine("(latency ratio > 1: DeepTrain slower; throughput ratio > 1: DeepTrain faster)");
        return 0;
    }

    private static Tensor Images(Dataset data, int rows)
    {
        var x = Tensor.Zeros(rows, data.Features);
        data.GetBatch(Enumerable.Range(0, rows).Select(i => i % data.Count).ToArray(), x.Data, new int[rows]);
        return x;
    }

    private static void Time(Action call, int count, List<double> microseconds)
    {
        for (int i = 0; i < count; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            call();
            microseconds.Add(Stopwatch.GetElapsedTime(t0).TotalMicroseconds);
        }
    }

    private static double Median(List<double> values) => Percentile(values, 0.5);

    private static double Percentile(List<double> values, double q)
    {
        var sorted = values.ToArray();
        Array.Sort(sorted);
        return sorted[(int)Math.Min(sorted.Length - 1, Math.Round(q * (sorted.Length - 1)))];
    }

    /// <summary>One batch, both engines, each writing into its own preallocated output.</summary>
    private sealed class Engines
    {
        private readonly Sequential _model;
        private readonly InferenceSession _session;
        private readonly RunOptions _runOptions;
        private readonly Tensor _x;
        private readonly StepScope _scope = new();
        private readonly float[] _dtOut, _ortOut;
        private readonly OrtValue[] _ortIn, _ortOutValue;
        private readonly string[] _inNames = ["input"], _outNames = ["output"];

        public Engines(Sequential model, InferenceSession session, RunOptions runOptions, Tensor x)
        {
            _model = model; _session = session; _runOptions = runOptions; _x = x;
            int rows = x.Shape[0];
            _dtOut = new float[rows * 10];
            _ortOut = new float[rows * 10];
            _ortIn = [OrtValue.CreateTensorValueFromMemory(x.ToArray(), [rows, x.Shape[1]])];
            _ortOutValue = [OrtValue.CreateTensorValueFromMemory(_ortOut, [rows, 10])];
        }

        public void DeepTrain()
        {
            using var _ = GradMode.NoGrad();
            using (_scope.Open()) _model.Forward(_x).Data.CopyTo(_dtOut);
        }

        public void Predict() => _model.Predict(_x);

        public void Ort() => _session.Run(_runOptions, _inNames, _ortIn, _outNames, _ortOutValue);

        public float MaxDiff()
        {
            DeepTrain();
            Ort();
            float m = 0;
            for (int i = 0; i < _dtOut.Length; i++) m = MathF.Max(m, MathF.Abs(_dtOut[i] - _ortOut[i]));
            return m;
        }
    }
}
