using DeepTrain.Autograd;
using DeepTrain.Data;
using DeepTrain.Init;
using DeepTrain.Layers;
using DeepTrain.Optimizers;
using DeepTrain.Regularization;
using DeepTrain.Tensors;
using DeepTrain.Training;

namespace DeepTrain.Tests.Regularization;

public class RegularizationTests
{
    private static Dataset Digits(int n) => KnownDatasets.Load("digits").Train.Subset(Enumerable.Range(0, n).ToArray());

    [Fact]
    public void PenaltyValueAndGradient()
    {
        var w = Tensor.FromArray([1f, -2f, 0.5f]);
        w.RequiresGrad = true;
        var p = new Regularizer(l1: 0.1f, l2: 0.01f).Penalty(w);
        Assert.Equal(0.1f * 3.5f + 0.01f * (1 + 4 + 0.25f), p.ToScalar(), 6);
        p.Backward();
        Assert.Equal([0.1f + 0.02f, -0.1f - 0.04f, 0.1f + 0.01f], w.Grad.ToArray());
        var check = GradCheck.Check(x => new Regularizer(0.3f, 0.2f).Penalty(x[0]), [TestUtil.Param(new Rng(1), -2, 2, 0.05f, 7)]);
        Assert.True(check.Passed, check.Detail);
    }

    [Fact]
    public void L2PenaltyShrinksTheWeights()
    {
        double Norm(Regularizer? r)
        {
            var model = new Sequential(784, seed: 4) { new Dense(32, Activation.Relu, Initializer.HeNormal, name: "h", kernelRegularizer: r), new Dense(10) };
            model.Fit(Digits(800), null, new FitOptions { Optimizer = new Sgd(model.Parameters(), 0.05f), Epochs = 3, BatchSize = 32, Progress = ProgressMode.None });
            return Math.Sqrt(((Dense)model["h"]).Weight.Data.ToArray().Sum(v => (double)v * v));
        }
        Assert.True(Norm(Regularizer.OfL2(0.05f)) < 0.8 * Norm(null));
    }

    [Fact]
    public void MaxNormHoldsAfterEveryStep()
    {
        var constraint = new MaxNorm(0.5f);
        var model = new Sequential(784, seed: 4) { new Dense(16, Activation.Relu, Initializer.HeNormal, name: "h", kernelConstraint: constraint), new Dense(10) };
        model.Fit(Digits(400), null, new FitOptions { Optimizer = new Sgd(model.Parameters(), 0.5f), Epochs = 1, BatchSize = 20, Progress = ProgressMode.None });
        var w = ((Dense)model["h"]).Weight;
        for (int j = 0; j < 16; j++)
        {
            double n = 0;
            for (int i = 0; i < 784; i++) n += (double)w[i, j] * w[i, j];
            Assert.True(Math.Sqrt(n) <= 0.5 + 1e-5, $"column {j} has norm {Math.Sqrt(n)}");
        }
        // columns already inside the ball are left alone
        var t = Tensor.FromArray([0.1f, 3f, 0.1f, 4f], 2, 2);
        new MaxNorm(1f).Apply(t);
        Assert.Equal(0.1f, t[0, 0]);
        Assert.Equal(0.6f, t[0, 1], 5);
        Assert.Equal(0.8f, t[1, 1], 5);
    }

    [Fact]
    public void EarlyStoppingStopsAndRestoresTheBestEpochsWeights()
    {
        var all = Digits(1200);
        var train = all.Subset(Enumerable.Range(0, 200).ToArray());
        var valid = all.Subset(Enumerable.Range(200, 1000).ToArray());
        var model = new Sequential(784, seed: 2) { new Dense(64, Activation.Relu, Initializer.HeNormal), new BatchNorm(), new Dense(10) };
        var snapshots = new List<float[]>();
        var stopping = new EarlyStopping("val_loss", patience: 2);
        var history = model.Fit(train, valid, new FitOptions
        {
            Optimizer = new Adam(model.Parameters(), 0.01f), Epochs = 40, BatchSize = 20, Progress = ProgressMode.None,
            Callbacks = [stopping, new Snapshot(snapshots)],
        });
        Assert.True(history.Epochs < 40, "a 200-example training set overfits well before 40 epochs");
        Assert.StartsWith("early stopping", history.StopReason);
        int best = history["val_loss"].Select((v, i) => (v, i)).MinBy(p => p.v).i;
        Assert.Equal(best, stopping.BestEpoch);
        Assert.Equal(history.Epochs - 1, best + 2 + 1); // stopped after patience + 1 worse epochs
        Assert.Equal(snapshots[best], model.Parameters()[0].ToArray());
        Assert.Throws<ArgumentException>(() => new EarlyStopping(patience: -1));
    }

    private sealed class Snapshot(List<float[]> into) : Callback
    {
        public override void OnEpochEnd(TrainingContext context, IReadOnlyDictionary<string, double> logs) => into.Add(context.Model.Parameters()[0].ToArray());
    }
}
