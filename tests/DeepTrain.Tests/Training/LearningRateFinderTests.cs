using DeepTrain.Data;
using DeepTrain.Init;
using DeepTrain.Layers;
using DeepTrain.Optimizers;
using DeepTrain.Training;

namespace DeepTrain.Tests.Training;

public class LearningRateFinderTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public void RestoresTheWeightsAndSuggestsARateWhereTheLossFell()
    {
        var (train, _) = KnownDatasets.Load("digits");
        var model = new Sequential(784, seed: 3) { new Dense(32, Activation.Relu, Initializer.HeNormal), new BatchNorm(), new Dense(10) };
        var before = model.NamedParameters().Concat(model.NamedBuffers()).Select(p => p.Value.ToArray()).ToList();
        var r = new LearningRateFinder(1e-5, 10, 150).Run(model, train, new Sgd(model.Parameters()), batchSize: 32);
        for (int i = 0; i < r.Rates.Count; i += 5) output.WriteLine($"{r.Rates[i]:E2} {r.Losses[i]:F4}");
        output.WriteLine($"suggested {r.SuggestedRate:E2} min {r.MinLossRate:E2} stopped {r.StoppedEarly}");
        var after = model.NamedParameters().Concat(model.NamedBuffers()).Select(p => p.Value.ToArray()).ToList();
        Assert.Equal(before, after);
        Assert.True(r.StoppedEarly, "the loss should explode before a rate of 10 with plain SGD");
        int s = r.Rates.ToList().IndexOf(r.SuggestedRate);
        int min = r.Rates.ToList().IndexOf(r.MinLossRate);
        Assert.InRange(s, 1, min);                 // inside the range where the loss fell
        Assert.True(r.Losses[s] < r.Losses[0]);
        Assert.True(r.Losses[min] < 0.8 * r.Losses[0]);
    }

    [Fact]
    public void RefusesABadRange()
    {
        Assert.Throws<ArgumentException>(() => new LearningRateFinder(1, 0.1));
        Assert.Throws<ArgumentException>(() => new LearningRateFinder(steps: 2));
    }
}
