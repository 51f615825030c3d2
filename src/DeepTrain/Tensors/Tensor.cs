using System.Globalization;
using System.Text;
using DeepTrain.Autograd;

namespace DeepTrain.Tensors;

/// <summary>
/// A float32, row-major, contiguous n-dimensional array (rank 0 to 4) that may carry a gradient and remembers the
/// op that made it, so <see cref="Backward"/> can differentiate through it (define-by-run, as in PyTorch).
/// </summary>
/// <remarks>
/// Tensors need no disposal. Those made while a <see cref="StepScope"/> is open live until it closes; all others
/// are ordinary managed objects. Arithmetic is in <see cref="Ops.Ops"/> and in the operators below.
/// </remarks>
public sealed partial class Tensor
{
    internal float[] RawData = [];
    internal float[]? RawGrad;
    internal Node? Creator;
    internal StepScope? Owner;
    internal int ScopeIndex;
    internal bool IsView;
    private bool _requiresGrad;
    private bool _gradCleared; // ZeroGrad deferred its clearing: the gradient is zero, whatever RawGrad holds

    internal Tensor() { }

    private Tensor(float[] data, Shape shape)
    {
        RawData = data;
        Shape = shape;
    }

    /// <summary>The tensor's dimensions.</summary>
    public Shape Shape { get; private set; }

    /// <summary>The number of elements.</summary>
    public int Length => Shape.Size;

    /// <summary>An optional name; parameters carry their module-tree name (<c>hidden1.weight</c>).</summary>
    public string? Name { get; set; }

    /// <summary>The elements, row-major. Writing through it changes the tensor.</summary>
    public Span<float> Data => RawData.AsSpan(0, Length);

    /// <summary>The accumulated gradient, or an empty span when none has been computed.</summary>
    public Span<float> Grad => RawGrad is null ? Span<float>.Empty : Cleared(RawGrad).AsSpan(0, Length);

    /// <summary>True once a backward pass has written a gradient for this tensor.</summary>
    public bool HasGrad => RawGrad is not null;

    /// <summary>True when this tensor was not made by a recorded op (a leaf of the graph).</summary>
    public bool IsLeaf => Creator is null;

    /// <summary>
    /// Whether gradients flow to this tensor. Settable on leaves only (the tensors you create); an op's result
    /// requires a gradient exactly when one of its inputs does and gradient recording is on.
    /// </summary>
    public bool RequiresGrad
    {
        get => _requiresGrad;
        set
        {
            if (!IsLeaf) throw new InvalidOperationException("RequiresGrad can only be set on a leaf tensor; use Detach() to cut a tensor from its graph");
            _requiresGrad = value;
        }
    }

    /// <summary>Whether the optimizer may change this tensor (false for frozen parameters and buffers).</summary>
    public bool Trainable { get; set; } = true;

    internal void SetResultRequiresGrad(bool value) => _requiresGrad = value;

    internal void Reset(float[] data, Shape shape, StepScope? owner, int index, bool isView)
    {
        RawData = data;
        Shape = shape;
        Owner = owner;
        ScopeIndex = index;
        IsView = isView;
        RawGrad = null;
        _gradCleared = false;
        Creator = null;
        _requiresGrad = false;
        Name = null;
        Trainable = true;
    }

    internal void Recycle()
    {
        RawData = [];
        RawGrad = null;
        _gradCleared = false;
        Creator = null;
        Owner = null;
        _requiresGrad = false;
        Shape = default;
    }

    /// <summary>A tensor of <paramref name="shape"/> for an op's result: pooled inside a step scope, else new.</summary>
    internal static Tensor Empty(Shape shape) =>
        StepScope.Current is { } s ? s.RentTensor(shape, zero: false) : new Tensor(GC.AllocateUninitializedArray<float>(shape.Size), shape);

    /// <summary>Like <see cref="Empty"/> but zero-filled.</summary>
    internal static Tensor EmptyZeroed(Shape shape) =>
        StepScope.Current is { } s ? s.RentTensor(shape, zero: true) : new Tensor(new float[shape.Size], shape);

    /// <summary>A view of the same storage with another shape (same element count).</summary>
    internal Tensor View(Shape shape) =>
        StepScope.Current is { } s ? s.RentView(this, shape) : new Tensor(RawData, shape) { IsView = true };

    /// <summary>The gradient buffer, made (zero-filled) on first use, for a backward that adds to it.</summary>
    internal float[] EnsureGrad()
    {
        if (RawGrad is null)
            RawGrad = Owner is { } s ? s.RentGrad(Length, zero: true) : new float[Length];
        return Cleared(RawGrad);
    }

    /// <summary>
    /// The gradient buffer for a backward that writes all of it in one go (a matrix product with β = 0 or 1):
    /// <paramref name="accumulate"/> is false when the gradient is zero, and then the caller must overwrite every
    /// element instead of adding to them. This spares zero-filling a buffer only to add to it (after
    /// <see cref="ZeroGrad"/>, or on a fresh intermediate's gradient).
    /// </summary>
    internal float[] GradForWrite(out bool accumulate)
    {
        if (RawGrad is null)
        {
            RawGrad = Owner is { } s ? s.RentGrad(Length, zero: false) : GC.AllocateUninitializedArray<float>(Length);
            accumulate = false;
        }
        else
        {
            accumulate = !_gradCleared;
            _gradCleared = false;
        }
        return RawGrad;
    }

    private float[] Cleared(float[] grad)
    {
        if (_gradCleared)
        {
            Array.Clear(grad, 0, Length);
            _gradCleared = false;
        }
        return grad;
    }

    /// <summary>A tensor of zeros.</summary>
    public static Tensor Zeros(params ReadOnlySpan<int> dims) => EmptyZeroed(new Shape(dims));

    /// <summary>A tensor of zeros of the given shape.</summary>
    public static Tensor Zeros(Shape shape) => EmptyZeroed(shape);

    /// <summary>A tensor of ones.</summary>
    public static Tensor Ones(params ReadOnlySpan<int> dims) => Full(1f, dims);

    /// <summary>A tensor filled with <paramref name="value"/>.</summary>
    public static Tensor Full(float value, params ReadOnlySpan<int> dims)
    {
        var t = Empty(new Shape(dims));
        t.Data.Fill(value);
        return t;
    }

    /// <summary>A rank-0 tensor holding <paramref name="value"/>.</summary>
    public static Tensor Scalar(float value)
    {
        var t = Empty(Shape.Scalar);
        t.RawData[0] = value;
        return t;
    }

    /// <summary>A tensor holding a copy of <paramref name="values"/> with the given dimensions (default: a vector).</summary>
    public static Tensor FromArray(ReadOnlySpan<float> values, params ReadOnlySpan<int> dims)
    {
        var shape = dims.Length == 0 ? new Shape(values.Length) : new Shape(dims);
        if (shape.Size != values.Length)
            throw new ArgumentException($"{values.Length} values do not fill a tensor of shape {shape} ({shape.Size} elements)");
        var t = Empty(shape);
        values.CopyTo(t.Data);
        return t;
    }

    /// <summary>A matrix from a rectangular array.</summary>
    public static Tensor FromArray(float[,] values)
    {
        int r = values.GetLength(0), c = values.GetLength(1);
        var t = Empty(new Shape(r, c));
        for (int i = 0; i < r; i++)
            for (int j = 0; j < c; j++) t.RawData[i * c + j] = values[i, j];
        return t;
    }

    /// <summary>Values drawn uniformly from [<paramref name="low"/>, <paramref name="high"/>).</summary>
    public static Tensor Uniform(Shape shape, float low, float high, Rng rng)
    {
        var t = Empty(shape);
        var d = t.Data;
        for (int i = 0; i < d.Length; i++) d[i] = low + (high - low) * rng.NextFloat();
        return t;
    }

    /// <summary>Values drawn from a normal distribution N(<paramref name="mean"/>, <paramref name="std"/>²).</summary>
    public static Tensor Normal(Shape shape, float mean, float std, Rng rng)
    {
        var t = Empty(shape);
        var d = t.Data;
        for (int i = 0; i < d.Length; i++) d[i] = mean + std * rng.NextGaussian();
        return t;
    }

    /// <summary>Element <paramref name="i"/> in row-major order.</summary>
    public float this[int i]
    {
        get => Data[i];
        set => Data[i] = value;
    }

    /// <summary>Element (<paramref name="row"/>, <paramref name="col"/>) of a matrix.</summary>
    public float this[int row, int col]
    {
        get
        {
            if (Shape.Rank != 2) throw new InvalidOperationException($"two indices need a matrix: shape is {Shape}");
            return Data[row * Shape[1] + col];
        }
        set
        {
            if (Shape.Rank != 2) throw new InvalidOperationException($"two indices need a matrix: shape is {Shape}");
            Data[row * Shape[1] + col] = value;
        }
    }

    /// <summary>The single value of a one-element tensor.</summary>
    public float ToScalar()
    {
        if (Length != 1) throw new InvalidOperationException($"ToScalar() needs a one-element tensor: shape is {Shape}");
        return RawData[0];
    }

    /// <summary>A copy of the elements.</summary>
    public float[] ToArray() => Data.ToArray();

    /// <summary>A copy of the gradient, or null when there is none.</summary>
    public float[]? GradToArray() => RawGrad is null ? null : Grad.ToArray();

    /// <summary>A new leaf tensor with a copy of the values, outside any step scope.</summary>
    public Tensor Clone()
    {
        var t = new Tensor(Data.ToArray(), Shape);
        return t;
    }

    /// <summary>
    /// Keeps this tensor alive past the end of the step scope it was made in (it becomes an ordinary managed
    /// object, cut from its graph when the scope closes). Does nothing outside a scope. Returns this tensor.
    /// </summary>
    public Tensor Keep()
    {
        if (Owner is { } s)
        {
            s.Forget(this);
            Owner = null;
        }
        return this;
    }

    /// <summary>
    /// Sets the gradient to zero, keeping its buffer. The clearing is deferred: the next reader of <see cref="Grad"/>
    /// sees zeros, and a backward that overwrites the whole gradient (a dense layer's weight) skips it.
    /// </summary>
    public void ZeroGrad()
    {
        if (RawGrad is not null) _gradCleared = true;
    }

    /// <summary>Fills the tensor with a value, in place.</summary>
    public void Fill(float value) => Data.Fill(value);

    /// <summary>Copies the values of <paramref name="source"/> (same shape) into this tensor.</summary>
    public void CopyFrom(Tensor source)
    {
        if (source.Shape != Shape) throw new ArgumentException($"cannot copy a tensor of shape {source.Shape} into one of shape {Shape}");
        source.Data.CopyTo(Data);
    }

    /// <summary>The shape and the first values, like numpy's repr.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder("tensor(");
        var d = Data;
        if (Shape.Rank == 0) sb.Append(Fmt(d[0]));
        else
        {
            int cols = Shape.Last, rows = Shape.Rows;
            const int maxRows = 6, maxCols = 8;
            if (Shape.Rank > 1) sb.Append('[');
            for (int r = 0; r < Math.Min(rows, maxRows); r++)
            {
                if (r > 0) sb.Append(", ");
                sb.Append('[');
                for (int c = 0; c < Math.Min(cols, maxCols); c++)
                {
                    if (c > 0) sb.Append(", ");
                    sb.Append(Fmt(d[r * cols + c]));
                }
                if (cols > maxCols) sb.Append(", ...");
                sb.Append(']');
            }
            if (rows > maxRows) sb.Append(", ...");
            if (Shape.Rank > 1) sb.Append(']');
        }
        sb.Append(", shape=").Append(Shape);
        if (RequiresGrad) sb.Append(", requires_grad");
        return sb.Append(')').ToString();
    }

    private static string Fmt(float v) => v.ToString("G5", CultureInfo.InvariantCulture);

    /// <summary>The sum of the elements (no gradient), in double precision.</summary>
    public double SumValue()
    {
        double s = 0;
        foreach (var v in Data) s += v;
        return s;
    }

    /// <summary>True when every element is finite.</summary>
    public bool AllFinite()
    {
        foreach (var v in Data) if (!float.IsFinite(v)) return false;
        return true;
    }
}
