using DeepTrain.Init;
using DeepTrain.Tensors;

namespace DeepTrain.Tests.Init;

public class InitializerTests
{
    public static TheoryData<float, FanMode, Distribution> Configs()
    {
        var d = new TheoryData<float, FanMode, Distribution>();
        foreach (var mode in Enum.GetValues<FanMode>())
            foreach (var dist in Enum.GetValues<Distribution>())
                foreach (var scale in new[] { 1f, 2f })
                    d.Add(scale, mode, dist);
        return d;
    }

    [Theory]
    [MemberData(nameof(Configs))]
    public void EmpiricalVarianceMatchesTheFormulaWithin2Percent(float scale, FanMode mode, Distribution dist)
    {
        var init = new VarianceScaling(scale, mode, dist);
        var w = Tensor.Zeros(300, 700); // fan_in 300, fan_out 700, fan_avg 500
        init.Fill(w, new Rng(17));
        double n = mode switch { FanMode.FanIn => 300, FanMode.FanOut => 700, _ => 500 };
        double expected = scale / n;
        double mean = w.SumValue() / w.Length, var = 0;
        foreach (var v in w.Data) var += (v - mean) * (v - mean);
        var /= w.Length;
        Assert.InRange(var / expected, 0.98, 1.02);
        Assert.InRange(Math.Abs(mean), 0, 0.01 * Math.Sqrt(expected));
        if (dist == Distribution.Uniform)
            Assert.All(w.ToArray(), v => Assert.InRange(v, -Math.Sqrt(3 * expected), Math.Sqrt(3 * expected)));
        if (dist == Distribution.TruncatedNormal)
        {
            double bound = 2 * Math.Sqrt(expected) / VarianceScaling.TruncatedStdOfUnitNormal;
            Assert.All(w.ToArray(), v => Assert.InRange(v, -bound, bound));
        }
    }

    [Theory]
    [InlineData("glorot_uniform", 2.0 / (300 + 700))]
    [InlineData("glorot_normal", 2.0 / (300 + 700))]
    [InlineData("he_normal", 2.0 / 300)]
    [InlineData("he_uniform", 2.0 / 300)]
    [InlineData("lecun_normal", 1.0 / 300)]
    [InlineData("lecun_uniform", 1.0 / 300)]
    [InlineData("normal1", 1.0)]
    public void PresetsHaveTheirVariance(string name, double expected)
    {
        var w = Tensor.Zeros(300, 700);
        Initializer.Parse(name).Fill(w, new Rng(4));
        double var = 0;
        foreach (var v in w.Data) var += (double)v * v;
        Assert.InRange(var / w.Length / expected, 0.98, 1.02);
    }

    [Fact]
    public void ConstantsAndUnknownNames()
    {
        var t = Tensor.Zeros(3);
        Initializer.Ones.Fill(t, new Rng(0));
        Assert.Equal([1f, 1f, 1f], t.ToArray());
        new Constant(0.5f).Fill(t, new Rng(0));
        Assert.Equal([0.5f, 0.5f, 0.5f], t.ToArray());
        var ex = Assert.Throws<ArgumentException>(() => Initializer.Parse("glorious"));
        Assert.Contains("he_normal", ex.Message);
    }
}
