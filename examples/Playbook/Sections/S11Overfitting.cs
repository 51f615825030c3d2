using DeepTrain.Init;
using DeepTrain.Layers;
using DeepTrain.Optimizers;
using DeepTrain.Regularization;
using DeepTrain.Training;
using static Playbook.Common;

namespace Playbook;

/// <summary>Section 11: fighting overfitting.</summary>
public static class S11Overfitting
{
    /// <summary>Runs the section.</summary>
    public static Figures Run(PlaybookOptions o)
    {
        var (all, valid, test) = Load(o);
        var train = all.TakePerClass(o.Pick(50, 10), o.Seed);      // few examples, a big network: it will overfit
        Title(o, "11. Fighting overfitting", train, valid, test);
        int epochs = o.Pick(60, 3);
        int[] hidden = o.Small ? [64, 32] : [300, 100];
        var figures = new Figures();
        var settings = new (string Name, MlpBuilder Builder, bool EarlyStop)[]
        {
            ("none", new MlpBuilder { Hidden = hidden }, false),
            ("early stopping (patience 5)", new MlpBuilder { Hidden = hidden }, true),
            ("L2 1e-3", new MlpBuilder { Hidden = hidden, Regularizer = Regularizer.OfL2(1e-3f) }, false),
            ("L1 1e-4", new MlpBuilder { Hidden = hidden, Regularizer = Regularizer.OfL1(1e-4f) }, false),
            ("dropout 0.5", new MlpBuilder { Hidden = hidden, Dropout = 0.5f }, false),
            ("max-norm 1", new MlpBuilder { Hidden = hidden, MaxNorm = new MaxNorm(1f) }, false),
            ("dropout 0.5 + max-norm 3 + early stopping", new MlpBuilder { Hidden = hidden, Dropout = 0.5f, MaxNorm = new MaxNorm(3f) }, true),
        };
        var rows = new List<string[]>();
        foreach (var (name, builder, earlyStop) in settings)
        {
            var model = builder.Build(784, train.Classes, (ulong)o.Seed);                  // ELU + He by default
            var options = Options(o, new Adam(model.Parameters()), epochs, batchSize: 32);
            var stopper = new EarlyStopping("val_loss", patience: 5, restoreBestWeights: true);
            if (earlyStop) options.Callbacks.Add(stopper);
            var history = model.Fit(train, valid, options);
            var val = model.Evaluate(valid);
            double trainAcc = model.Evaluate(train).Accuracy, testAcc = model.Evaluate(test).Accuracy;
            figures[name + ".test_accuracy"] = testAcc;
            string ran = earlyStop ? $"{history.Epochs} (best {stopper.BestEpoch + 1})" : history.Epochs.ToString();
            rows.Add([name, ran, F(trainAcc), F(val.Accuracy), F(val.Loss), F(testAcc)]);
        }
        o.Output.WriteLine($"{string.Join("-", hidden)} ELU + He, Adam, batch 32, up to {epochs} epochs on {train.Count} images");
        Table(o, ["regularization", "epochs", "train acc", "val acc", "val loss", "test acc"], rows);
        return figures;
    }
}
