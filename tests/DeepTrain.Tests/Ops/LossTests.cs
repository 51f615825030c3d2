using DeepTrain.Tensors;
using static DeepTrain.Ops.Ops;

namespace DeepTrain.Tests.Ops;

public class LossTests
{
    [Fact]
    public void SoftmaxCrossEntropyIsStableAtExtremeLogits()
    {
        var z = Tensor.FromArray([1000f, -1000f, 0f, -1000f, 1000f, 999f], 2, 3);
        z.RequiresGrad = true;
        var loss = SoftmaxCrossEntropy(z, [0, 2]);
        // row 0: the label has the largest logit by 1000: loss ≈ 0; row 1: label 2 is 1 below the max: loss = log(1 + e^-1) + 1
        double row1 = Math.Log(1 + Math.Exp(-1)) + 1;
        Assert.Equal((0 + row1) / 2, loss.ToScalar(), 5);
        loss.Backward();
        Assert.True(z.Grad.ToArray().All(float.IsFinite));
        // gradient = (softmax − one-hot)/N
        Assert.Equal(0f, z.Grad[0], 6);
        Assert.Equal((float)((1 / (1 + Math.Exp(-1)) - 0) / 2), z.Grad[4], 5);
        Assert.Equal((float)((Math.Exp(-1) / (1 + Math.Exp(-1)) - 1) / 2), z.Grad[5], 5);
    }

    [Fact]
    public void SoftmaxCrossEntropyMatchesTheDefinitionAtOrdinaryLogits()
    {
        var z = Tensor.FromArray([0.5f, -1f, 2f, 0.1f], 1, 4);
        var loss = SoftmaxCrossEntropy(z, [2]).ToScalar();
        double denom = Math.Exp(0.5) + Math.Exp(-1) + Math.Exp(2) + Math.Exp(0.1);
        Assert.Equal(-Math.Log(Math.Exp(2) / denom), loss, 5);
        Assert.Throws<ArgumentException>(() => SoftmaxCrossEntropy(z, [4]));
    }

    [Fact]
    public void BinaryCrossEntropyWithLogitsIsStableAtExtremeLogits()
    {
        var z = Tensor.FromArray([1000f, -1000f, 1000f, -1000f]);
        z.RequiresGrad = true;
        var t = Tensor.FromArray([1f, 0f, 0f, 1f]);
        var loss = BinaryCrossEntropyWithLogits(z, t);
        Assert.Equal(500f, loss.ToScalar(), 2); // two perfect predictions (0) and two wrong by 1000 each: mean 500
        loss.Backward();
        Assert.Equal([0f, 0f, 0.25f, -0.25f], z.Grad.ToArray());
    }

    [Fact]
    public void MeanSquaredErrorIsTheMeanOfSquares()
    {
        var p = Tensor.FromArray([1f, 2f, 3f]);
        var t = Tensor.FromArray([1f, 0f, 6f]);
        Assert.Equal((0 + 4 + 9) / 3f, MeanSquaredError(p, t).ToScalar(), 6);
        Assert.Throws<ArgumentException>(() => MeanSquaredError(p, Tensor.Zeros(4)));
    }
}
