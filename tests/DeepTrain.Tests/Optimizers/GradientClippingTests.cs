using DeepTrain.Optimizers;
using DeepTrain.Tensors;

namespace DeepTrain.Tests.Optimizers;

/// <summary>Clipping by value, by each tensor's norm and by the global norm, on hand-computed cases.</summary>
public class GradientClippingTests
{
    private static Tensor WithGrad(params float[] grad)
    {
        var t = Tensor.Zeros(grad.Length);
        grad.CopyTo(t.EnsureGrad(), 0);
        return t;
    }

    [Fact]
    public void ByValueClampsEachElement()
    {
        var p = WithGrad(3f, -4f, 0.5f, -1f);
        new GradientClipping(ClipMode.Value, 1f).Apply([p]);
        Assert.Equal([1f, -1f, 0.5f, -1f], p.GradToArray()!);
    }

    [Fact]
    public void ByNormRescalesOnlyTensorsAboveTheThreshold()
    {
        var big = WithGrad(3f, 4f);        // norm 5 → scaled to norm 1
        var small = WithGrad(0.3f, 0.4f);  // norm 0.5 → unchanged
        new GradientClipping(ClipMode.Norm, 1f).Apply([big, small]);
        AssertClose([0.6f, 0.8f], big.GradToArray()!);
        Assert.Equal([0.3f, 0.4f], small.GradToArray()!);
    }

    [Fact]
    public void ByGlobalNormRescalesAllTogether()
    {
        var a = WithGrad(3f, 4f);
        var b = WithGrad(12f);             // joint norm √(9 + 16 + 144) = 13
        var clip = new GradientClipping(ClipMode.GlobalNorm, 6.5f);
        clip.Apply([a, b]);
        Assert.Equal(13f, clip.LastGlobalNorm, 5);
        AssertClose([1.5f, 2f], a.GradToArray()!);
        AssertClose([6f], b.GradToArray()!);
    }

    [Fact]
    public void ByGlobalNormLeavesSmallGradientsAlone()
    {
        var a = WithGrad(0.3f, 0.4f);
        new GradientClipping(ClipMode.GlobalNorm, 1f).Apply([a]);
        Assert.Equal([0.3f, 0.4f], a.GradToArray()!);
    }

    [Fact]
    public void FrozenParametersAreNeitherClippedNorCounted()
    {
        var a = WithGrad(3f, 4f);
        var frozen = WithGrad(100f);
        frozen.Trainable = false;
        var clip = new GradientClipping(ClipMode.GlobalNorm, 1f);
        clip.Apply([a, frozen]);
        Assert.Equal(5f, clip.LastGlobalNorm, 5);
        AssertClose([0.6f, 0.8f], a.GradToArray()!);
        Assert.Equal([100f], frozen.GradToArray()!);
    }

    [Fact]
    public void TheOptimizerClipsBeforeItsUpdate()
    {
        var p = WithGrad(3f, 4f);
        var sgd = new Sgd([p], learningRate: 1f) { Clipping = new GradientClipping(ClipMode.Norm, 1f) };
        sgd.Step();
        AssertClose([-0.6f, -0.8f], p.ToArray());
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(-1f)]
    public void ThresholdMustBePositive(float t)
    {
        var e = Assert.Throws<ArgumentException>(() => new GradientClipping(ClipMode.Value, t));
        Assert.Contains("clip threshold", e.Message);
    }

    private static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 1e-6f);
    }
}
