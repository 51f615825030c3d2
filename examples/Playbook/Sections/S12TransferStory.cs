using System.Diagnostics;
using DeepTrain.Checkpoints;
using DeepTrain.Init;
using DeepTrain.Layers;
using DeepTrain.Optimizers;
using DeepTrain.Schedules;
using DeepTrain.Training;
using static Playbook.Common;

namespace Playbook;

/// <summary>
/// The worked example: a 5 x 100 network (He + ELU + BatchNorm, Adam, exponential decay, early stopping) learns
/// classes 0-4; it is saved, and its lower layers, frozen and cached, help a new network learn classes 5-9 from
/// 100 labelled images per class.
/// </summary>
public static class S12TransferStory
{
    private static readonly int[] s_taskA = [0, 1, 2, 3, 4], s_taskB = [5, 6, 7, 8, 9];

    /// <summary>Runs the section.</summary>
    public static Figures Run(PlaybookOptions o)
    {
        var (trainAll, testAll) = LoadRaw(o);
        var figures = new Figures();
        o.Output.WriteLine($"== 12. The whole playbook in one program: transfer from classes 0-4 to classes 5-9 ({o.Data}{(o.Small ? ", small" : "")})");
        int[] hidden = [.. Enumerable.Repeat(o.Pick(100, 32), 5)];
        int perClassB = o.Pick(100, 10);

        // ---- Task A: classes 0-4, all their training images.
        var a = trainAll.FilterClasses(s_taskA, relabel: true);
        if (o.Small) a = a.TakePerClass(60, o.Seed);
        var (trainA, validA) = a.Split(0.1, o.Seed);
        var testA = testAll.FilterClasses(s_taskA, relabel: true);
        var modelA = new MlpBuilder { Hidden = hidden, Activation = Activation.Elu(), Initializer = Initializer.HeNormal, BatchNorm = true }
            .Build(784, 5, (ulong)o.Seed);
        int epochsA = o.Pick(30, 2), stepsPerEpoch = (trainA.Count + 63) / 64;
        var optionsA = Options(o, new Adam(modelA.Parameters(), learningRate: 0.001f), epochsA);
        optionsA.Schedule = new ExponentialDecay(0.001f, decaySteps: 20L * stepsPerEpoch, decayRate: 0.1);   // /10 every 20 epochs
        var stopA = new EarlyStopping("val_loss", patience: 5, restoreBestWeights: true);
        optionsA.Callbacks.Add(stopA);
        var clock = Stopwatch.StartNew();
        var historyA = modelA.Fit(trainA, validA, optionsA);
        double secondsA = clock.Elapsed.TotalSeconds;
        double accA = modelA.Evaluate(testA).Accuracy;
        string pathA = Path.Combine(WorkDir(o, "transfer-story"), "model_a.safetensors");
        ModelFile.Save(pathA, modelA);
        figures["a.test_accuracy"] = accA;
        o.Output.WriteLine($"task A: {trainA.Count} training images; {historyA.Epochs} epochs ({historyA.StopReason}, best epoch {stopA.BestEpoch + 1}) in {F(secondsA, "F1")} s; " +
                           $"test accuracy on classes 0-4: {F(accA)}; saved to {Path.GetFileName(pathA)}");

        // ---- Task B: classes 5-9, only a few labelled images per class.
        var b = trainAll.FilterClasses(s_taskB, relabel: true);
        var (poolB, validB) = b.Split(o.Pick(500, 50), o.Seed);
        var trainB = poolB.TakePerClass(perClassB, o.Seed);
        var testB = testAll.FilterClasses(s_taskB, relabel: true);
        int epochsB = o.Pick(100, 2);
        FitOptions OptionsB(Optimizer optimizer, EarlyStopping stop)
        {
            var options = Options(o, optimizer, epochsB, batchSize: 32);
            options.Callbacks.Add(stop);
            return options;
        }
        var rows = new List<string[]>();

        // (1) From scratch: the same architecture on the 500 images.
        var scratch = new MlpBuilder { Hidden = hidden, Activation = Activation.Elu(), Initializer = Initializer.HeNormal, BatchNorm = true }
            .Build(784, 5, (ulong)o.Seed + 1);
        var stop1 = new EarlyStopping("val_loss", patience: 10);
        clock.Restart();
        var h1 = scratch.Fit(trainB, validB, OptionsB(new Adam(scratch.Parameters()), stop1));
        double accScratch = scratch.Evaluate(testB).Accuracy;
        figures["b.scratch.test_accuracy"] = accScratch;
        rows.Add(["from scratch", h1.Epochs.ToString(), F(clock.Elapsed.TotalSeconds, "F1"), F(accScratch)]);

        // (2) Reuse hidden1-5 of model A, freeze hidden1-4 (BatchNorm included: it then runs in inference mode),
        //     compute their outputs once, and train hidden5 and a new output layer on them.
        var modelB = new Sequential(784, (ulong)o.Seed + 2)
        {
            ModelFile.LoadLayers(pathA, 15),                                  // hidden1, bn1, act1, ..., act5
            new Dense(5, name: "output_b"),
        };
        var frozen = Freezing.Freeze(modelB, "hidden[1-4]|bn[1-4]");
        clock.Restart();
        var cache = FrozenFeatureCache.Create(modelB, trainB);                 // runs the 12 frozen layers once
        var stop2 = new EarlyStopping("val_loss", patience: 10);
        var h2 = cache.Upper.Fit(cache.Train, cache.Transform(validB), OptionsB(new Adam(cache.Upper.Parameters()), stop2));
        double accFrozen = modelB.Evaluate(testB).Accuracy;
        figures["b.frozen.test_accuracy"] = accFrozen;
        rows.Add([$"reused, {frozen.Count} tensors frozen, {cache.LowerLayers} layers cached", h2.Epochs.ToString(), F(clock.Elapsed.TotalSeconds, "F1"), F(accFrozen)]);

        // (3) Then unfreeze everything and fine-tune with a small learning rate.
        Freezing.Unfreeze(modelB, ".*");
        var stop3 = new EarlyStopping("val_loss", patience: 5);
        clock.Restart();
        var h3 = modelB.Fit(trainB, validB, OptionsB(new Adam(modelB.Parameters(), learningRate: 1e-4f), stop3));
        double accTuned = modelB.Evaluate(testB).Accuracy;
        figures["b.finetuned.test_accuracy"] = accTuned;
        rows.Add(["  + unfrozen, fine-tuned at lr 1e-4", h3.Epochs.ToString(), F(clock.Elapsed.TotalSeconds, "F1"), F(accTuned)]);

        o.Output.WriteLine($"task B: {trainB.Count} labelled images ({perClassB} per class), validation {validB.Count}, test {testB.Count}; Adam, batch 32, early stopping");
        Table(o, ["network for classes 5-9", "epochs", "seconds", "test accuracy"], rows);
        return figures;
    }
}
