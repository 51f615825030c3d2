namespace DeepTrain.Tensors;

using static DeepTrain.Ops.Ops;

public sealed partial class Tensor
{
    /// <summary>a + b (broadcasting a scalar or a row).</summary>
    public static Tensor operator +(Tensor a, Tensor b) => Add(a, b);
    /// <summary>a − b (broadcasting a scalar or a row).</summary>
    public static Tensor operator -(Tensor a, Tensor b) => Sub(a, b);
    /// <summary>a ⊙ b element-wise (broadcasting a scalar or a row).</summary>
    public static Tensor operator *(Tensor a, Tensor b) => Mul(a, b);
    /// <summary>a ⊘ b element-wise (broadcasting a scalar or a row).</summary>
    public static Tensor operator /(Tensor a, Tensor b) => Div(a, b);
    /// <summary>−a.</summary>
    public static Tensor operator -(Tensor a) => Neg(a);
    /// <summary>a + s.</summary>
    public static Tensor operator +(Tensor a, float s) => Affine(a, 1f, s);
    /// <summary>s + a.</summary>
    public static Tensor operator +(float s, Tensor a) => Affine(a, 1f, s);
    /// <summary>a − s.</summary>
    public static Tensor operator -(Tensor a, float s) => Affine(a, 1f, -s);
    /// <summary>s − a.</summary>
    public static Tensor operator -(float s, Tensor a) => Affine(a, -1f, s);
    /// <summary>a · s.</summary>
    public static Tensor operator *(Tensor a, float s) => Affine(a, s, 0f);
    /// <summary>s · a.</summary>
    public static Tensor operator *(float s, Tensor a) => Affine(a, s, 0f);
    /// <summary>a / s.</summary>
    public static Tensor operator /(Tensor a, float s) => Affine(a, 1f / s, 0f);

    /// <summary>The matrix product this·b.</summary>
    public Tensor MatMul(Tensor b) => Ops.Ops.MatMul(this, b);
    /// <summary>Sum of all elements.</summary>
    public Tensor Sum() => Ops.Ops.Sum(this);
    /// <summary>Sum along an axis.</summary>
    public Tensor Sum(int axis, bool keepDims = false) => Ops.Ops.Sum(this, axis, keepDims);
    /// <summary>Mean of all elements.</summary>
    public Tensor Mean() => Ops.Ops.Mean(this);
    /// <summary>Mean along an axis.</summary>
    public Tensor Mean(int axis, bool keepDims = false) => Ops.Ops.Mean(this, axis, keepDims);
    /// <summary>A view with another shape.</summary>
    public Tensor Reshape(params ReadOnlySpan<int> dims) => Ops.Ops.Reshape(this, dims);
    /// <summary>The transpose of a matrix.</summary>
    public Tensor T() => Ops.Ops.Transpose(this);
    /// <summary>eˣ.</summary>
    public Tensor Exp() => Ops.Ops.Exp(this);
    /// <summary>ln x.</summary>
    public Tensor Log() => Ops.Ops.Log(this);
    /// <summary>√x.</summary>
    public Tensor Sqrt() => Ops.Ops.Sqrt(this);
    /// <summary>xᵖ.</summary>
    public Tensor Pow(float p) => Ops.Ops.Pow(this, p);
}
