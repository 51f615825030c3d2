using DeepTrain.Checkpoints;
using DeepTrain.Layers;
using DeepTrain.Optimizers;
using DeepTrain.Tensors;
using DeepTrain.Training;

namespace DeepTrain.Tests.Checkpoints;

public class ModelFileTests
{
    [Fact]
    public void SaveAndLoadRebuildEveryLayerKindWithItsWeightsAndBuffers()
    {
        var dir = CheckpointTestData.TempDir();
        var path = Path.Combine(dir, "model.safetensors");
        var model = CheckpointTestData.EveryKind();
        model.Fit(CheckpointTestData.TrainSubset(300), null, new FitOptions { Optimizer = new Sgd(model.Parameters(), 0.01f), Epochs = 1, BatchSize = 50, Progress = ProgressMode.None });
        Freezing.Freeze(model, "hidden1");
        ModelFile.Save(path, model);

        var loaded = ModelFile.Load(path);
        Assert.Equal(model.Layers.Select(l => (l.Kind, l.Name, l.Describe())), loaded.Layers.Select(l => (l.Kind, l.Name, l.Describe())));
        Assert.Equal(CheckpointTestData.Values(model), CheckpointTestData.Values(loaded));
        Assert.Equal(["hidden1.weight", "hidden1.bias"], Freezing.FrozenNames(loaded));
        Assert.Equal(model.Seed, loaded.Seed);

        var d = (Dense)loaded["hidden1"];
        Assert.Equal((1e-5f, 1e-4f, 3f), (d.KernelRegularizer!.L1, d.KernelRegularizer.L2, d.KernelConstraint!.MaxValue));
        Assert.Equal("he_normal", d.KernelInitializer.Name);
        var h2 = (Dense)loaded["hidden2"];
        Assert.True(h2.Activation.IsRandomized);
        Assert.Equal((0.1f, 0.3f), (h2.Activation.Alpha, h2.Activation.Upper));
        var vs = Assert.IsType<DeepTrain.Init.VarianceScaling>(h2.KernelInitializer);
        Assert.Equal((1.5f, DeepTrain.Init.FanMode.FanOut, DeepTrain.Init.Distribution.Normal, "my_scaling"), (vs.Scale, vs.Mode, vs.Distribution, vs.Name));
        Assert.Equal(0.1f, Assert.IsType<DeepTrain.Init.Constant>(h2.BiasInitializer).Value);
        Assert.Equal((0.3f, true), (((PReLU)loaded["prelu1"]).InitialSlope, ((PReLU)loaded["prelu1"]).Shared));
        Assert.Equal(0.25f, ((Dropout)loaded["drop1"]).Rate);
        Assert.Equal((0.9f, 1e-3f), (((BatchNorm)loaded["bn1"]).Momentum, ((BatchNorm)loaded["bn1"]).Epsilon));
        Assert.False(((Dense)loaded["output"]).UseBias);

        // The same inputs give the same outputs.
        var x = Tensor.Uniform(new Shape(5, 784), 0, 1, new Rng(1));
        Assert.Equal(model.Predict(x).ToArray(), loaded.Predict(x).ToArray());
        Assert.Empty(Directory.GetFiles(dir, "*.tmp"));
        Directory.Delete(dir, true);
    }

    [Fact]
    public void ReadShowsTheContentsWithoutBuilding()
    {
        var dir = CheckpointTestData.TempDir();
        var path = Path.Combine(dir, "m.safetensors");
        var model = new Sequential(784, seed: 1) { new Dense(20, Activation.Relu, name: "hidden1"), new BatchNorm(name: "bn1"), new Dense(10, name: "output") };
        ModelFile.Save(path, model);
        var c = ModelFile.Read(path);
        Assert.Equal(1, c.FormatVersion);
        Assert.Equal(["Dense", "BatchNorm", "Dense"], c.Architecture!.Layers.Select(l => l.Kind));
        Assert.Equal(784, c.Architecture.InputFeatures);
        Assert.Equal(784 * 20 + 20 + 4 * 20 + 20 * 10 + 10, c.ValueCount);
        Assert.Contains(c.Tensors, t => t.Name == "bn1.running_mean" && t.Dtype == "F32");
        Assert.Null(c.TrainingJson);
        Assert.Equal(model.Parameters()[0].ToArray(), c.ReadFloats("hidden1.weight"));
        Directory.Delete(dir, true);
    }

    [Fact]
    public void CustomActivationsAreStoredByNameAndNeedAResolver()
    {
        var dir = CheckpointTestData.TempDir();
        var path = Path.Combine(dir, "custom.safetensors");
        var leaky = Activation.Custom("my_leaky", z => DeepTrain.Ops.Ops.Maximum(0.01f * z, z));
        var model = new Sequential(4, seed: 2) { new Dense(3, leaky, name: "hidden1"), new Dense(2, name: "output") };
        ModelFile.Save(path, model);

        var ex = Assert.Throws<ModelFileException>(() => ModelFile.Load(path));
        Assert.Contains("'hidden1'", ex.Message);
        Assert.Contains("my_leaky", ex.Message);
        Assert.Contains("resolver", ex.Message);

        var loaded = ModelFile.Load(path, name => name == "my_leaky" ? leaky : null);
        Assert.Same(leaky, ((Dense)loaded["hidden1"]).Activation);
        var x = Tensor.Uniform(new Shape(3, 4), -1, 1, new Rng(1));
        Assert.Equal(model.Predict(x).ToArray(), loaded.Predict(x).ToArray());
        Directory.Delete(dir, true);
    }

    [Fact]
    public void SaveReplacesAnExistingFileAtomically()
    {
        var dir = CheckpointTestData.TempDir();
        var path = Path.Combine(dir, "m.safetensors");
        File.WriteAllText(path, "old content");
        var model = new Sequential(3, seed: 1) { new Dense(2, name: "output") };
        ModelFile.Save(path, model);
        Assert.Equal(model.Parameters()[0].ToArray(), ModelFile.Load(path).Parameters()[0].ToArray());
        // A save that fails part-way leaves the old file as it was and no temporary file behind.
        var before = File.ReadAllBytes(path);
        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, s => { s.WriteByte(1); throw new InvalidOperationException("disk full"); }));
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Single(Directory.GetFiles(dir));
        Directory.Delete(dir, true);
    }

    [Fact]
    public void WrongVersionsAndForeignFilesGiveClearErrors()
    {
        var dir = CheckpointTestData.TempDir();
        string Write(string name, Dictionary<string, string>? metadata, params (string, int[], ReadOnlyMemory<float>)[] tensors)
        {
            var p = Path.Combine(dir, name);
            SafetensorsWriter.WriteFile(p, tensors, metadata);
            return p;
        }
        var newer = Write("newer.safetensors", new() { ["format"] = ModelFile.FormatName, ["format_version"] = "2", ["architecture"] = "{}" });
        var ex = Assert.Throws<ModelFileException>(() => ModelFile.Load(newer));
        Assert.Contains("version 2", ex.Message);
        Assert.Contains("upgrade DeepTrain", ex.Message);

        var plain = Write("plain.safetensors", null, ("output.weight", [3, 2], new float[6]));
        Assert.Contains("ModelFile.Restore", Assert.Throws<ModelFileException>(() => ModelFile.Load(plain)).Message);
        Assert.Contains("does not exist", Assert.Throws<ModelFileException>(() => ModelFile.Load(Path.Combine(dir, "missing.safetensors"))).Message);

        // A tensor missing from a model file.
        var path = Path.Combine(dir, "m.safetensors");
        ModelFile.Save(path, new Sequential(3, seed: 1) { new Dense(2, name: "output") });
        var arch = ModelFile.Read(path).Metadata;
        var missing = Write("missing-bias.safetensors", arch.ToDictionary(), ("output.weight", [3, 2], new float[6]));
        var ex2 = Assert.Throws<ModelFileException>(() => ModelFile.Load(missing));
        Assert.Contains("'output.bias'", ex2.Message);
        Assert.Contains("missing", ex2.Message);
        Directory.Delete(dir, true);
    }

    [Fact]
    public void SavingAnUnsupportedLayerNamesIt()
    {
        var model = new Sequential(3, seed: 1) { new Dense(2, name: "output"), new OddLayer() };
        var ex = Assert.Throws<ModelFileException>(() => ModelFile.Save(Path.Combine(Path.GetTempPath(), "never.safetensors"), model));
        Assert.Contains("'oddlayer1'", ex.Message);
        Assert.Contains("OddLayer", ex.Message);
    }

    private sealed class OddLayer() : Module(null)
    {
        public override Tensor Forward(Tensor input) => input;
    }
}
