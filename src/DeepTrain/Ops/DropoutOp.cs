using System.Numerics.Tensors;
using DeepTrain.Autograd;
using DeepTrain.Tensors;

namespace DeepTrain.Ops;

// Inverted dropout.
public static partial class Ops
{
    /// <summary>
    /// Dropout: in training, each element is zeroed with probability <paramref name="rate"/> and the survivors
    /// are scaled by 1/(1 − rate) so the expected value is unchanged; in inference, the identity.
    /// </summary>
    public static Tensor Dropout(Tensor x, float rate, bool training, Rng rng)
    {
        if (!(rate >= 0 && rate < 1)) throw new ArgumentException($"dropout rate must be in [0, 1): got {rate}");
        if (!training || rate == 0) return x;
        var mask = Tensor.Empty(x.Shape);
        var md = mask.Data;
        float keep = 1f / (1f - rate);
        for (int i = 0; i < md.Length; i++) md[i] = rng.NextFloat() < rate ? 0f : keep;
        var y = Tensor.Empty(x.Shape);
        TensorPrimitives.Multiply(x.Data, md, y.Data);
        return y.Record<DropoutNode>(x, null, mask);
    }

    private sealed class DropoutNode : Node
    {
        public override string OpName => "Dropout";
        // dX += dY ⊙ mask (mask holds 0 or 1/(1 − rate))
        protected internal override void Backward()
        {
            var g = In0!.GradForWrite(out bool accumulate).AsSpan(0, In0.Length);
            if (accumulate) TensorPrimitives.FusedMultiplyAdd(Output!.Grad, In2!.Data, g, g);
            else TensorPrimitives.Multiply(Output!.Grad, In2!.Data, g);
        }
    }
}
