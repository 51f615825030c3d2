using System.Numerics.Tensors;
using DeepTrain.Autograd;
using DeepTrain.Tensors;

namespace DeepTrain.Ops;

// Sum and mean, over everything or along one axis.
public static partial class Ops
{
    /// <summary>The sum of all elements, as a scalar tensor.</summary>
    public static Tensor Sum(Tensor x) => ReduceAll(x, 1f);

    /// <summary>The mean of all elements, as a scalar tensor.</summary>
    public static Tensor Mean(Tensor x) => ReduceAll(x, x.Length == 0 ? float.NaN : 1f / x.Length);

    private static Tensor ReduceAll(Tensor x, float scale)
    {
        var y = Tensor.Empty(Shape.Scalar);
        y.RawData[0] = (float)(SumDouble(x.Data) * scale);
        y.RecordWith<ReduceAllNode>(x, null, null, out var node);
        if (node is not null) node.Scale = scale;
        return y;
    }

    // Summed in double so a large sum is not at the mercy of float rounding.
    private static double SumDouble(ReadOnlySpan<float> d)
    {
        double s = 0;
        const int Block = 1024;
        for (int i = 0; i < d.Length; i += Block) s += TensorPrimitives.Sum(d.Slice(i, Math.Min(Block, d.Length - i)));
        return s;
    }

    private sealed class ReduceAllNode : Node
    {
        public float Scale;
        public override string OpName => "Sum";
        // dX += scale · dY (broadcast)
        protected internal override void Backward()
        {
            var g = In0!.EnsureGrad().AsSpan(0, In0.Length);
            TensorPrimitives.Add(g, Scale * Output!.Grad[0], g);
        }
    }

    /// <summary>The sum along <paramref name="axis"/> (negative counts from the end); the axis is removed unless <paramref name="keepDims"/>.</summary>
    public static Tensor Sum(Tensor x, int axis, bool keepDims = false) => ReduceAxis(x, axis, keepDims, mean: false);

    /// <summary>The mean along <paramref name="axis"/> (negative counts from the end); the axis is removed unless <paramref name="keepDims"/>.</summary>
    public static Tensor Mean(Tensor x, int axis, bool keepDims = false) => ReduceAxis(x, axis, keepDims, mean: true);

    private static Tensor ReduceAxis(Tensor x, int axis, bool keepDims, bool mean)
    {
        var s = x.Shape;
        int ax = axis < 0 ? axis + s.Rank : axis;
        if ((uint)ax >= (uint)s.Rank) throw new ArgumentException($"axis {axis} is out of range for shape {s}");
        Split(s, ax, out int outer, out int len, out int inner);
        Span<int> dims = stackalloc int[Shape.MaxRank];
        int r = 0;
        for (int i = 0; i < s.Rank; i++)
            if (i != ax) dims[r++] = s[i];
            else if (keepDims) dims[r++] = 1;
        var y = Tensor.EmptyZeroed(new Shape(dims[..r]));
        var xd = x.Data; var yd = y.Data;
        float scale = mean ? 1f / len : 1f;
        for (int o = 0; o < outer; o++)
        {
            var dst = yd.Slice(o * inner, inner);
            for (int k = 0; k < len; k++) TensorPrimitives.Add(dst, xd.Slice((o * len + k) * inner, inner), dst);
            if (mean) TensorPrimitives.Multiply(dst, scale, dst);
        }
        y.RecordWith<ReduceAxisNode>(x, null, null, out var node);
        if (node is not null) { node.Outer = outer; node.Len = len; node.Inner = inner; node.Scale = scale; }
        return y;
    }

    private static void Split(Shape s, int ax, out int outer, out int len, out int inner)
    {
        outer = 1; inner = 1; len = s[ax];
        for (int i = 0; i < ax; i++) outer *= s[i];
        for (int i = ax + 1; i < s.Rank; i++) inner *= s[i];
    }

    private sealed class ReduceAxisNode : Node
    {
        public int Outer, Len, Inner;
        public float Scale;
        public override string OpName => "SumAxis";
        // dX[o, k, i] += scale · dY[o, i]
        protected internal override void Backward()
        {
            var g = In0!.EnsureGrad().AsSpan(0, In0.Length);
            var dy = Output!.Grad;
            for (int o = 0; o < Outer; o++)
            {
                var src = dy.Slice(o * Inner, Inner);
                for (int k = 0; k < Len; k++)
                {
                    var dst = g.Slice((o * Len + k) * Inner, Inner);
                    TensorPrimitives.MultiplyAdd(src, Scale, dst, dst);
                }
            }
        }
    }
}
