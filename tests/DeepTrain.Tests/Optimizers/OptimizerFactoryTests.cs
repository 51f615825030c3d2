using DeepTrain.Optimizers;
using DeepTrain.Tensors;

namespace DeepTrain.Tests.Optimizers;

public class OptimizerFactoryTests
{
    private static Tensor[] Ps() => [Tensor.Zeros(3)];

    [Theory]
    [InlineData("sgd", typeof(Sgd), 0.01f)]
    [InlineData("momentum", typeof(Sgd), 0.01f)]
    [InlineData("nesterov", typeof(Sgd), 0.01f)]
    [InlineData("adagrad", typeof(AdaGrad), 0.01f)]
    [InlineData("rmsprop", typeof(RmsProp), 0.001f)]
    [InlineData("adam", typeof(Adam), 0.001f)]
    [InlineData("adamw", typeof(AdamW), 0.001f)]
    [InlineData("nadam", typeof(Nadam), 0.001f)]
    [InlineData("adamax", typeof(AdaMax), 0.002f)]
    public void MakesEachOptimizerWithItsDefaultRate(string name, Type type, float rate)
    {
        var opt = OptimizerFactory.Create(name, Ps(), new OptimizerOptions());
        Assert.IsType(type, opt);
        Assert.Equal(rate, opt.LearningRate);
        Assert.Contains(name, OptimizerFactory.Names);
    }

    [Fact]
    public void NamesAreCaseInsensitiveAndComplete()
    {
        Assert.IsType<Adam>(OptimizerFactory.Create("Adam", Ps(), new OptimizerOptions()));
        Assert.Equal(["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw", "nadam", "adamax"], OptimizerFactory.Names);
    }

    [Fact]
    public void MomentumPresetsUseNinetyPercent()
    {
        var m = Assert.IsType<Sgd>(OptimizerFactory.Create("momentum", Ps(), new OptimizerOptions()));
        Assert.Equal(0.9f, m.Momentum);
        Assert.False(m.Nesterov);
        var n = Assert.IsType<Sgd>(OptimizerFactory.Create("nesterov", Ps(), new OptimizerOptions()));
        Assert.Equal(0.9f, n.Momentum);
        Assert.True(n.Nesterov);
        var s = Assert.IsType<Sgd>(OptimizerFactory.Create("sgd", Ps(), new OptimizerOptions()));
        Assert.Equal(0f, s.Momentum);
    }

    [Fact]
    public void OptionsAreHonoured()
    {
        var o = new OptimizerOptions { LearningRate = 0.03f, Beta1 = 0.8f, Beta2 = 0.95f, Epsilon = 1e-6f, WeightDecay = 0.2f, AmsGrad = true };
        var a = Assert.IsType<Adam>(OptimizerFactory.Create("adam", Ps(), o));
        Assert.Equal((0.03f, 0.8f, 0.95f, 1e-6f, 0.2f, true), (a.LearningRate, a.Beta1, a.Beta2, a.Epsilon, a.WeightDecay, a.AmsGrad));
        var r = Assert.IsType<RmsProp>(OptimizerFactory.Create("rmsprop", Ps(),
            new OptimizerOptions { Rho = 0.9f, Momentum = 0.5f, Centered = true, Epsilon = 1e-7f }));
        Assert.Equal((0.9f, 0.5f, true, 1e-7f), (r.Rho, r.Momentum, r.Centered, r.Epsilon));
        var w = Assert.IsType<AdamW>(OptimizerFactory.Create("adamw", Ps(), new OptimizerOptions()));
        Assert.Equal(0.01f, w.WeightDecay);
    }

    [Fact]
    public void UnknownNameListsTheValidOnes()
    {
        var e = Assert.Throws<ArgumentException>(() => OptimizerFactory.Create("adamm", Ps(), new OptimizerOptions()));
        Assert.Contains("unknown optimizer 'adamm'", e.Message);
        foreach (var n in OptimizerFactory.Names) Assert.Contains(n, e.Message);
    }

    [Theory]
    [InlineData("sgd", "beta1")]
    [InlineData("adam", "momentum")]
    [InlineData("adam", "centered")]
    [InlineData("nadam", "amsgrad")]
    [InlineData("rmsprop", "beta2")]
    [InlineData("adagrad", "rho")]
    public void AnOptionTheOptimizerDoesNotUseIsRefused(string name, string option)
    {
        var o = new OptimizerOptions();
        switch (option)
        {
            case "beta1": o.Beta1 = 0.9f; break;
            case "beta2": o.Beta2 = 0.9f; break;
            case "momentum": o.Momentum = 0.9f; break;
            case "centered": o.Centered = true; break;
            case "amsgrad": o.AmsGrad = true; break;
            case "rho": o.Rho = 0.9f; break;
        }
        var e = Assert.Throws<ArgumentException>(() => OptimizerFactory.Create(name, Ps(), o));
        Assert.Contains(option, e.Message);
        Assert.Contains(name, e.Message);
    }
}
