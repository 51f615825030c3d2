using DeepTrain.Init;
using DeepTrain.Layers;
using DeepTrain.Optimizers;
using DeepTrain.Tensors;
using DeepTrain.Training;
using static Playbook.Common;

namespace Playbook;

/// <summary>Section 2: Glorot and He initialization.</summary>
public static class S02Initialization
{
    /// <summary>Runs the section.</summary>
    public static Figures Run(PlaybookOptions o)
    {
        var (train, valid, _) = Load(o);
        Title(o, "2. Glorot and He initialization", train, valid);
        var figures = new Figures();

        // (a) Every preset is a VarianceScaling: its target variance against what it draws for a 784 x 300 kernel.
        var presets = new[]
        {
            Initializer.GlorotUniform, Initializer.GlorotNormal, Initializer.HeNormal, Initializer.HeUniform,
            Initializer.LeCunNormal, Initializer.StandardUniform,
            new VarianceScaling(scale: 2f, mode: FanMode.FanAvg, distribution: Distribution.Uniform, name: "custom: 2/fan_avg uniform"),
        };
        var rng = new Rng((ulong)o.Seed);
        var rows = new List<string[]>();
        foreach (var init in presets)
        {
            var w = Tensor.Zeros(784, 300);
            init.Fill(w, rng);
            var d = w.ToArray();
            double mean = d.Average(), variance = d.Sum(v => (v - mean) * (v - mean)) / d.Length;
            double target = ((VarianceScaling)init).TargetVariance(w.Shape);
            figures[init.Name + ".variance"] = variance;
            rows.Add([init.Name, E(target), E(variance)]);
        }
        o.Output.WriteLine("(a) a 784 x 300 kernel: the variance each initializer aims at and the one it drew");
        Table(o, ["initializer", "target", "measured"], rows);

        // (b) The same 10-layer ELU stack, trained for the same budget, from three initializations.
        int epochs = o.Pick(3, 1), units = o.Pick(100, 32);
        rows.Clear();
        foreach (var init in new[] { Initializer.RandomNormal(), Initializer.GlorotUniform, Initializer.HeNormal })
        {
            var model = S01Gradients.DeepStack(10, units, Activation.Elu(), init, batchNorm: false, train.Classes, (ulong)o.Seed);
            var options = Options(o, new Sgd(model.Parameters(), learningRate: 0.01f, momentum: 0.9f), epochs);
            string acc;
            try
            {
                var (a, _, _) = FitTimed(model, train, valid, options);
                acc = F(a);
                figures[init.Name + ".val_accuracy"] = a;
            }
            catch (DeepTrain.Training.TrainingDivergedException e) { acc = $"diverged at step {e.Step}"; figures[init.Name + ".val_accuracy"] = double.NaN; }
            rows.Add([init.Name, acc]);
        }
        o.Output.WriteLine($"(b) 10 x {units} ELU, SGD momentum 0.9, lr 0.01, {epochs} epoch(s): validation accuracy");
        Table(o, ["initializer", "val accuracy"], rows);
        return figures;
    }
}
