using DeepTrain.Checkpoints;
using DeepTrain.Init;
using DeepTrain.Layers;
using DeepTrain.Optimizers;
using DeepTrain.Training;
using Xunit.Abstractions;

namespace DeepTrain.Tests.Checkpoints;

public class RestoreAndReuseTests(ITestOutputHelper output)
{
    /// <summary>Model A of the transfer-learning example: five hidden layers of ELU units and an 8-class output.</summary>
    private static Sequential ModelA(ulong seed) => new(784, seed)
    {
        new Dense(100, Activation.Elu(), Initializer.HeNormal, name: "hidden1"),
        new Dense(50, Activation.Elu(), Initializer.HeNormal, name: "hidden2"),
        new Dense(50, Activation.Elu(), Initializer.HeNormal, name: "hidden3"),
        new Dense(50, Activation.Elu(), Initializer.HeNormal, name: "hidden4"),
        new Dense(50, Activation.Elu(), Initializer.HeNormal, name: "hidden5"),
        new Dense(8, name: "output"),
    };

    private static string SavedModelA(string dir)
    {
        var a = ModelA(1);
        a.Fit(CheckpointTestData.TrainSubset(600).FilterClasses([0, 1, 2, 3, 4, 5, 6, 7], relabel: true), null, new FitOptions { Optimizer = new Sgd(a.Parameters(), 0.02f), Epochs = 1, BatchSize = 50, Progress = ProgressMode.None });
        var path = Path.Combine(dir, "model_a.safetensors");
        ModelFile.Save(path, a);
        return path;
    }

    [Fact]
    public void RestoresOnlyTheLayersThePatternSelects()
    {
        var dir = CheckpointTestData.TempDir();
        var path = SavedModelA(dir);
        var saved = ModelFile.Read(path);
        var model = ModelA(99);
        var initial = CheckpointTestData.Values(model);
        var report = ModelFile.Restore(model, path, "hidden[123]");
        output.WriteLine(report.ToString());

        Assert.Equal(["hidden1.weight", "hidden1.bias", "hidden2.weight", "hidden2.bias", "hidden3.weight", "hidden3.bias"],
                     report.Restored.Select(r => r.ModelName).OrderBy(n => n[..7]).ThenByDescending(n => n));
        Assert.Equal(["hidden4.weight", "hidden4.bias", "hidden5.weight", "hidden5.bias", "output.weight", "output.bias"], report.NotRestored);
        Assert.Equal(6, report.Unused.Count);
        Assert.All(report.Unused, u => Assert.Equal("outside the pattern", u.Reason));
        foreach (var (name, t) in model.NamedParameters())
            Assert.Equal(name.StartsWith("hidden1") || name.StartsWith("hidden2") || name.StartsWith("hidden3") ? saved.ReadFloats(name) : initial[name], t.ToArray());
        Assert.Contains("restored", report.ToString());
        Assert.Contains("hidden4.weight", report.ToString());
        Directory.Delete(dir, true);
    }

    [Fact]
    public void MapsOldNamesToNewOnes()
    {
        var dir = CheckpointTestData.TempDir();
        var path = SavedModelA(dir);
        var saved = ModelFile.Read(path);
        var model = new Sequential(784, seed: 3)
        {
            new Dense(100, Activation.Elu(), name: "enc1"),
            new Dense(50, Activation.Elu(), name: "enc2"),
            new Dense(50, Activation.Elu(), name: "hidden3"),
            new Dense(10, name: "head"),
        };
        var report = ModelFile.Restore(model, path, mapping: new Dictionary<string, string>
        {
            ["hidden1"] = "enc1",                       // a layer prefix
            ["/^hidden2\\.(.*)$/"] = "enc2.$1",        // a regular expression
            ["hidden3.bias"] = "hidden3.bias",          // an exact name
        });
        output.WriteLine(report.ToString());
        Assert.Equal(saved.ReadFloats("hidden1.weight"), model["enc1"].OwnParameters[0].Value.ToArray());
        Assert.Equal(saved.ReadFloats("hidden2.bias"), model["enc2"].OwnParameters[1].Value.ToArray());
        Assert.Equal(saved.ReadFloats("hidden3.weight"), model["hidden3"].OwnParameters[0].Value.ToArray());
        Assert.Equal(["head.weight", "head.bias"], report.NotRestored);
        Assert.Contains(report.Unused, u => u.FileName == "output.weight" && u.Reason.Contains("no such parameter"));
        Directory.Delete(dir, true);
    }

    [Fact]
    public void AShapeMismatchNamesTheParameterAndBothShapesAndChangesNothing()
    {
        var dir = CheckpointTestData.TempDir();
        var path = SavedModelA(dir);
        var model = new Sequential(784, seed: 3) { new Dense(100, name: "hidden1"), new Dense(10, name: "output") };
        var before = CheckpointTestData.Values(model);
        var ex = Assert.Throws<ModelFileException>(() => ModelFile.Restore(model, path));
        Assert.Contains("'output.bias'", ex.Message);   // the file's tensors are checked in name order
        Assert.Contains("shape [8]", ex.Message);
        Assert.Contains("shape [10]", ex.Message);
        Assert.Equal(before, CheckpointTestData.Values(model));
        // Excluding the output layer makes it work.
        Assert.Equal(2, ModelFile.Restore(model, path, "hidden1").Restored.Count);
        Directory.Delete(dir, true);
    }

    [Fact]
    public void ReusesTheLowerLayersOfASavedModel()
    {
        var dir = CheckpointTestData.TempDir();
        var path = SavedModelA(dir);
        var saved = ModelFile.Read(path);
        var reused = ModelFile.LoadLayers(path, 3);
        Assert.Equal(["hidden1", "hidden2", "hidden3"], reused.Names);
        var model = new Sequential(784, seed: 7)
        {
            reused,
            new Dense(30, Activation.Elu(), Initializer.HeNormal, name: "hidden4"),
            new Dense(5, name: "output"),
        };
        Assert.Equal(["hidden1", "hidden2", "hidden3", "hidden4", "output"], model.Layers.Select(l => l.Name));
        foreach (var (name, t) in model.NamedParameters().Where(p => p.Name.StartsWith("hidden") && p.Name[6] <= '3'))
            Assert.Equal(saved.ReadFloats(name), t.ToArray());
        Assert.Equal([50, 30], model["hidden4"].OwnParameters[0].Value.Shape.ToArray());
        Assert.Throws<InvalidOperationException>(() => new Sequential(784) { reused });

        var byName = ModelFile.LoadLayers(path, ["hidden1", "hidden2"]);
        Assert.Equal(["hidden1", "hidden2"], byName.Names);
        var ex = Assert.Throws<ModelFileException>(() => new Sequential(100) { byName });
        Assert.Contains("input width", ex.Message);
        Directory.Delete(dir, true);
    }
}
