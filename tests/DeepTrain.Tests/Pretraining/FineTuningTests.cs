using DeepTrain.Data;
using DeepTrain.Layers;
using DeepTrain.Optimizers;
using DeepTrain.Pretraining;
using DeepTrain.Training;

namespace DeepTrain.Tests.Pretraining;

public class FineTuningTests
{
    [Fact]
    public void ThePretrainedStackGetsAnOutputLayerAndTrainsWithFit()
    {
        var (train, test) = KnownDatasets.Load("digits");
        var labelled = train.TakePerClass(20, 4);
        var result = new AutoencoderPretrainer(new AutoencoderOptions { HiddenSizes = [48, 24], Epochs = 5, BatchSize = 20, LearningRate = 0.01f, Seed = 1 })
            .Pretrain(train.TakePerClass(30, 5));
        var encoderBefore = result.Encoder.Parameters().Select(p => p.ToArray()).ToArray();

        var model = FineTuning.WithOutput(result.Encoder, labelled.Classes, seed: 2, freezeLowest: 1);
        var names = model.NamedParameters().Select(p => (p.Name, p.Value.Shape.ToString())).ToArray();
        Assert.Equal([("hidden1.weight", "[784, 48]"), ("hidden1.bias", "[48]"), ("hidden2.weight", "[48, 24]"), ("hidden2.bias", "[24]"),
                      ("output.weight", "[24, 10]"), ("output.bias", "[10]")], names);
        Assert.Equal(encoderBefore[0], model.Parameters()[0].ToArray());
        Assert.Equal(encoderBefore[2], model.Parameters()[2].ToArray());
        Assert.False(model.Parameters()[0].Trainable);
        Assert.True(model.Parameters()[2].Trainable);

        var history = model.Fit(labelled, null, new FitOptions { Optimizer = new Adam(model.Parameters(), 0.01f), Epochs = 10, BatchSize = 20, Progress = ProgressMode.None, Seed = 1 });
        var loss = history["loss"];
        Assert.True(loss[^1] < loss[0] * 0.7, $"the loss fell only: {string.Join(", ", loss)}");
        Assert.Equal(encoderBefore[0], model.Parameters()[0].ToArray()); // frozen
        Assert.NotEqual(encoderBefore[2], model.Parameters()[2].ToArray());
        Assert.Equal(encoderBefore[2], result.Encoder.Parameters()[2].ToArray()); // the pretrained stack is a separate copy
        Assert.True(model.Evaluate(test).Accuracy > 0.3);

        Assert.Throws<ArgumentOutOfRangeException>(() => FineTuning.WithOutput(result.Encoder, 10, freezeLowest: 3));
    }

    [Fact]
    public void FeatureImagesAreNormalizedFiltersAndReconstructions()
    {
        var data = KnownDatasets.Load("digits").Train.TakePerClass(10, 1);
        var result = new RbmPretrainer(new RbmOptions { HiddenSizes = [20], Epochs = 1, BatchSize = 10 }).Pretrain(data);
        var features = FeatureImages.FirstLayerFeatures(result.Encoder, count: 25);
        Assert.Equal(20, features.Length); // only 20 units
        Assert.All(features, f =>
        {
            Assert.Equal(784, f.Length);
            Assert.Equal(0f, f.Min());
            Assert.Equal(1f, f.Max());
        });
        var w = ((Dense)result.Encoder["hidden1"]).Weight;
        int argmax = Enumerable.Range(0, 784).MaxBy(i => w[i, 3]);
        Assert.Equal(1f, features[3][argmax]);

        var (inputs, reconstructions) = FeatureImages.Reconstructions(result, data, count: 4);
        Assert.Equal(4, inputs.Length);
        Assert.Equal(4, reconstructions.Length);
        Assert.All(reconstructions, r => Assert.All(r, v => Assert.InRange(v, 0f, 1f)));
        Assert.Throws<ArgumentException>(() => FeatureImages.FirstLayerFeatures(result.Encoder, 5, width: 20, height: 20));
    }
}
