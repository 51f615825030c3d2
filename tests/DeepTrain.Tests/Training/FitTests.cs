using DeepTrain.Data;
using DeepTrain.Init;
using DeepTrain.Layers;
using DeepTrain.Optimizers;
using DeepTrain.Training;
using Xunit.Abstractions;

namespace DeepTrain.Tests.Training;

public class FitTests(ITestOutputHelper output)
{
    private static (Dataset Train, Dataset Test) Digits() => KnownDatasets.Load("digits");

    [Fact]
    public void TrainsASmallNetworkOnTheBundledDigitsToHighAccuracy()
    {
        var (train, test) = Digits();
        var model = new Sequential(784, seed: 1)
        {
            new Dense(100, Activation.Elu(), Initializer.HeNormal, name: "hidden1"),
            new BatchNorm(name: "bn1"),
            new Dense(10, name: "output"),
        };
        var writer = new StringWriter();
        var history = model.Fit(train, test, new FitOptions
        {
            Optimizer = new Sgd(model.Parameters(), 0.05f, momentum: 0.9f),
            Epochs = 3, BatchSize = 64, Seed = 1, Progress = ProgressMode.Lines, Output = writer,
        });
        output.WriteLine(writer.ToString());
        var result = model.Evaluate(test);
        output.WriteLine($"test accuracy {result.Accuracy:F4}");
        Assert.Equal(3, history.Epochs);
        Assert.True(history["loss"][2] < history["loss"][0]);
        Assert.True(result.Accuracy >= 0.93, $"test accuracy {result.Accuracy:F4} below 0.93");
        Assert.Contains("epoch 3/3:", writer.ToString());
    }

    [Fact]
    public void TheSameSeedGivesTheSameRunBitForBit()
    {
        var (train, _) = Digits();
        float[] Run()
        {
            var model = new Sequential(784, seed: 5) { new Dense(32, Activation.Relu), new Dropout(0.2f), new Dense(10) };
            model.Fit(train.Subset(Enumerable.Range(0, 1000).ToArray()), null, new FitOptions
            {
                Optimizer = new Sgd(model.Parameters(), 0.1f), Epochs = 2, BatchSize = 50, Seed = 3, Progress = ProgressMode.None,
            });
            return model.Parameters()[0].ToArray();
        }
        Assert.Equal(Run(), Run());
    }

    [Fact]
    public void AUserDefinedLeakyReluTrainsIdenticallyToTheBuiltIn()
    {
        var (train, _) = Digits();
        var small = train.Subset(Enumerable.Range(0, 600).ToArray());
        float[] Run(Activation act)
        {
            var model = new Sequential(784, seed: 9) { new Dense(40, act, Initializer.HeNormal), new Dense(10) };
            model.Fit(small, null, new FitOptions { Optimizer = new Sgd(model.Parameters(), 0.05f, momentum: 0.9f), Epochs = 2, BatchSize = 32, Progress = ProgressMode.None });
            return model.Parameters().SelectMany(p => p.ToArray()).ToArray();
        }
        var builtIn = Run(Activation.LeakyRelu(0.01f));
        var custom = Run(Activation.Custom("my_leaky", z => DeepTrain.Ops.Ops.Maximum(0.01f * z, z)));
        Assert.Equal(builtIn, custom);
    }
}
