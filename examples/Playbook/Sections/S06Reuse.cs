using DeepTrain.Checkpoints;
using DeepTrain.Init;
using DeepTrain.Layers;
using DeepTrain.Optimizers;
using DeepTrain.Training;
using static Playbook.Common;

namespace Playbook;

/// <summary>Section 6: reusing a pretrained model.</summary>
public static class S06Reuse
{
    /// <summary>Runs the section.</summary>
    public static Figures Run(PlaybookOptions o)
    {
        var (train, valid, test) = Load(o);
        Title(o, "6. Reusing a pretrained model", train, valid, test);
        var figures = new Figures();
        string path = BaseModel.TrainedPath(o);

        // Load it whole and list its parameters (what `deeptrain summary` prints).
        var loaded = ModelFile.Load(path);
        double baseAccuracy = loaded.Evaluate(test).Accuracy;
        o.Output.WriteLine($"saved model: {Path.GetFileName(path)}, test accuracy {F(baseAccuracy)}");
        Table(o, ["parameter", "shape", "trainable"],
              loaded.NamedParameters().Select(p => new[] { p.Name, p.Value.Shape.ToString(), p.Value.Trainable ? "yes" : "no" }));
        figures["base.test_accuracy"] = baseAccuracy;

        // Restore everything into a model built in code (another seed): the same predictions.
        var same = BaseModel.Build(o, train.Classes, seed: 99);
        ModelFile.Restore(same, path);
        figures["restored.test_accuracy"] = same.Evaluate(test).Accuracy;
        o.Output.WriteLine($"restore all into a fresh model: test accuracy {F(figures["restored.test_accuracy"])}");

        // Restore part of it by name pattern: the report says what was taken and what was left.
        var partial = BaseModel.Build(o, train.Classes, seed: 99);
        var report = ModelFile.Restore(partial, path, pattern: "hidden[12]");
        o.Output.WriteLine($"restore 'hidden[12]': {report.Restored.Count} tensors restored, {report.NotRestored.Count} left as initialized ({string.Join(", ", report.NotRestored)})");
        figures["partial.restored"] = report.Restored.Count;

        // Take the lower layers with their weights and put new layers on top; compare with the same model from scratch.
        int units = o.Pick(100, 32);
        var rows = new List<string[]>();
        foreach (bool reuse in new[] { false, true })
        {
            var model = new Sequential(784, seed: 7);
            if (reuse) model.Add(ModelFile.LoadLayers(path, 2));          // hidden1, hidden2 and their trained weights
            else
            {
                model.Add(new Dense(units, Activation.Elu(), Initializer.HeNormal, name: "hidden1"));
                model.Add(new Dense(units, Activation.Elu(), Initializer.HeNormal, name: "hidden2"));
            }
            model.Add(new Dense(units / 2, Activation.Elu(), Initializer.HeNormal, name: "new_hidden"));
            model.Add(new Dense(train.Classes, name: "new_output"));
            var fitSet = train.TakePerClass(o.Pick(20, 5), o.Seed);                // few labels: where reuse pays
            model.Fit(fitSet, valid, Options(o, new Adam(model.Parameters()), epochs: o.Pick(10, 2)));
            double acc = model.Evaluate(test).Accuracy;
            figures[(reuse ? "reused" : "scratch") + ".test_accuracy"] = acc;
            rows.Add([reuse ? "hidden1-2 reused + new layers" : "same network from scratch", F(acc)]);
        }
        o.Output.WriteLine($"new top layers trained on {o.Pick(20, 5)} labelled images per class, Adam, {o.Pick(10, 2)} epochs:");
        Table(o, ["model", "test accuracy"], rows);
        return figures;
    }
}
