using DeepTrain.Optimizers;
using DeepTrain.Tensors;

namespace DeepTrain.Tests.Optimizers;

/// <summary>Frozen parameters, parameter groups, state round-trips and allocation-free steps, for every optimizer.</summary>
public class OptimizerBehaviourTests
{
    public static TheoryData<string> Names()
    {
        var d = new TheoryData<string>();
        foreach (var n in OptimizerFactory.Names) d.Add(n);
        return d;
    }

    private static Tensor Param(string name, int n, float value, float grad)
    {
        var t = Tensor.Full(value, n);
        t.Name = name;
        t.EnsureGrad().AsSpan().Fill(grad);
        return t;
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void FrozenParametersAreUntouched(string name)
    {
        var live = Param("live", 5, 1f, 0.5f);
        var frozen = Param("frozen", 5, 1f, 0.5f);
        frozen.Trainable = false;
        var opt = OptimizerFactory.Create(name, [live, frozen], new OptimizerOptions { LearningRate = 0.1f });
        for (int i = 0; i < 3; i++) opt.Step();
        Assert.All(frozen.ToArray(), v => Assert.Equal(1f, v));
        Assert.All(live.ToArray(), v => Assert.True(v < 1f, $"{name} did not move the live parameter"));
        Assert.DoesNotContain(opt.GetState(), s => s.Name == "frozen");
    }

    [Fact]
    public void ParametersWithoutGradientAreSkipped()
    {
        var p = Tensor.Full(2f, 3);
        var opt = new Adam([p], learningRate: 0.1f);
        opt.Step();
        Assert.Equal([2f, 2f, 2f], p.ToArray());
    }

    [Fact]
    public void GroupsUseTheirOwnRateAndFollowTheSchedule()
    {
        var a = Param("a", 2, 0f, 1f);
        var b = Param("b", 2, 0f, 1f);
        var sgd = new Sgd([new ParamGroup([a]), new ParamGroup([b], learningRate: 0.01f)], learningRate: 0.1f);
        sgd.Step();
        Assert.All(a.ToArray(), v => Assert.Equal(-0.1f, v, 1e-7f));
        Assert.All(b.ToArray(), v => Assert.Equal(-0.01f, v, 1e-7f));

        sgd.LearningRate = 0.05f;   // a schedule halves the base rate: the group's rate halves too
        sgd.Step();
        Assert.All(a.ToArray(), v => Assert.Equal(-0.15f, v, 1e-7f));
        Assert.All(b.ToArray(), v => Assert.Equal(-0.015f, v, 1e-7f));
    }

    [Fact]
    public void GroupsUseTheirOwnRateInAdam()
    {
        // Adam's first step moves each weight by about η·sign(g).
        var a = Param("a", 3, 0f, 2f);
        var b = Param("b", 3, 0f, -3f);
        var adam = new Adam([new ParamGroup([a]), new ParamGroup([b], learningRate: 0.001f)], learningRate: 0.1f);
        adam.Step();
        Assert.All(a.ToArray(), v => Assert.Equal(-0.1f, v, 1e-5f));
        Assert.All(b.ToArray(), v => Assert.Equal(0.001f, v, 1e-7f));
    }

    [Fact]
    public void GroupsUseTheirOwnWeightDecay()
    {
        var a = Param("a", 1, 1f, 0f);
        var b = Param("b", 1, 1f, 0f);
        var sgd = new Sgd([new ParamGroup([a]), new ParamGroup([b], weightDecay: 0.5f)], learningRate: 0.1f, weightDecay: 0.1f);
        sgd.Step();
        Assert.Equal(1f - 0.1f * 0.1f, a[0], 1e-7f);
        Assert.Equal(1f - 0.1f * 0.5f, b[0], 1e-7f);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void StateRoundTripsThroughGetAndSetState(string name)
    {
        float[] Run(bool restore)
        {
            var p = Param("p", 4, 1f, 0.3f);
            var opt = OptimizerFactory.Create(name, [p], new OptimizerOptions { LearningRate = 0.05f });
            for (int i = 0; i < 3; i++) { p.EnsureGrad().AsSpan().Fill(0.3f + i * 0.1f); opt.Step(); }
            if (restore)
            {
                var q = Param("p", 4, 0f, 0f);
                p.Data.CopyTo(q.Data);
                var fresh = OptimizerFactory.Create(name, [q], new OptimizerOptions { LearningRate = 0.05f });
                foreach (var (n, slot, values) in opt.GetState()) fresh.SetState(n, slot, values);
                fresh.Iterations = opt.Iterations;
                (p, opt) = (q, fresh);
            }
            p.EnsureGrad().AsSpan().Fill(-0.2f);
            opt.Step();
            return p.ToArray();
        }
        Assert.Equal(Run(false), Run(true));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void AStepAllocatesNothingAfterWarmUp(string name)
    {
        var ps = new[] { Param("w", 1000, 0.5f, 0.1f), Param("b", 10, 0.1f, -0.2f) };
        var opt = OptimizerFactory.Create(name, ps, new OptimizerOptions());
        opt.Clipping = new GradientClipping(ClipMode.GlobalNorm, 1f);
        for (int i = 0; i < 5; i++) opt.Step();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++) opt.Step();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void AdamStepAllocatesNothingAfterWarmUp()
    {
        var ps = new[] { Param("w", 4096, 0.5f, 0.1f), Param("b", 64, 0.1f, -0.2f) };
        var opt = new Adam(ps, amsGrad: true, weightDecay: 0.01f);
        for (int i = 0; i < 5; i++) opt.Step();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 50; i++) opt.Step();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void NadamRecomputesItsMomentumProductWhenTheStepJumps()
    {
        // After a restore, Iterations is set directly; the cached product of μ must follow it.
        var p1 = Param("p", 3, 1f, 0.5f);
        var p2 = Param("p", 3, 1f, 0.5f);
        var a = new Nadam([p1], learningRate: 0.01f);
        var b = new Nadam([p2], learningRate: 0.01f);
        for (int i = 0; i < 10; i++) { p1.EnsureGrad().AsSpan().Fill(0.5f); a.Step(); }
        foreach (var (n, slot, values) in a.GetState()) b.SetState(n, slot, values);
        p1.Data.CopyTo(p2.Data);
        b.Iterations = a.Iterations;
        p1.EnsureGrad().AsSpan().Fill(0.5f);
        p2.EnsureGrad().AsSpan().Fill(0.5f);
        a.Step();
        b.Step();
        Assert.Equal(p1.ToArray(), p2.ToArray());
    }
}
