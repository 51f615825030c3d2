using DeepTrain.Layers;
using DeepTrain.Tensors;

namespace DeepTrain.Tests.Layers;

/// <summary>BatchNorm against PyTorch's BatchNorm1d (fixture made by tests/reference/make_layer_fixtures.py).</summary>
public class BatchNormTests
{
    private static void Close(float[] expected, ReadOnlySpan<float> actual, string what, float tol = 2e-5f)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(MathF.Abs(expected[i] - actual[i]) <= tol * (1 + MathF.Abs(expected[i])), $"{what}[{i}]: expected {expected[i]}, got {actual[i]}");
    }

    [Fact]
    public void TrainingAndInferenceMatchTheReference()
    {
        var f = Fixture.Load("Layers", "Fixtures", "batchnorm.json");
        int n = f.GetProperty("n").GetInt32(), c = f.GetProperty("c").GetInt32();
        var model = new Sequential(c) { new BatchNorm((float)f.GetProperty("momentum").GetDouble(), (float)f.GetProperty("epsilon").GetDouble(), name: "bn") };
        var bn = (BatchNorm)model["bn"];
        f.Floats("gamma").CopyTo(bn.Gamma!.Data);
        f.Floats("beta").CopyTo(bn.Beta!.Data);
        int step = 0;
        foreach (var s in f.GetProperty("train_steps").EnumerateArray())
        {
            bn.Gamma.ZeroGrad(); bn.Beta.ZeroGrad();
            var x = Tensor.FromArray(s.Floats("x"), n, c);
            x.RequiresGrad = true;
            var y = model.Forward(x);
            Close(s.Floats("y"), y.Data, $"step {step} y");
            var dy = Tensor.FromArray(s.Floats("dy"), n, c);
            DeepTrain.Ops.Ops.Sum(y * dy).Backward();
            Close(s.Floats("dx"), x.Grad, $"step {step} dx", 1e-4f);
            Close(s.Floats("dgamma"), bn.Gamma.Grad, $"step {step} dgamma", 1e-4f);
            Close(s.Floats("dbeta"), bn.Beta.Grad, $"step {step} dbeta");
            Close(s.Floats("running_mean"), bn.RunningMean.Data, $"step {step} running_mean");
            Close(s.Floats("running_var"), bn.RunningVar.Data, $"step {step} running_var");
            step++;
        }
        model.Eval();
        var e = f.GetProperty("eval");
        var xe = Tensor.FromArray(e.Floats("x"), n, c);
        xe.RequiresGrad = true;
        var before = bn.RunningMean.ToArray();
        var ye = model.Forward(xe);
        Close(e.Floats("y"), ye.Data, "eval y");
        DeepTrain.Ops.Ops.Sum(ye * Tensor.FromArray(e.Floats("dy"), n, c)).Backward();
        Close(e.Floats("dx"), xe.Grad, "eval dx", 1e-4f);
        Assert.Equal(before, bn.RunningMean.ToArray()); // inference leaves the moving averages alone
    }

    [Fact]
    public void InferenceIsDeterministicAndIndependentOfTheBatch()
    {
        var model = new Sequential(4, seed: 3) { new Dense(6), new BatchNorm(), new Dropout(0.5f), new Dense(3) };
        var rng = new Rng(8);
        for (int i = 0; i < 5; i++) model.Forward(Tensor.Normal(new Shape(16, 4), 0, 1, rng)); // move the averages
        model.Eval();
        var x = Tensor.Normal(new Shape(8, 4), 0, 1, rng);
        var a = model.Forward(x).ToArray();
        var b = model.Forward(x).ToArray();
        Assert.Equal(a, b);
        // each row's output depends only on that row in inference
        var single = model.Forward(Tensor.FromArray(x.Data[..4], 1, 4)).ToArray();
        Assert.Equal(a[..3], single);
    }

    [Fact]
    public void FrozenBatchNormUsesAndKeepsItsMovingAverages()
    {
        var model = new Sequential(3, seed: 1) { new BatchNorm(name: "bn") };
        var bn = (BatchNorm)model["bn"];
        bn.Gamma!.Trainable = false; bn.Beta!.Trainable = false;
        Assert.False(bn.UsesBatchStatistics);
        var x = Tensor.Normal(new Shape(10, 3), 5, 2, new Rng(2));
        var y = model.Forward(x);
        Assert.Equal(new float[3], bn.RunningMean.ToArray());
        // with moving mean 0 and variance 1: y = x / sqrt(1 + eps)
        Assert.Equal(x[0] / MathF.Sqrt(1 + bn.Epsilon), y[0], 5);
    }

    [Fact]
    public void TrainingModeNeedsTwoRows()
    {
        var model = new Sequential(3) { new BatchNorm() };
        var ex = Assert.Throws<ArgumentException>(() => model.Forward(Tensor.Ones(1, 3)));
        Assert.Contains("at least 2 rows", ex.Message);
    }
}
