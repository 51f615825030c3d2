using DeepTrain.Layers;
using DeepTrain.Tensors;

namespace DeepTrain.Tests.Layers;

/// <summary>Each activation's values and derivatives against PyTorch (fixture from tests/reference/make_layer_fixtures.py).</summary>
public class ActivationTests
{
    public static TheoryData<string> Names()
    {
        var d = new TheoryData<string>();
        foreach (var p in Fixture.Load("Layers", "Fixtures", "activations.json").GetProperty("cases").EnumerateObject()) d.Add(p.Name);
        return d;
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void ValuesAndGradientsMatchTheReference(string name)
    {
        var f = Fixture.Load("Layers", "Fixtures", "activations.json");
        var c = f.GetProperty("cases").GetProperty(name);
        var z = Tensor.FromArray(f.Floats("z"));
        z.RequiresGrad = true;
        var act = Activation.Parse(name);
        var y = act.Apply(z, training: false, rng: null);
        DeepTrain.Ops.Ops.Sum(y).Backward();
        var ey = c.Floats("y"); var eg = c.Floats("dy_dz");
        for (int i = 0; i < ey.Length; i++)
        {
            Assert.True(MathF.Abs(ey[i] - y[i]) <= 1e-5f * (1 + MathF.Abs(ey[i])), $"{name}({z[i]}): expected {ey[i]}, got {y[i]}");
            Assert.True(MathF.Abs(eg[i] - z.Grad[i]) <= 1e-5f * (1 + MathF.Abs(eg[i])), $"{name}'({z[i]}): expected {eg[i]}, got {z.Grad[i]}");
        }
    }

    [Fact]
    public void PReluMatchesTheReference()
    {
        var p = Fixture.Load("Layers", "Fixtures", "activations.json").GetProperty("prelu");
        var model = new Sequential(4) { new PReLU(name: "p") };
        var layer = (PReLU)model["p"];
        p.Floats("alpha").CopyTo(layer.Alpha.Data);
        var x = Tensor.FromArray(p.Floats("x"), 3, 4);
        x.RequiresGrad = true;
        var y = model.Forward(x);
        DeepTrain.Ops.Ops.Sum(y * Tensor.FromArray(p.Floats("dy"), 3, 4)).Backward();
        Assert.Equal(p.Floats("y"), y.ToArray(), new Tol(1e-6f));
        Assert.Equal(p.Floats("dx"), x.Grad.ToArray(), new Tol(1e-6f));
        Assert.Equal(p.Floats("dalpha"), layer.Alpha.Grad.ToArray(), new Tol(1e-5f));
    }

    [Fact]
    public void RReluIsRandomInTrainingAndUsesTheMeanSlopeInInference()
    {
        var model = new Sequential(50, seed: 1) { new ActivationLayer(Activation.RRelu(0.1f, 0.3f), name: "r") };
        var x = Tensor.Full(-1f, 4, 50);
        var train = model.Forward(x).ToArray();
        Assert.True(train.Distinct().Count() > 50, "training slopes should vary per element");
        Assert.All(train, v => Assert.InRange(v, -0.3f, -0.1f));
        model.Eval();
        Assert.All(model.Forward(x).ToArray(), v => Assert.Equal(-0.2f, v, 6));
    }

    [Fact]
    public void SharedPReluHasOneSlope()
    {
        var model = new Sequential(7) { new PReLU(0.3f, shared: true, name: "p") };
        Assert.Equal(1, ((PReLU)model["p"]).Alpha.Length);
        Assert.Equal(-0.3f, model.Forward(Tensor.Full(-1f, 2, 7))[5], 6);
    }

    [Fact]
    public void ExtremeInputsStayFinite()
    {
        var z = Tensor.FromArray([-1000f, -90f, 90f, 1000f]);
        foreach (var name in Activation.Names)
        {
            var y = Activation.Parse(name).Apply(z, false, null);
            Assert.True(y.AllFinite(), $"{name} gave {y}");
        }
    }

    [Fact]
    public void UnknownNamesListTheValidOnes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Activation.Parse("swishy"));
        Assert.Contains("elu", ex.Message);
        Assert.Contains("swishy", ex.Message);
    }

    private sealed class Tol(float tol) : IEqualityComparer<float>
    {
        public bool Equals(float a, float b) => MathF.Abs(a - b) <= tol * (1 + MathF.Abs(a));
        public int GetHashCode(float v) => 0;
    }
}
