using DeepTrain.Checkpoints;
using DeepTrain.Init;
using DeepTrain.Layers;
using DeepTrain.Optimizers;
using DeepTrain.Training;

namespace DeepTrain.Tests.Checkpoints;

/// <summary>Training K epochs, saving, loading and training on to N gives the weights of an uninterrupted N-epoch run, bit for bit.</summary>
public class ResumeTests
{
    private static Sequential NewModel() => new(784, seed: 11)
    {
        new Dense(48, Activation.Elu(), Initializer.HeNormal, name: "hidden1"),
        new BatchNorm(name: "bn1"),
        new Dropout(0.3f, name: "drop1"),
        new Dense(24, Activation.RRelu(), name: "hidden2"),
        new Dense(10, name: "output"),
    };

    public static TheoryData<string> Optimizers => new() { "sgd", "adam", "nadam", "rmsprop", "adagrad", "adamw", "adamax" };

    private static Optimizer Make(string kind, Module model)
    {
        var p = model.Parameters();
        var o = kind switch
        {
            "sgd" => new Sgd(p, 0.05f, momentum: 0.9f, nesterov: true, weightDecay: 1e-4f),
            "adam" => new Adam(p, 0.002f, amsGrad: true),
            "nadam" => new Nadam(p, 0.002f, momentumDecay: 0.005f),
            "rmsprop" => new RmsProp(p, 0.001f, momentum: 0.5f, centered: true),
            "adagrad" => new AdaGrad(p, 0.05f, initialAccumulatorValue: 0.1f, learningRateDecay: 0.01f),
            _ => OptimizerFactory.Create(kind, p),
        };
        o.Clipping = new GradientClipping(ClipMode.GlobalNorm, 5f);
        return o;
    }

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void ResumingFromAFileIsBitExact(string kind)
    {
        const int total = 3, cut = 1;
        var train = CheckpointTestData.TrainSubset(600);
        var valid = CheckpointTestData.Test.Subset(Enumerable.Range(0, 100).ToArray());
        FitOptions Options(Optimizer? o, int epochs) => new() { Optimizer = o, Epochs = epochs, BatchSize = 32, Seed = 5, Progress = ProgressMode.None };

        var straight = NewModel();
        straight.Fit(train, valid, Options(Make(kind, straight), total));

        var first = NewModel();
        var optimizer = Make(kind, first);
        var history = first.Fit(train, valid, Options(optimizer, cut));
        var dir = CheckpointTestData.TempDir();
        var path = Path.Combine(dir, "run.safetensors");
        ModelFile.Save(path, first, TrainingCheckpoint.Capture(first, optimizer, cut, seed: 5, history));

        var (resumed, training) = ModelFile.LoadWithTraining(path);
        Assert.NotNull(training);
        Assert.Equal(cut, training!.Epoch);
        Assert.Equal(optimizer.GetType(), training.Optimizer!.GetType());
        Assert.Equal(optimizer.Iterations, training.Optimizer.Iterations);
        Assert.Equal(ClipMode.GlobalNorm, training.Optimizer.Clipping!.Mode);
        Assert.Equal(history["loss"], training.History!["loss"]);
        resumed.Fit(train, valid, training.ApplyTo(Options(null, total)));

        var expected = CheckpointTestData.Values(straight);
        var actual = CheckpointTestData.Values(resumed);
        foreach (var (name, values) in expected) Assert.True(values.AsSpan().SequenceEqual(actual[name]), $"{kind}: '{name}' differs after resuming");
        Directory.Delete(dir, true);
    }

    [Fact]
    public void ARunCancelledInsideAnEpochResumesToTheUninterruptedWeights()
    {
        // Cancelled 5 batches into epoch 2: the history and the checkpoint hold epoch 1 only, and resuming from the
        // checkpoint redoes epoch 2 in full, ending where a run that was never interrupted ends.
        const int total = 3;
        var train = CheckpointTestData.TrainSubset(600);
        FitOptions Options(Optimizer? o) => new() { Optimizer = o, Epochs = total, BatchSize = 32, Seed = 5, Progress = ProgressMode.None };

        var straight = NewModel();
        straight.Fit(train, null, Options(Make("adam", straight)));

        var dir = CheckpointTestData.TempDir();
        var path = Path.Combine(dir, "run.safetensors");
        var interrupted = NewModel();
        using var cts = new CancellationTokenSource();
        var options = Options(Make("adam", interrupted));
        options.Cancellation = cts.Token;
        var checkpoint = new ModelCheckpoint(path);
        var cancel = new CancelAfter(cts, (600 + 31) / 32 + 5);
        options.Callbacks = [checkpoint, cancel];
        var history = interrupted.Fit(train, null, options);
        Assert.Equal("cancelled", history.StopReason);
        Assert.Equal(1, history.Epochs);
        Assert.True(cancel.StoppedInsideEpoch);
        Assert.Equal(1, checkpoint.Saves); // at the end of epoch 1, not again when training stopped

        var (resumed, training) = ModelFile.LoadWithTraining(path);
        Assert.Equal(1, training!.Epoch);
        Assert.Equal(history["loss"], training.History!["loss"]);
        resumed.Fit(train, null, training.ApplyTo(Options(null)));

        var expected = CheckpointTestData.Values(straight);
        var actual = CheckpointTestData.Values(resumed);
        foreach (var (name, values) in expected) Assert.True(values.AsSpan().SequenceEqual(actual[name]), $"'{name}' differs after resuming");
        Directory.Delete(dir, true);
    }

    private sealed class CancelAfter(CancellationTokenSource cts, int batches) : Callback
    {
        private int _seen;
        public bool StoppedInsideEpoch;
        public override void OnBatchEnd(TrainingContext context, int batch, float loss)
        {
            if (++_seen == batches) cts.Cancel();
        }
        public override void OnTrainEnd(TrainingContext context) => StoppedInsideEpoch = context.StoppedInsideEpoch;
    }

    [Fact]
    public void WithoutTheGeneratorStateDropoutDiverges()
    {
        // The reason for FitOptions.InitialRngState: restarting the generator from the seed gives other dropout masks.
        var train = CheckpointTestData.TrainSubset(300);
        FitOptions Options(Optimizer o, int epochs, int initial = 0) => new() { Optimizer = o, Epochs = epochs, InitialEpoch = initial, BatchSize = 50, Seed = 2, Progress = ProgressMode.None };
        var straight = NewModel();
        straight.Fit(train, null, Options(new Sgd(straight.Parameters(), 0.05f), 2));
        var resumed = NewModel();
        var sgd = new Sgd(resumed.Parameters(), 0.05f);
        resumed.Fit(train, null, Options(sgd, 1));
        resumed.Fit(train, null, Options(sgd, 2, initial: 1));
        Assert.NotEqual(straight.Parameters()[0].ToArray(), resumed.Parameters()[0].ToArray());
    }
}
