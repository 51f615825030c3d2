using System.Diagnostics;
using DeepTrain.Checkpoints;
using DeepTrain.Init;
using DeepTrain.Layers;
using DeepTrain.Optimizers;
using DeepTrain.Training;
using Xunit.Abstractions;

namespace DeepTrain.Tests.Checkpoints;

public class FreezingTests(ITestOutputHelper output)
{
    private static FitOptions Options(Optimizer o, int epochs = 1) => new() { Optimizer = o, Epochs = epochs, BatchSize = 32, Seed = 4, Progress = ProgressMode.None };

    [Fact]
    public void FrozenWeightsAndFrozenBatchNormStatisticsStayAsTheyWere()
    {
        var model = new Sequential(784, seed: 1)
        {
            new Dense(40, Activation.Elu(), Initializer.HeNormal, name: "hidden1"),
            new BatchNorm(name: "bn1"),
            new Dense(30, Activation.Elu(), Initializer.HeNormal, name: "hidden2"),
            new BatchNorm(name: "bn2"),
            new Dense(10, name: "output"),
        };
        var frozen = Freezing.Freeze(model, "hidden1|bn1");
        Assert.Equal(["hidden1.weight", "hidden1.bias", "bn1.gamma", "bn1.beta"], frozen);
        Assert.True(model["bn1"].IsFrozen);
        var before = CheckpointTestData.Values(model);
        model.Fit(CheckpointTestData.TrainSubset(500), null, Options(new Adam(model.Parameters(), 0.01f)));
        var after = CheckpointTestData.Values(model);
        foreach (var name in new[] { "hidden1.weight", "hidden1.bias", "bn1.gamma", "bn1.beta", "bn1.running_mean", "bn1.running_var" })
            Assert.Equal(before[name], after[name]);
        foreach (var name in new[] { "hidden2.weight", "bn2.gamma", "bn2.running_mean", "bn2.running_var", "output.weight" })
            Assert.NotEqual(before[name], after[name]);

        Assert.Equal(["hidden1.weight", "hidden1.bias"], Freezing.Unfreeze(model, "hidden1"));
        Assert.Equal(["bn1.gamma", "bn1.beta"], Freezing.FrozenNames(model));
        model.Fit(CheckpointTestData.TrainSubset(200), null, Options(new Adam(model.Parameters(), 0.01f)));
        Assert.NotEqual(after["hidden1.weight"], model["hidden1"].OwnParameters[0].Value.ToArray());
    }

    [Fact]
    public void PatternsMatchWholeLayerNamesAndABadPatternIsAnError()
    {
        var model = new Sequential(4, seed: 1) { new Dense(3, name: "hidden1"), new Dense(3, name: "hidden10"), new Dense(2, name: "output") };
        Assert.Equal(["hidden1.weight", "hidden1.bias"], Freezing.Freeze(model, "hidden1"));
        Assert.Equal(["hidden10.weight"], Freezing.Freeze(model, @"hidden10\.weight"));
        Assert.Equal(6, Freezing.Unfreeze(model, ".*").Count);
        var ex = Assert.Throws<ArgumentException>(() => Freezing.Freeze(model, "hiden1"));
        Assert.Contains("matches no parameter", ex.Message);
        Assert.Contains("hidden1.weight", ex.Message);
        Assert.Throws<ArgumentException>(() => Freezing.Freeze(model, "hidden[1"));
    }

    [Fact]
    public void StopGradientKeepsTheLayersBelowItUnchanged()
    {
        var model = new Sequential(784, seed: 2)
        {
            new Dense(30, Activation.Relu, name: "hidden1"),
            new StopGradient(name: "stop"),
            new Dense(10, name: "output"),
        };
        var before = CheckpointTestData.Values(model);
        model.Fit(CheckpointTestData.TrainSubset(300), null, Options(new Sgd(model.Parameters(), 0.1f, momentum: 0.9f)));
        Assert.Equal(before["hidden1.weight"], model["hidden1"].OwnParameters[0].Value.ToArray());
        Assert.NotEqual(before["output.weight"], model["output"].OwnParameters[0].Value.ToArray());
    }

    private static Sequential CacheModel() => new(784, seed: 21)
    {
        new Dense(256, Activation.Elu(), Initializer.HeNormal, name: "hidden1"),
        new BatchNorm(name: "bn1"),
        new Dense(128, Activation.Elu(), Initializer.HeNormal, name: "hidden2"),
        new Dense(64, Activation.Elu(), Initializer.HeNormal, name: "hidden3"),
        new Dense(32, Activation.Elu(), Initializer.HeNormal, name: "hidden4"),
        new Dropout(0.2f, name: "drop4"),
        new Dense(10, name: "output"),
    };

    [Fact]
    public void CachedTrainingOfTheUpperLayersMatchesTrainingTheWholeModel()
    {
        var train = CheckpointTestData.TrainSubset(4000);
        const int epochs = 3;

        var plain = CacheModel();
        Freezing.Freeze(plain, "hidden[123]|bn1");
        var cached = CacheModel();
        Freezing.Freeze(cached, "hidden[123]|bn1");
        Assert.Equal(4, FrozenFeatureCache.CacheableLayers(cached));

        // Warm up the JIT on both paths so that the timings compare steady states.
        var warm = CacheModel();
        Freezing.Freeze(warm, "hidden[123]|bn1");
        warm.Fit(CheckpointTestData.TrainSubset(200), null, Options(new Adam(warm.Parameters(), 0.001f)));
        var warmCache = FrozenFeatureCache.Create(warm, CheckpointTestData.TrainSubset(200));
        warmCache.Upper.Fit(warmCache.Train, null, Options(new Adam(warmCache.Upper.Parameters(), 0.001f)));

        var clock = Stopwatch.StartNew();
        plain.Fit(train, null, Options(new Adam(plain.Parameters(), 0.002f), epochs));
        double plainSeconds = clock.Elapsed.TotalSeconds;

        clock.Restart();
        var cache = FrozenFeatureCache.Create(cached, train);
        double cacheSeconds = clock.Elapsed.TotalSeconds;
        Assert.Equal(4, cache.LowerLayers);
        Assert.Equal(64, cache.Train.Features);
        Assert.Equal(["hidden4.weight", "hidden4.bias", "output.weight", "output.bias"], cache.Upper.NamedParameters().Select(p => p.Name));
        cache.Upper.Fit(cache.Train, null, Options(new Adam(cache.Upper.Parameters(), 0.002f), epochs));
        double cachedSeconds = clock.Elapsed.TotalSeconds;

        output.WriteLine($"{epochs} epochs on {train.Count} digits: whole model {plainSeconds:F2} s, cached {cachedSeconds:F2} s " +
                         $"(of which the one pass through the frozen layers {cacheSeconds:F2} s): speed-up {plainSeconds / cachedSeconds:F1}x");
        var a = CheckpointTestData.Values(plain);
        var b = CheckpointTestData.Values(cached);
        foreach (var (name, values) in a)
            for (int i = 0; i < values.Length; i++)
                Assert.True(Math.Abs(values[i] - b[name][i]) <= 1e-5f, $"'{name}'[{i}]: {values[i]} uncached vs {b[name][i]} cached");
        Assert.Equal(plain.Evaluate(CheckpointTestData.Test).Accuracy, cached.Evaluate(CheckpointTestData.Test).Accuracy, 3);
    }

    [Fact]
    public void LayersThatCannotBeCachedAreNamed()
    {
        var model = CacheModel();
        Assert.Contains("'hidden1'", Assert.Throws<ArgumentException>(() => FrozenFeatureCache.Create(model, CheckpointTestData.TrainSubset(10), 1)).Message);
        Freezing.Freeze(model, "hidden[1234]|bn1");
        var ex = Assert.Throws<ArgumentException>(() => FrozenFeatureCache.Create(model, CheckpointTestData.TrainSubset(10), 6));
        Assert.Contains("'drop4'", ex.Message);
        Assert.Contains("dropout", ex.Message);
    }
}
