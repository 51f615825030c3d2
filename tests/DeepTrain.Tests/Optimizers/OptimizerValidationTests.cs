using DeepTrain.Optimizers;
using DeepTrain.Tensors;

namespace DeepTrain.Tests.Optimizers;

/// <summary>Bad hyper-parameters are refused when the optimizer is made, with the option and the value in the message.</summary>
public class OptimizerValidationTests
{
    private static Tensor[] Ps() => [Tensor.Zeros(3)];

    private static void Refused(Action make, params string[] fragments)
    {
        var e = Assert.ThrowsAny<ArgumentException>(make);
        foreach (var f in fragments) Assert.Contains(f, e.Message);
    }

    [Fact]
    public void NegativeLearningRateIsRefusedByEveryOptimizer()
    {
        Refused(() => new Sgd(Ps(), learningRate: -0.1f), "learning rate", "-0.1");
        Refused(() => new AdaGrad(Ps(), learningRate: -0.1f), "learning rate", "-0.1");
        Refused(() => new RmsProp(Ps(), learningRate: -0.1f), "learning rate", "-0.1");
        Refused(() => new Adam(Ps(), learningRate: -0.1f), "learning rate", "-0.1");
        Refused(() => new AdamW(Ps(), learningRate: -0.1f), "learning rate", "-0.1");
        Refused(() => new Nadam(Ps(), learningRate: -0.1f), "learning rate", "-0.1");
        Refused(() => new AdaMax(Ps(), learningRate: -0.1f), "learning rate", "-0.1");
        Refused(() => new Adam(Ps(), learningRate: float.NaN), "learning rate", "NaN");
        Refused(() => OptimizerFactory.Create("adam", Ps(), new OptimizerOptions { LearningRate = -1f }), "learning rate", "-1");
    }

    [Fact]
    public void LearningRateSetterIsChecked()
    {
        var opt = new Adam(Ps());
        Refused(() => opt.LearningRate = -0.5f, "learning rate", "-0.5");
    }

    [Theory]
    [InlineData(1f)]
    [InlineData(1.5f)]
    [InlineData(-0.1f)]
    public void MomentumOutsideUnitIntervalIsRefused(float momentum)
    {
        string v = momentum.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Refused(() => new Sgd(Ps(), momentum: momentum), "momentum must be in [0, 1)", v);
        Refused(() => new RmsProp(Ps(), momentum: momentum), "momentum must be in [0, 1)", v);
        Refused(() => OptimizerFactory.Create("nesterov", Ps(), new OptimizerOptions { Momentum = momentum }), "momentum", v);
    }

    [Fact]
    public void Beta1AtOrAboveOneIsRefused()
    {
        Refused(() => new Adam(Ps(), beta1: 1.2f), "beta1 must be in [0, 1): got 1.2");
        Refused(() => new Adam(Ps(), beta1: 1f), "beta1 must be in [0, 1): got 1");
        Refused(() => new AdamW(Ps(), beta1: 1f), "beta1", "1");
        Refused(() => new Nadam(Ps(), beta1: 1f), "beta1", "1");
        Refused(() => new AdaMax(Ps(), beta1: 1f), "beta1", "1");
        Refused(() => OptimizerFactory.Create("adam", Ps(), new OptimizerOptions { Beta1 = 1.2f }), "beta1 must be in [0, 1): got 1.2");
    }

    [Fact]
    public void OtherOptionsAreChecked()
    {
        Refused(() => new Adam(Ps(), beta2: 1f), "beta2", "1");
        Refused(() => new Nadam(Ps(), beta2: -0.5f), "beta2", "-0.5");
        Refused(() => new AdaMax(Ps(), beta2: 2f), "beta2", "2");
        Refused(() => new Adam(Ps(), epsilon: -1e-8f), "epsilon", "-1E-08");
        Refused(() => new RmsProp(Ps(), rho: 1f), "rho must be in [0, 1): got 1");
        Refused(() => new AdaGrad(Ps(), initialAccumulatorValue: -0.1f), "initialAccumulatorValue", "-0.1");
        Refused(() => new AdaGrad(Ps(), learningRateDecay: -1f), "learningRateDecay", "-1");
        Refused(() => new Nadam(Ps(), momentumDecay: -0.004f), "momentumDecay", "-0.004");
        Refused(() => new AdamW(Ps(), weightDecay: -0.01f), "weight decay", "-0.01");
        Refused(() => new Sgd(Ps(), nesterov: true), "nesterov");
    }

    [Fact]
    public void ParameterListedTwiceIsRefused()
    {
        var p = Tensor.Zeros(2);
        p.Name = "dense.weight";
        Refused(() => new Adam([p, p]), "dense.weight", "twice");
    }
}
