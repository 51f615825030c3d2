using DeepTrain.Layers;
using DeepTrain.Optimizers;
using DeepTrain.Training;
using static Playbook.Common;

namespace Playbook;

/// <summary>Section 9: the fast optimizers.</summary>
public static class S09Optimizers
{
    /// <summary>Runs the section.</summary>
    public static Figures Run(PlaybookOptions o)
    {
        var (train, valid, _) = Load(o);
        Title(o, "9. Fast optimizers", train, valid);
        int epochs = o.Pick(5, 1);
        var figures = new Figures();
        var rows = new List<string[]>();
        var makers = new (string Name, Func<IReadOnlyList<DeepTrain.Tensors.Tensor>, Optimizer> Make)[]
        {
            ("SGD lr 0.01", p => new Sgd(p, learningRate: 0.01f)),
            ("momentum 0.9", p => new Sgd(p, learningRate: 0.01f, momentum: 0.9f)),
            ("Nesterov 0.9", p => new Sgd(p, learningRate: 0.01f, momentum: 0.9f, nesterov: true)),
            ("AdaGrad", p => new AdaGrad(p, learningRate: 0.01f)),
            ("RMSProp", p => new RmsProp(p, learningRate: 0.001f, rho: 0.9f)),
            ("Adam", p => new Adam(p)),
            ("Nadam", p => new Nadam(p)),
            ("AdamW wd 0.01", p => new AdamW(p, weightDecay: 0.01f)),
        };
        foreach (var (name, make) in makers)
        {
            var model = new MlpBuilder { Hidden = o.Small ? [32, 16] : [300, 100], Activation = Activation.Elu() }.Build(784, train.Classes, (ulong)o.Seed);
            var (acc, seconds, history) = FitTimed(model, train, valid, Options(o, make(model.Parameters()), epochs));
            figures[name.Split(' ')[0] + ".val_accuracy"] = acc;
            rows.Add([name, string.Join(" ", history["val_accuracy"].Select(a => F(a, "F3"))), F(history["val_loss"][^1]), F(seconds / epochs, "F2")]);
        }
        o.Output.WriteLine($"{(o.Small ? "32-16" : "300-100")} ELU + He, batch 64, {epochs} epoch(s), same seed");
        Table(o, ["optimizer", "val accuracy per epoch", "val loss", "s/epoch"], rows);
        return figures;
    }
}
