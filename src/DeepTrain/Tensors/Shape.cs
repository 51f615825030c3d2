using System.Text;

namespace DeepTrain.Tensors;

/// <summary>
/// The dimensions of a tensor, row-major, rank 0 (a scalar) to 4. A value type with its dimensions stored
/// inline, so making a shape never allocates.
/// </summary>
public readonly struct Shape : IEquatable<Shape>
{
    /// <summary>The largest rank a tensor may have.</summary>
    public const int MaxRank = 4;

    private readonly int _d0, _d1, _d2, _d3;

    /// <summary>The number of dimensions (0 for a scalar).</summary>
    public int Rank { get; }

    /// <summary>The number of elements: the product of the dimensions (1 for a scalar).</summary>
    public int Size { get; }

    /// <summary>Makes a shape from its dimensions; each must be non-negative and there may be at most four.</summary>
    public Shape(params ReadOnlySpan<int> dims)
    {
        if (dims.Length > MaxRank)
            throw new ArgumentException($"a shape has at most {MaxRank} dimensions: got {dims.Length}");
        long size = 1;
        for (int i = 0; i < dims.Length; i++)
        {
            if (dims[i] < 0) throw new ArgumentException($"dimension {i} must be non-negative: got {dims[i]}");
            size *= dims[i];
            if (size > int.MaxValue) throw new ArgumentException("a tensor holds at most 2^31-1 elements");
        }
        Rank = dims.Length;
        _d0 = dims.Length > 0 ? dims[0] : 0;
        _d1 = dims.Length > 1 ? dims[1] : 0;
        _d2 = dims.Length > 2 ? dims[2] : 0;
        _d3 = dims.Length > 3 ? dims[3] : 0;
        Size = (int)size;
    }

    /// <summary>The scalar shape (rank 0, one element).</summary>
    public static Shape Scalar => new(ReadOnlySpan<int>.Empty);

    /// <summary>The size of dimension <paramref name="axis"/>; a negative axis counts from the end.</summary>
    public int this[int axis]
    {
        get
        {
            int a = axis < 0 ? axis + Rank : axis;
            if ((uint)a >= (uint)Rank) throw new ArgumentOutOfRangeException(nameof(axis), $"axis {axis} is out of range for shape {this}");
            return a switch { 0 => _d0, 1 => _d1, 2 => _d2, _ => _d3 };
        }
    }

    /// <summary>The size of the last dimension (1 for a scalar).</summary>
    public int Last => Rank == 0 ? 1 : this[Rank - 1];

    /// <summary>The number of rows when the tensor is seen as a matrix of <see cref="Last"/> columns.</summary>
    public int Rows => Last == 0 ? 0 : Size / Last;

    /// <summary>The dimensions as a new array.</summary>
    public int[] ToArray()
    {
        var a = new int[Rank];
        for (int i = 0; i < Rank; i++) a[i] = this[i];
        return a;
    }

    /// <inheritdoc/>
    public bool Equals(Shape other)
    {
        if (Rank != other.Rank) return false;
        return _d0 == other._d0 && _d1 == other._d1 && _d2 == other._d2 && _d3 == other._d3;
    }

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Shape s && Equals(s);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Rank, _d0, _d1, _d2, _d3);

    /// <summary>True when both shapes have the same rank and dimensions.</summary>
    public static bool operator ==(Shape a, Shape b) => a.Equals(b);

    /// <summary>True when the shapes differ.</summary>
    public static bool operator !=(Shape a, Shape b) => !a.Equals(b);

    /// <summary>The shape as <c>[d0, d1, ...]</c>.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder("[");
        for (int i = 0; i < Rank; i++)
        {
            if (i > 0) sb.Append(", ");
            sb.Append(this[i]);
        }
        return sb.Append(']').ToString();
    }
}
