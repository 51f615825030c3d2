using DeepTrain.Layers;
using DeepTrain.Optimizers;
using DeepTrain.Schedules;
using DeepTrain.Training;
using static Playbook.Common;

namespace Playbook;

/// <summary>Section 10: learning-rate schedules, and finding a rate.</summary>
public static class S10Schedules
{
    /// <summary>Runs the section.</summary>
    public static Figures Run(PlaybookOptions o)
    {
        var (train, valid, _) = Load(o);
        Title(o, "10. Learning-rate schedules", train, valid);
        int epochs = o.Pick(6, 2);
        int[] hidden = o.Small ? [32, 16] : [300, 100];
        var figures = new Figures();
        Sequential NewModel() => new MlpBuilder { Hidden = hidden, Activation = Activation.Elu() }.Build(784, train.Classes, (ulong)o.Seed);

        // (a) The range test: the loss while the rate grows exponentially; the model is left untouched.
        var probe = NewModel();
        var found = new LearningRateFinder(minRate: 1e-5, maxRate: 10, steps: o.Pick(100, 20))
            .Run(probe, train, new Sgd(probe.Parameters(), momentum: 0.9f), batchSize: 64, seed: o.Seed);
        o.Output.WriteLine($"(a) learning-rate finder (SGD momentum 0.9): suggested rate {E(found.SuggestedRate)}, lowest loss at {E(found.MinLossRate)}{(found.StoppedEarly ? ", stopped when the loss blew up" : "")}");
        figures["suggested_rate"] = found.SuggestedRate;

        // (b) The same model and budget under each schedule (SGD with momentum 0.9, starting at 0.05).
        const float eta0 = 0.05f;
        int stepsPerEpoch = (train.Count + 63) / 64;
        long total = (long)epochs * stepsPerEpoch;
        var schedules = new (string Name, LearningRateSchedule? Schedule, PerformanceSchedule? Plateau)[]
        {
            ("constant", null, null),
            ("exponential (x0.1 over the run)", new ExponentialDecay(eta0, decaySteps: total, decayRate: 0.1), null),
            ("power (c=1, r=1 epoch)", new PowerDecay(eta0, decaySteps: stepsPerEpoch, power: 1), null),
            ("piecewise (x0.5 at 1/2, x0.1 at 3/4)", new PiecewiseConstant([total / 2, total * 3 / 4], [eta0, eta0 / 2, eta0 / 10]), null),
            ("cosine", new CosineDecay(eta0, totalSteps: total), null),
            ("1cycle", new OneCycle(maxRate: eta0 * 2, totalSteps: total), null),
            ("performance (x0.5 after 1 bad epoch)", null, new PerformanceSchedule(eta0, factor: 0.5, patience: 1)),
        };
        var rows = new List<string[]>();
        foreach (var (name, schedule, plateau) in schedules)
        {
            var model = NewModel();
            var options = Options(o, new Sgd(model.Parameters(), learningRate: eta0, momentum: 0.9f), epochs);
            options.Schedule = schedule;
            if (plateau is not null) options.Callbacks.Add(new PerformanceScheduling(plateau, "val_loss"));
            var (acc, _, history) = FitTimed(model, train, valid, options);
            figures[name.Split(' ')[0] + ".val_accuracy"] = acc;
            rows.Add([name, string.Join(" ", history["val_accuracy"].Select(a => F(a, "F3"))), E(history["lr"][^1])]);
        }
        o.Output.WriteLine($"(b) SGD momentum 0.9 from lr {eta0}, {epochs} epochs");
        Table(o, ["schedule", "val accuracy per epoch", "last lr"], rows);
        return figures;
    }
}
