using DeepTrain.Checkpoints;
using DeepTrain.Init;
using DeepTrain.Layers;
using DeepTrain.Optimizers;
using DeepTrain.Training;
using static Playbook.Common;

namespace Playbook;

/// <summary>Section 7: freezing the lower layers, and caching their outputs.</summary>
public static class S07Freezing
{
    /// <summary>Runs the section.</summary>
    public static Figures Run(PlaybookOptions o)
    {
        var (train, valid, test) = Load(o);
        Title(o, "7. Freezing the lower layers (hidden1-3 of the saved model) and caching their outputs", train, valid, test);
        var figures = new Figures();
        string path = BaseModel.TrainedPath(o);
        int units = o.Pick(50, 16), epochs = o.Pick(5, 1);
        var rows = new List<string[]>();
        foreach (string way in new[] { "freeze by pattern", "StopGradient layer", "freeze + cache frozen outputs" })
        {
            var model = new Sequential(784, seed: 7) { ModelFile.LoadLayers(path, 3) };   // hidden1..hidden3, trained
            if (way == "StopGradient layer") model.Add(new StopGradient(name: "stop"));  // no gradient flows below it
            model.Add(new Dense(units, Activation.Elu(), Initializer.HeNormal, name: "new_hidden"));
            model.Add(new Dense(train.Classes, name: "new_output"));
            if (way != "StopGradient layer") Freezing.Freeze(model, "hidden[123]");
            var before = model["hidden1"].OwnParameters[0].Value.ToArray();

            double seconds;
            if (way.Contains("cache"))
            {
                var clock = System.Diagnostics.Stopwatch.StartNew();      // the one pass of the frozen layers counts too
                var cache = FrozenFeatureCache.Create(model, train);      // runs hidden1..hidden3 once over the training set
                var upperValid = cache.Transform(valid);
                cache.Upper.Fit(cache.Train, upperValid, Options(o, new Adam(cache.Upper.Parameters()), epochs));
                seconds = clock.Elapsed.TotalSeconds;
            }
            else
            {
                (_, seconds, _) = FitTimed(model, train, valid, Options(o, new Adam(model.Parameters()), epochs));
            }
            double acc = model.Evaluate(test).Accuracy;
            bool unchanged = before.SequenceEqual(model["hidden1"].OwnParameters[0].Value.ToArray());
            string key = way.Split(' ')[0].ToLowerInvariant() + (way.Contains("cache") ? "+cache" : "");
            figures[key + ".test_accuracy"] = acc;
            figures[key + ".unchanged"] = unchanged ? 1 : 0;
            rows.Add([way, F(acc), F(seconds / epochs, "F3"), unchanged ? "yes" : "NO"]);
        }
        o.Output.WriteLine($"new top: {units} ELU units + output, Adam, {epochs} epoch(s); s/epoch includes building the cache; the whole model is evaluated on the test set");
        Table(o, ["how", "test accuracy", "s/epoch", "hidden1 unchanged"], rows);
        return figures;
    }
}
