using System.Collections.Concurrent;
using DeepTrain.Checkpoints;
using DeepTrain.Init;
using DeepTrain.Layers;
using DeepTrain.Optimizers;
using DeepTrain.Training;
using static Playbook.Common;

namespace Playbook;

/// <summary>The pretrained model that sections 6 and 7 reuse: hidden1..hidden3 (ELU, He) and an output layer.</summary>
public static class BaseModel
{
    private static readonly ConcurrentDictionary<string, string> s_saved = new();

    /// <summary>The architecture (untrained).</summary>
    public static Sequential Build(PlaybookOptions o, int classes, ulong seed)
    {
        int units = o.Pick(100, 32);
        return new Sequential(784, seed)
        {
            new Dense(units, Activation.Elu(), Initializer.HeNormal, name: "hidden1"),
            new Dense(units, Activation.Elu(), Initializer.HeNormal, name: "hidden2"),
            new Dense(units, Activation.Elu(), Initializer.HeNormal, name: "hidden3"),
            new Dense(classes, name: "output"),
        };
    }

    /// <summary>Trains the model once per run (on the training set, Adam) and returns the path of its saved file.</summary>
    public static string TrainedPath(PlaybookOptions o) => s_saved.GetOrAdd($"{o.Data}|{o.Small}|{o.WorkDirectory}", _ =>
    {
        var (train, valid, _) = Load(o);
        var model = Build(o, train.Classes, (ulong)o.Seed);
        model.Fit(train, valid, Options(o, new Adam(model.Parameters()), epochs: o.Pick(5, 1)));
        string path = Path.Combine(WorkDir(o, "base"), "base.safetensors");
        ModelFile.Save(path, model);
        return path;
    });
}
