using DeepTrain.Autograd;
using DeepTrain.Kernels;
using DeepTrain.Tensors;
using static DeepTrain.Ops.Ops;
using static DeepTrain.Tests.TestUtil;

namespace DeepTrain.Tests.Ops;

/// <summary>Every op's backward against central finite differences, at sizes that are not powers of two.</summary>
public class GradCheckTests
{
    private static readonly Dictionary<string, (Func<Tensor[], Tensor> F, Func<Rng, Tensor[]> Inputs)> Cases = new()
    {
        ["add"] = (x => Add(x[0], x[1]), r => [Param(r, -2, 2, 0, 3, 5), Param(r, -2, 2, 0, 3, 5)]),
        ["add-row"] = (x => Add(x[0], x[1]), r => [Param(r, -2, 2, 0, 3, 5), Param(r, -2, 2, 0, 5)]),
        ["add-row-left"] = (x => Add(x[0], x[1]), r => [Param(r, -2, 2, 0, 5), Param(r, -2, 2, 0, 3, 5)]),
        ["add-scalar-tensor"] = (x => Add(x[0], x[1]), r => [Param(r, -2, 2, 0, 3, 5), Param(r, -2, 2, 0, 1)]),
        ["sub"] = (x => Sub(x[0], x[1]), r => [Param(r, -2, 2, 0, 3, 5), Param(r, -2, 2, 0, 3, 5)]),
        ["sub-row"] = (x => Sub(x[0], x[1]), r => [Param(r, -2, 2, 0, 3, 5), Param(r, -2, 2, 0, 5)]),
        ["sub-row-left"] = (x => Sub(x[0], x[1]), r => [Param(r, -2, 2, 0, 5), Param(r, -2, 2, 0, 3, 5)]),
        ["mul"] = (x => Mul(x[0], x[1]), r => [Param(r, -2, 2, 0, 3, 5), Param(r, -2, 2, 0, 3, 5)]),
        ["mul-row"] = (x => Mul(x[0], x[1]), r => [Param(r, -2, 2, 0, 3, 5), Param(r, -2, 2, 0, 5)]),
        ["mul-row-left"] = (x => Mul(x[0], x[1]), r => [Param(r, -2, 2, 0, 5), Param(r, -2, 2, 0, 3, 5)]),
        ["mul-scalar-left"] = (x => Mul(x[0], x[1]), r => [Param(r, -2, 2, 0, 1), Param(r, -2, 2, 0, 3, 5)]),
        ["mul-same-tensor"] = (x => Mul(x[0], x[0]), r => [Param(r, -2, 2, 0, 3, 5)]),
        ["div"] = (x => Div(x[0], x[1]), r => [Param(r, -2, 2, 0, 3, 5), Param(r, 0.5f, 2, 0, 3, 5)]),
        ["div-row"] = (x => Div(x[0], x[1]), r => [Param(r, -2, 2, 0, 3, 5), Param(r, 0.5f, 2, 0, 5)]),
        ["div-row-left"] = (x => Div(x[0], x[1]), r => [Param(r, -2, 2, 0, 5), Param(r, 0.5f, 2, 0, 3, 5)]),
        ["affine"] = (x => Affine(x[0], -1.7f, 0.3f), r => [Param(r, -2, 2, 0, 7)]),
        ["neg"] = (x => -x[0], r => [Param(r, -2, 2, 0, 7)]),
        ["scalar-operators"] = (x => (2f - x[0]) * 3f + 1f / 4f, r => [Param(r, -2, 2, 0, 7)]),
        ["matmul"] = (x => MatMul(x[0], x[1]), r => [Param(r, -1, 1, 0, 3, 7), Param(r, -1, 1, 0, 7, 5)]),
        ["exp"] = (x => Exp(x[0]), r => [Param(r, -2, 2, 0, 3, 5)]),
        ["log"] = (x => Log(x[0]), r => [Param(r, 0.5f, 3, 0, 3, 5)]),
        ["sqrt"] = (x => Sqrt(x[0]), r => [Param(r, 0.5f, 3, 0, 3, 5)]),
        ["pow"] = (x => Pow(x[0], 1.7f), r => [Param(r, 0.5f, 2, 0, 3, 5)]),
        ["pow2"] = (x => Pow(x[0], 2f), r => [Param(r, -2, 2, 0, 3, 5)]),
        ["maximum-scalar"] = (x => Maximum(x[0], 0.25f), r => [Param(r, -2, 2, 0, 3, 5)]),
        ["minimum-scalar"] = (x => Minimum(x[0], -0.25f), r => [Param(r, -2, 2, 0, 3, 5)]),
        ["maximum"] = (x => Maximum(x[0], x[1]), r => [Param(r, -2, 2, 0, 3, 5), Param(r, -2, 2, 0, 3, 5)]),
        ["minimum-row"] = (x => Minimum(x[0], x[1]), r => [Param(r, -2, 2, 0, 3, 5), Param(r, -2, 2, 0, 5)]),
        ["user-leaky"] = (x => Maximum(0.01f * x[0], x[0]), r => [Param(r, -2, 2, 0.05f, 3, 5)]),
        ["relu"] = (x => Relu(x[0]), r => [Param(r, -2, 2, 0.05f, 3, 5)]),
        ["sigmoid"] = (x => Sigmoid(x[0]), r => [Param(r, -3, 3, 0, 3, 5)]),
        ["tanh"] = (x => Tanh(x[0]), r => [Param(r, -3, 3, 0, 3, 5)]),
        ["leaky-relu"] = (x => LeakyRelu(x[0], 0.2f), r => [Param(r, -2, 2, 0.05f, 3, 5)]),
        ["elu"] = (x => Elu(x[0], 1.3f), r => [Param(r, -3, 3, 0.05f, 3, 5)]),
        ["selu"] = (x => Selu(x[0]), r => [Param(r, -3, 3, 0.05f, 3, 5)]),
        ["softplus"] = (x => Softplus(x[0]), r => [Param(r, -4, 4, 0, 3, 5)]),
        ["rrelu-inference"] = (x => RRelu(x[0], 0.1f, 0.3f, training: false, null), r => [Param(r, -2, 2, 0.05f, 3, 5)]),
        ["prelu-per-unit"] = (x => PRelu(x[0], x[1]), r => [Param(r, -2, 2, 0.05f, 3, 5), Param(r, 0.05f, 0.5f, 0, 5)]),
        ["prelu-shared"] = (x => PRelu(x[0], x[1]), r => [Param(r, -2, 2, 0.05f, 3, 5), Param(r, 0.05f, 0.5f, 0, 1)]),
        ["sum"] = (x => Sum(x[0]), r => [Param(r, -2, 2, 0, 3, 5)]),
        ["mean"] = (x => Mean(x[0]), r => [Param(r, -2, 2, 0, 3, 5)]),
        ["sum-axis0"] = (x => Sum(x[0], 0), r => [Param(r, -2, 2, 0, 3, 5)]),
        ["sum-axis1-keep"] = (x => Sum(x[0], 1, keepDims: true), r => [Param(r, -2, 2, 0, 3, 5)]),
        ["mean-axis-last-3d"] = (x => Mean(x[0], -1), r => [Param(r, -2, 2, 0, 2, 3, 5)]),
        ["mean-axis-mid-3d"] = (x => Mean(x[0], 1), r => [Param(r, -2, 2, 0, 2, 3, 5)]),
        ["reshape"] = (x => Mul(Reshape(x[0], 5, -1), Reshape(x[0], 5, 3)), r => [Param(r, -2, 2, 0, 3, 5)]),
        ["transpose"] = (x => MatMul(Transpose(x[0]), x[1]), r => [Param(r, -1, 1, 0, 3, 5), Param(r, -1, 1, 0, 3, 7)]),
        ["softmax"] = (x => Softmax(x[0]), r => [Param(r, -3, 3, 0, 3, 7)]),
        ["log-softmax"] = (x => LogSoftmax(x[0]), r => [Param(r, -3, 3, 0, 3, 7)]),
        ["dense-identity"] = (x => Dense(x[0], x[1], x[2]), r => [Param(r, -1, 1, 0, 3, 7), Param(r, -1, 1, 0, 7, 5), Param(r, -1, 1, 0, 5)]),
        ["dense-elu"] = (x => Dense(x[0], x[1], x[2], ActivationKind.Elu, 1f), r => [Param(r, -1, 1, 0, 3, 7), Param(r, -1, 1, 0, 7, 5), Param(r, -1, 1, 0, 5)]),
        ["dense-tanh-nobias"] = (x => Dense(x[0], x[1], null, ActivationKind.Tanh), r => [Param(r, -1, 1, 0, 3, 7), Param(r, -1, 1, 0, 7, 5)]),
        ["dense-sigmoid"] = (x => Dense(x[0], x[1], x[2], ActivationKind.Sigmoid), r => [Param(r, -1, 1, 0, 3, 7), Param(r, -1, 1, 0, 7, 5), Param(r, -1, 1, 0, 5)]),
        ["mse"] = (x => MeanSquaredError(x[0], x[1]), r => [Param(r, -2, 2, 0, 3, 5), Param(r, -2, 2, 0, 3, 5)]),
        ["bce-logits"] = (x => BinaryCrossEntropyWithLogits(x[0], x[1]), r => [Param(r, -3, 3, 0, 3, 5), Param(r, 0, 1, 0, 3, 5)]),
        ["softmax-ce"] = (x => SoftmaxCrossEntropy(x[0], new[] { 2, 0, 6 }), r => [Param(r, -3, 3, 0, 3, 7)]),
    };

    public static TheoryData<string> Names() { var d = new TheoryData<string>(); foreach (var k in Cases.Keys) d.Add(k); return d; }

    [Theory]
    [MemberData(nameof(Names))]
    public void BackwardMatchesFiniteDifferences(string name)
    {
        var (f, make) = Cases[name];
        var inputs = make(new Rng(42));
        var result = GradCheck.Check(f, inputs);
        Assert.True(result.Passed, $"{name}: {result.Detail} (excess error {result.MaxError:G3})");
    }

    [Fact]
    public void RReluTrainingUsesTheDrawnSlopesInBackward()
    {
        // In training the slope is random per call: check the gradient against the slope actually used.
        var z = Param(new Rng(1), -2, 2, 0.05f, 4, 6);
        var y = RRelu(z, 0.1f, 0.3f, training: true, new Rng(9));
        Sum(y).Backward();
        var zd = z.Data; var yd = y.Data; var g = z.Grad;
        for (int i = 0; i < zd.Length; i++)
        {
            float slope = yd[i] / zd[i];
            if (zd[i] > 0) Assert.Equal(1f, slope, 6);
            else Assert.InRange(slope, 0.1f - 1e-6f, 0.3f + 1e-6f);
            Assert.Equal(slope, g[i], 5);
        }
    }
}
