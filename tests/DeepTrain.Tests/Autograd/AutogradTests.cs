using DeepTrain.Autograd;
using DeepTrain.Tensors;
using static DeepTrain.Ops.Ops;

namespace DeepTrain.Tests.Autograd;

public class AutogradTests
{
    [Fact]
    public void ATensorUsedTwiceAccumulatesItsGradient()
    {
        var x = Tensor.FromArray([1f, 2f, 3f]);
        x.RequiresGrad = true;
        var y = Sum(x * x + x * 3f); // d/dx = 2x + 3
        y.Backward();
        Assert.Equal([5f, 7f, 9f], x.Grad.ToArray());
    }

    [Fact]
    public void ProductGradientsOverwriteAZeroedGradientAndAddToALiveOne()
    {
        // Dense and MatMul write a gradient that ZeroGrad cleared (without clearing its buffer first) and add to one
        // that holds a value: the four cases must give the textbook sums.
        var x = Tensor.FromArray([1f, 2f, -1f, 0.5f], 2, 2);
        var w = Tensor.FromArray([0.5f, -1f, 2f, 1f], 2, 2);
        var b = Tensor.FromArray([0.1f, 0.2f], 2);
        x.RequiresGrad = w.RequiresGrad = b.RequiresGrad = true;
        void Pass() => Sum(Dense(x, w, b, DeepTrain.Kernels.ActivationKind.Elu, 1f) + MatMul(x, w)).Backward();

        Pass();
        float[] gw = w.Grad.ToArray(), gx = x.Grad.ToArray(), gb = b.Grad.ToArray();
        Pass(); // accumulates
        Assert.Equal(gw.Select(v => 2 * v), w.Grad.ToArray());
        Assert.Equal(gx.Select(v => 2 * v), x.Grad.ToArray());
        Assert.Equal(gb.Select(v => 2 * v), b.Grad.ToArray());
        w.ZeroGrad(); x.ZeroGrad(); b.ZeroGrad();
        Assert.True(w.HasGrad);
        Assert.All(w.Grad.ToArray(), v => Assert.Equal(0f, v)); // reading after ZeroGrad sees zeros
        Pass(); // the zeroed buffers (whose old values were cleared on read) are written afresh
        Assert.Equal(gw, w.Grad.ToArray());
        w.ZeroGrad(); x.ZeroGrad(); b.ZeroGrad();
        Pass(); // the stale values are still in the buffers here: they must be overwritten, not added to
        Assert.Equal(gw, w.Grad.ToArray());
        Assert.Equal(gx, x.Grad.ToArray());
        Assert.Equal(gb, b.Grad.ToArray());
    }

    [Fact]
    public void GradientsAccumulateAcrossBackwardCallsUntilZeroed()
    {
        var x = Tensor.FromArray([1f, -2f]);
        x.RequiresGrad = true;
        Sum(x * 2f).Backward();
        Sum(x * 2f).Backward();
        Assert.Equal([4f, 4f], x.Grad.ToArray());
        x.ZeroGrad();
        Assert.Equal([0f, 0f], x.Grad.ToArray());
    }

    [Fact]
    public void BackwardOnANonScalarThrowsAClearError()
    {
        var x = Tensor.Ones(2, 3);
        x.RequiresGrad = true;
        var ex = Assert.Throws<InvalidOperationException>(() => (x * 2f).Backward());
        Assert.Contains("[2, 3]", ex.Message);
        Assert.Contains("scalar", ex.Message);
    }

    [Fact]
    public void BackwardTwiceOnAFreedGraphThrows()
    {
        var x = Tensor.Ones(3);
        x.RequiresGrad = true;
        var loss = Sum(Exp(x));
        loss.Backward();
        var ex = Assert.Throws<InvalidOperationException>(() => loss.Backward());
        Assert.Contains("freed", ex.Message);
    }

    [Fact]
    public void RetainGraphAllowsASecondBackward()
    {
        var x = Tensor.Ones(3);
        x.RequiresGrad = true;
        var loss = Sum(x * 5f);
        loss.Backward(retainGraph: true);
        loss.Backward();
        Assert.Equal([10f, 10f, 10f], x.Grad.ToArray());
    }

    [Fact]
    public void NoGradRecordsNothing()
    {
        var x = Tensor.Ones(3);
        x.RequiresGrad = true;
        Tensor y;
        using (GradMode.NoGrad()) y = x * 2f;
        Assert.False(y.RequiresGrad);
        Assert.True(y.IsLeaf);
        Assert.Throws<InvalidOperationException>(() => Sum(y).Backward());
        Assert.True(GradMode.IsEnabled);
    }

    [Fact]
    public void DetachStopsTheGradient()
    {
        var x = Tensor.FromArray([1f, 2f]);
        x.RequiresGrad = true;
        var y = Sum(x * x.Detach()); // d/dx = x (the detached factor is a constant)
        y.Backward();
        Assert.Equal([1f, 2f], x.Grad.ToArray());
    }

    [Fact]
    public void RequiresGradCannotBeSetOnAnOpResult()
    {
        var x = Tensor.Ones(2);
        x.RequiresGrad = true;
        var y = x * 2f;
        Assert.Throws<InvalidOperationException>(() => y.RequiresGrad = false);
    }

    [Fact]
    public void BroadcastMismatchNamesBothShapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Add(Tensor.Ones(3, 4), Tensor.Ones(5)));
        Assert.Contains("[3, 4]", ex.Message);
        Assert.Contains("[5]", ex.Message);
        var ex2 = Assert.Throws<ArgumentException>(() => MatMul(Tensor.Ones(3, 4), Tensor.Ones(5, 2)));
        Assert.Contains("[3, 4]", ex2.Message);
        Assert.Contains("[5, 2]", ex2.Message);
    }

    [Fact]
    public void ScopedTensorsAreRecycledAndKeptOnesSurvive()
    {
        var scope = new StepScope();
        var w = Tensor.Ones(4);
        w.RequiresGrad = true;
        Tensor kept;
        using (scope.Open())
        {
            var y = w * 3f;
            kept = (y + 1f).Keep();
            Sum(kept).Backward();
        }
        Assert.Equal([4f, 4f, 4f, 4f], kept.ToArray());
        Assert.True(kept.IsLeaf); // cut from its graph when the scope closed
        Assert.Equal([3f, 3f, 3f, 3f], w.Grad.ToArray());
        using (scope.Open()) { var z = w * 10f; _ = z; } // reuses pooled buffers; kept must not change
        Assert.Equal([4f, 4f, 4f, 4f], kept.ToArray());
    }

    [Fact]
    public void SteadyStateStepAllocatesNothing()
    {
        var rng = new Rng(3);
        var w1 = Tensor.Normal(new Shape(20, 16), 0, 0.3f, rng); w1.RequiresGrad = true;
        var b1 = Tensor.Zeros(16); b1.RequiresGrad = true;
        var w2 = Tensor.Normal(new Shape(16, 4), 0, 0.3f, rng); w2.RequiresGrad = true;
        var x = Tensor.Normal(new Shape(8, 20), 0, 1, rng);
        int[] labels = [0, 1, 2, 3, 0, 1, 2, 3];
        var parameters = new[] { w1, b1, w2 };
        var scope = new StepScope();
        void Step()
        {
            using (scope.Open())
            {
                var h = Dense(x, w1, b1, DeepTrain.Kernels.ActivationKind.Elu, 1f);
                var h2 = Maximum(h * 0.5f, h) + Tanh(h) - Exp(Minimum(h, 0f));
                var logits = MatMul(h2, w2);
                var loss = SoftmaxCrossEntropy(logits, labels) + Mean(Sum(Pow(logits, 2f), 1)) * 1e-3f;
                loss.Backward();
            }
            using (GradMode.NoGrad())
                foreach (var p in parameters)
                {
                    var d = p.Data; var g = p.Grad;
                    for (int i = 0; i < d.Length; i++) d[i] -= 0.01f * g[i];
                    p.ZeroGrad();
                }
        }
        for (int i = 0; i < 5; i++) Step();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 50; i++) Step();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
    }
}
