using DeepTrain.Data;
using DeepTrain.Init;
using DeepTrain.Layers;
using DeepTrain.Regularization;

namespace DeepTrain.Tests.Checkpoints;

/// <summary>Small data sets, models and a temporary folder shared by the checkpoint tests.</summary>
internal static class CheckpointTestData
{
    private static readonly Lazy<(Dataset Train, Dataset Test)> s_digits = new(() => KnownDatasets.Load("digits"));

    public static Dataset Train => s_digits.Value.Train;
    public static Dataset Test => s_digits.Value.Test;

    /// <summary>The first <paramref name="n"/> training digits.</summary>
    public static Dataset TrainSubset(int n) => Train.Subset(Enumerable.Range(0, n).ToArray());

    /// <summary>A model with one layer of every kind a model file describes.</summary>
    public static Sequential EveryKind(ulong seed = 3) => new(784, seed)
    {
        new Dense(32, Activation.Elu(0.5f), Initializer.HeNormal, name: "hidden1", kernelRegularizer: new Regularizer(1e-5f, 1e-4f), kernelConstraint: new MaxNorm(3f)),
        new BatchNorm(0.9f, 1e-3f, name: "bn1"),
        new ActivationLayer(Activation.LeakyRelu(0.2f), name: "act1"),
        new Dropout(0.25f, name: "drop1"),
        new Dense(16, Activation.RRelu(0.1f, 0.3f), new VarianceScaling(1.5f, FanMode.FanOut, Distribution.Normal, "my_scaling"), new Constant(0.1f), name: "hidden2"),
        new PReLU(0.3f, shared: true, name: "prelu1"),
        new StopGradient(name: "stop"),
        new Dense(10, useBias: false, kernelInitializer: Initializer.RandomNormal(0, 0.05f), name: "output"),
    };

    /// <summary>A fresh empty folder under the system temp folder.</summary>
    public static string TempDir()
    {
        var dir = Path.Combine(Path.GetTempPath(), "deeptrain-ckpt-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>Every parameter and buffer value of a model, by name.</summary>
    public static Dictionary<string, float[]> Values(Module model) =>
        model.NamedParameters().Concat(model.NamedBuffers()).ToDictionary(p => p.Name, p => p.Value.ToArray());
}
