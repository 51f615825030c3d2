using DeepTrain.Init;
using DeepTrain.Layers;
using DeepTrain.Ops;
using DeepTrain.Optimizers;
using DeepTrain.Tensors;
using DeepTrain.Training;
using static Playbook.Common;

namespace Playbook;

/// <summary>Section 5: gradient clipping.</summary>
public static class S05Clipping
{
    /// <summary>Records the global gradient norm of every step, before the optimizer clips it.</summary>
    public sealed class GradientNormLog : Callback
    {
        /// <summary>The norms, one per step.</summary>
        public List<double> Norms { get; } = [];

        /// <inheritdoc/>
        public override void OnBackwardEnd(TrainingContext context)
        {
            double ss = 0;
            foreach (var p in context.Model.Parameters())
                if (p.HasGrad) foreach (var g in p.Grad) ss += (double)g * g;
            Norms.Add(Math.Sqrt(ss));
        }
    }

    /// <summary>Runs the section.</summary>
    public static Figures Run(PlaybookOptions o)
    {
        var figures = new Figures();
        o.Output.WriteLine("== 5. Gradient clipping");

        // (a) The three rules on two gradients, [3, 4] (norm 5) and [12] (norm 12); the global norm is 13.
        o.Output.WriteLine("(a) gradients [3, 4] and [12], threshold 1");
        foreach (var mode in new[] { ClipMode.Value, ClipMode.Norm, ClipMode.GlobalNorm })
        {
            var a = Tensor.Zeros(2); a.RequiresGrad = true;
            var b = Tensor.Zeros(1); b.RequiresGrad = true;
            var loss = Ops.Sum(a * Tensor.FromArray(new float[] { 3, 4 }, 2)) + Ops.Sum(b * Tensor.FromArray(new float[] { 12 }, 1));
            loss.Backward();
            new GradientClipping(mode, 1f).Apply([a, b]);
            o.Output.WriteLine($"    {mode,-10} -> [{F(a.Grad[0], "F3")}, {F(a.Grad[1], "F3")}] and [{F(b.Grad[0], "F3")}]");
            figures[mode + ".b"] = b.Grad[0];
        }

        // (b) A 10-layer ELU stack with N(0,1) weights has huge gradients; clipping the global norm tames them.
        var (train, valid, _) = Load(o);
        Title(o, "(b) 10 x ELU, N(0,1) init, SGD lr 0.01", train, valid);
        int epochs = o.Pick(2, 1), units = o.Pick(100, 32);
        var rows = new List<string[]>();
        foreach (var clip in new GradientClipping?[] { null, new(ClipMode.GlobalNorm, 1f), new(ClipMode.Value, 0.5f) })
        {
            var model = S01Gradients.DeepStack(10, units, Activation.Elu(), Initializer.RandomNormal(), false, train.Classes, (ulong)o.Seed);
            var optimizer = new Sgd(model.Parameters(), learningRate: 0.01f) { Clipping = clip };
            var log = new GradientNormLog();
            var options = Options(o, optimizer, epochs);
            options.Callbacks.Add(log);
            string label = clip is null ? "no clipping" : $"{clip.Mode} {F(clip.Threshold, "G3")}";
            string result;
            try
            {
                var (acc, _, _) = FitTimed(model, train, valid, options);
                result = F(acc);
                figures[label + ".val_accuracy"] = acc;
            }
            catch (TrainingDivergedException e) { result = $"diverged at step {e.Step}"; figures[label + ".val_accuracy"] = double.NaN; }
            var sorted = log.Norms.Where(double.IsFinite).Order().ToArray();
            rows.Add([label, sorted.Length == 0 ? "-" : E(sorted[sorted.Length / 2]), sorted.Length == 0 ? "-" : E(sorted[^1]), result]);
        }
        Table(o, ["rule", "median grad norm", "max grad norm", "val accuracy"], rows);
        return figures;
    }
}
