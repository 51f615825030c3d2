using DeepTrain.Tensors;

namespace DeepTrain.Tests.Tensors;

public class TensorTests
{
    [Fact]
    public void FactoriesMakeTheRequestedShapesAndValues()
    {
        Assert.Equal(new Shape(2, 3), Tensor.Zeros(2, 3).Shape);
        Assert.All(Tensor.Ones(4).ToArray(), v => Assert.Equal(1f, v));
        Assert.Equal(2.5f, Tensor.Scalar(2.5f).ToScalar());
        Assert.Equal(0, Tensor.Scalar(1f).Shape.Rank);
        var t = Tensor.FromArray([1f, 2f, 3f, 4f, 5f, 6f], 2, 3);
        Assert.Equal(6f, t[1, 2]);
        Assert.Throws<ArgumentException>(() => Tensor.FromArray([1f, 2f, 3f], 2, 2));
    }

    [Fact]
    public void RandomFactoriesAreSeededAndHaveTheRightMoments()
    {
        var a = Tensor.Normal(new Shape(100_000), 1f, 2f, new Rng(5));
        var b = Tensor.Normal(new Shape(100_000), 1f, 2f, new Rng(5));
        Assert.Equal(a.ToArray(), b.ToArray());
        double mean = a.SumValue() / a.Length, var = 0;
        foreach (var v in a.Data) var += (v - mean) * (v - mean);
        var /= a.Length;
        Assert.InRange(mean, 0.97, 1.03);
        Assert.InRange(var, 3.9, 4.1);
        var u = Tensor.Uniform(new Shape(10_000), -1f, 3f, new Rng(6));
        Assert.All(u.ToArray(), v => Assert.InRange(v, -1f, 3f));
    }

    [Fact]
    public void ToStringShowsShapeAndFirstValues()
    {
        var t = Tensor.FromArray([1f, 2.5f, -3f, 4f], 2, 2);
        Assert.Equal("tensor([[1, 2.5], [-3, 4]], shape=[2, 2])", t.ToString());
        var big = Tensor.Zeros(100, 100);
        var s = big.ToString();
        Assert.Contains("...", s);
        Assert.Contains("shape=[100, 100]", s);
        Assert.True(s.Length < 400);
    }

    [Fact]
    public void RngStateRoundTrips()
    {
        var r = new Rng(11);
        r.NextGaussian();
        var state = r.GetState();
        var a = new float[5]; for (int i = 0; i < 5; i++) a[i] = r.NextGaussian();
        var r2 = new Rng(0); r2.SetState(state);
        var b = new float[5]; for (int i = 0; i < 5; i++) b[i] = r2.NextGaussian();
        Assert.Equal(a, b);
    }
}
