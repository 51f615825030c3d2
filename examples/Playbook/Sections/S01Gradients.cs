using DeepTrain.Data;
using DeepTrain.Diagnostics;
using DeepTrain.Init;
using DeepTrain.Layers;
using DeepTrain.Optimizers;
using DeepTrain.Tensors;
using DeepTrain.Training;
using static Playbook.Common;

namespace Playbook;

/// <summary>Section 1: unstable gradients, and how to see them.</summary>
public static class S01Gradients
{
    /// <summary>A deep stack of equal hidden layers (optionally with BatchNorm before each activation).</summary>
    public static Sequential DeepStack(int depth, int units, Activation activation, Initializer init, bool batchNorm, int classes, ulong seed)
    {
        var model = new Sequential(784, seed);
        for (int i = 1; i <= depth; i++)
        {
            if (batchNorm)
            {
                model.Add(new Dense(units, kernelInitializer: init, useBias: false, name: $"hidden{i}"));
                model.Add(new BatchNorm(name: $"bn{i}"));
                model.Add(new ActivationLayer(activation, name: $"act{i}"));
            }
            else
            {
                model.Add(new Dense(units, activation, init, name: $"hidden{i}"));
            }
        }
        model.Add(new Dense(classes, name: "output"));
        return model;
    }

    /// <summary>A batch of <paramref name="rows"/> examples as a tensor, with its labels.</summary>
    public static (Tensor X, int[] Labels) Batch(Dataset data, int rows)
    {
        rows = Math.Min(rows, data.Count);
        var x = new float[rows * data.Features];
        var y = new int[rows];
        data.GetBatch(Enumerable.Range(0, rows).ToArray(), x, y);
        return (Tensor.FromArray(x, rows, data.Features), y);
    }

    /// <summary>Runs the section.</summary>
    public static Figures Run(PlaybookOptions o)
    {
        var (train, valid, _) = Load(o);
        Title(o, "1. Unstable gradients: per-layer statistics of a 10-layer stack", train);
        int depth = 10, units = o.Pick(100, 50);
        var (x, labels) = Batch(valid, 256);
        var settings = new (string Label, Activation Act, Initializer Init, bool Bn)[]
        {
            ("logistic + standard U(+-1/sqrt(n))", Activation.Sigmoid, Initializer.StandardUniform, false),
            ("logistic + N(0,1)", Activation.Sigmoid, Initializer.RandomNormal(), false),
            ("ELU + N(0,1)", Activation.Elu(), Initializer.RandomNormal(), false),
            ("ELU + He", Activation.Elu(), Initializer.HeNormal, false),
            ("logistic + N(0,1) + BatchNorm", Activation.Sigmoid, Initializer.RandomNormal(), true),
        };
        var figures = new Figures();
        var rows = new List<string[]>();
        var verdicts = new List<string>();
        foreach (var (label, act, init, bn) in settings)
        {
            var model = DeepStack(depth, units, act, init, bn, train.Classes, (ulong)o.Seed);
            // One look at initialization: a forward and backward pass that changes nothing.
            var stats = StatsRecorder.Analyze(model, x, labels);
            // A second look after some training: the recorder is an ordinary callback.
            var recorder = new StatsRecorder(model, every: 10);
            int steps = o.Pick(100, 10);
            var fit = train.TakePerClass(Math.Max(1, steps * 64 / train.Classes), o.Seed);
            var options = Options(o, new Sgd(model.Parameters(), learningRate: 0.01f), epochs: 1);
            options.Callbacks.Add(recorder);
            string after;
            try
            {
                model.Fit(fit, null, options);
                var last = recorder.Records.GroupBy(r => r.Step).Last().ToList();
                after = E(Ratio(last));
            }
            catch (TrainingDivergedException e) { after = $"diverged at step {e.Step}"; }
            double ratio = Ratio(stats), wratio = stats[0].WeightGradNorm / stats[depth - 1].WeightGradNorm;
            double saturated = stats.Take(depth).Average(s => s.SaturatedFraction);
            string key = label.Split(' ')[0].ToLowerInvariant() + "+" + (init.Name) + (bn ? "+bn" : "");
            figures[key + ".grad_ratio"] = ratio;
            figures[key + ".weight_grad_ratio"] = wratio;
            figures[key + ".saturated"] = saturated;
            rows.Add([label, E(ratio), E(wratio), F(saturated * 100, "F0") + "%", after]);
            verdicts.Add($"{label}: {string.Join("; ", Verdict.Lines(stats).Take(2))}{(Verdict.Assess(stats).Count > 2 ? $" (+{Verdict.Assess(stats).Count - 2} more)" : "")}");
        }
        o.Output.WriteLine($"at initialization, 256 validation images; then after {o.Pick(100, 10)} SGD steps (lr 0.01)");
        Table(o, ["setting", "grad bottom/top", "dW bottom/top", "saturated", "grad bottom/top later"], rows);
        o.Output.WriteLine("verdicts at initialization:");
        foreach (var v in verdicts) o.Output.WriteLine("  " + v);
        return figures;
    }

    // The RMS of dLoss/d(output) of the bottom hidden layer over the top hidden layer's (the output layer is last).
    private static double Ratio(IReadOnlyList<LayerStats> stats) => stats[0].OutputGradRms / stats[^2].OutputGradRms;
}
