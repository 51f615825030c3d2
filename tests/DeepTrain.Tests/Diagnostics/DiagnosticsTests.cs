using DeepTrain.Data;
using DeepTrain.Diagnostics;
using DeepTrain.Init;
using DeepTrain.Layers;
using DeepTrain.Optimizers;
using DeepTrain.Tensors;
using DeepTrain.Training;
using Xunit.Abstractions;

namespace DeepTrain.Tests.Diagnostics;

public class DiagnosticsTests(ITestOutputHelper output)
{
    private static (Tensor X, int[] Y) Batch(int n)
    {
        var (train, _) = KnownDatasets.Load("digits");
        var x = Tensor.Zeros(n, train.Features);
        var y = new int[n];
        train.GetBatch(Enumerable.Range(0, n).ToArray(), x.Data, y);
        return (x, y);
    }

    private IReadOnlyList<LayerStats> Deep(Activation act, Initializer init, bool batchNorm = false)
    {
        var model = new MlpBuilder { Hidden = Enumerable.Repeat(100, 10).ToArray(), Activation = act, Initializer = init, BatchNorm = batchNorm }.Build(784, 10, 1);
        var (x, y) = Batch(256);
        var stats = StatsRecorder.Analyze(model, x, y);
        foreach (var s in stats) output.WriteLine($"{s.Layer,-8} act mean {s.ActivationMean,8:F3} std {s.ActivationStd,7:F3} sat {s.SaturatedFraction,5:P0} grad rms {s.OutputGradRms:E2} wgrad std {s.WeightGradStd:E2}");
        return stats;
    }

    private static double BottomToTop(IReadOnlyList<LayerStats> s) => s[0].OutputGradRms / s[^2].OutputGradRms;

    [Fact]
    public void LogisticWithTheStandardInitializationLosesItsGradientOnTheWayDown()
    {
        // Glorot & Bengio (2010)'s setting: logistic units, weights U[-1/sqrt(n), 1/sqrt(n)]
        var stats = Deep(Activation.Sigmoid, Initializer.StandardUniform);
        Assert.True(BottomToTop(stats) < 1e-2, $"bottom/top gradient ratio {BottomToTop(stats):E2}");
        Assert.Contains(Verdict.Assess(stats), f => f.Layer == "hidden1" && f.Problem.Contains("vanishing"));
    }

    [Fact]
    public void LogisticWithUnitNormalWeightsSaturatesItsLayers()
    {
        // N(0, 1): each layer's pre-activations have a deviation near 7, so about half of the units sit within
        // 1e-2 of 0 or 1. (Measured: the weight gradient shrinks about 16x from top to bottom; the gradient with
        // respect to the activations does not, because the large weights re-amplify what saturation removes.)
        var stats = Deep(Activation.Sigmoid, Initializer.RandomNormal(0, 1));
        Assert.All(stats.Take(10), s => Assert.True(s.SaturatedFraction > 0.4, $"{s.Layer} saturation {s.SaturatedFraction:P0}"));
        Assert.True(stats[0].WeightGradStd < stats[9].WeightGradStd / 5, $"bottom weight gradient {stats[0].WeightGradStd:E2} vs top {stats[9].WeightGradStd:E2}");
    }

    [Fact]
    public void HeWithEluKeepsGradientsWithinAnOrderOfMagnitude()
    {
        var stats = Deep(Activation.Elu(), Initializer.HeNormal);
        Assert.InRange(BottomToTop(stats), 0.1, 10);
        Assert.DoesNotContain(Verdict.Assess(stats), f => f.Problem.Contains("vanishing") || f.Problem.Contains("exploding"));
    }

    [Fact]
    public void BatchNormAlsoKeepsGradientsWithinAnOrderOfMagnitude()
    {
        var stats = Deep(Activation.Sigmoid, Initializer.RandomNormal(0, 1), batchNorm: true);
        Assert.InRange(BottomToTop(stats), 0.1, 10);
    }

    [Fact]
    public void SaturatedAndDeadFractionsOnHandBuiltCases()
    {
        // a ReLU layer whose bias drives 3 of 4 units negative for every input: 75% dead
        var model = new Sequential(2) { new Dense(4, Activation.Relu, Initializer.Zeros, name: "h"), new Dense(2, name: "out") };
        var h = (Dense)model["h"];
        new float[] { 1f, -1f, -2f, -3f }.CopyTo(h.Bias!.Data);
        var stats = StatsRecorder.Analyze(model, Tensor.Ones(5, 2), [0, 1, 0, 1, 0]);
        Assert.Equal(0.75, stats[0].DeadFraction, 6);
        // a logistic layer with huge weights: every activation within 1e-2 of 0 or 1
        var m2 = new Sequential(2) { new Dense(3, Activation.Sigmoid, new Constant(50f), name: "h"), new Dense(2, name: "out") };
        var x = Tensor.FromArray([1f, 1f, -1f, -1f, 0.5f, 0.2f], 3, 2);
        var s2 = StatsRecorder.Analyze(m2, x, [0, 1, 0]);
        Assert.Equal(1.0, s2[0].SaturatedFraction, 6);
        Assert.Contains(Verdict.Assess(s2), f => f.Problem.Contains("saturated"));
        var findings = Verdict.Lines(stats).ToList();
        Assert.Contains(findings, l => l.StartsWith("h: 75% dead units"));
    }

    [Fact]
    public void RecorderRecordsDuringFitAndMeasuresItsCost()
    {
        var (train, _) = KnownDatasets.Load("digits");
        var model = new Sequential(784, seed: 2) { new Dense(32, Activation.Elu(), Initializer.HeNormal, name: "hidden1"), new Dense(10, name: "output") };
        var recorder = new StatsRecorder(model, every: 10);
        model.Fit(train.Subset(Enumerable.Range(0, 640).ToArray()), null, new FitOptions
        {
            Optimizer = new Sgd(model.Parameters(), 0.1f), Epochs = 1, BatchSize = 32, Progress = ProgressMode.None, Callbacks = [recorder],
        });
        Assert.Equal(2 * 2, recorder.Records.Count); // steps 0 and 10, two layers each
        Assert.All(recorder.Records, r => Assert.True(r.UpdateRatio > 0 && r.WeightGradNorm > 0 && r.OutputGradRms > 0));
        Assert.True(recorder.MillisecondsPerRecordedStep > 0);
    }

    [Fact]
    public void WarnsOnceWhenMostOfAReluLayerIsDead()
    {
        var (train, _) = KnownDatasets.Load("digits");
        var model = new Sequential(784, seed: 2) { new Dense(32, Activation.Relu, Initializer.HeNormal, name: "hidden1"), new Dense(10, name: "output") };
        var bias = ((Dense)model["hidden1"]).Bias!;
        bias.Fill(-100f); // every unit's pre-activation is negative: all dead
        var log = new StringWriter();
        var recorder = new StatsRecorder(model, every: 5) { WarningOutput = log };
        model.Fit(train.Subset(Enumerable.Range(0, 320).ToArray()), null, new FitOptions
        {
            Optimizer = new Sgd(model.Parameters(), 0.01f), Epochs = 1, BatchSize = 32, Progress = ProgressMode.None, Callbacks = [recorder],
        });
        Assert.Single(recorder.Warnings);
        Assert.Contains("hidden1 has 100% dead units", log.ToString());
    }

    [Fact]
    public void NonFiniteLossStopsWithTheStepAndTheLayer()
    {
        var (train, _) = KnownDatasets.Load("digits");
        var model = new Sequential(784, seed: 2)
        {
            new Dense(64, Activation.Linear, new VarianceScaling(1e6f), name: "hidden1"),
            new Dense(64, Activation.Linear, new VarianceScaling(1e6f), name: "hidden2"),
            new Dense(10, null, new VarianceScaling(1e6f), name: "output"),
        };
        var ex = Assert.Throws<TrainingDivergedException>(() => model.Fit(train.Subset(Enumerable.Range(0, 2000).ToArray()), null, new FitOptions
        {
            Optimizer = new Sgd(model.Parameters(), 1f), Epochs = 2, BatchSize = 32, Progress = ProgressMode.None,
        }));
        output.WriteLine(ex.Message);
        Assert.Contains($"at step {ex.Step}", ex.Message);
        Assert.Matches("hidden[12]|output", ex.Message);
        Assert.Contains("lower learning rate", ex.Message);
    }
}
