using System.Numerics.Tensors;
using DeepTrain.Autograd;
using DeepTrain.Tensors;

namespace DeepTrain.Ops;

/// <summary>
/// The broadcasting DeepTrain supports for binary ops: equal shapes; a scalar (one element) against anything;
/// and a "row" (a tensor whose shape equals the trailing dimensions of the other, such as a bias [M] against a
/// batch [N, M]) repeated over the other's rows.
/// </summary>
internal enum Broadcast { Same, ScalarB, RowB, ScalarA, RowA }

internal static class BroadcastRules
{
    public static Broadcast Classify(Shape a, Shape b, string op)
    {
        if (a == b) return Broadcast.Same;
        if (b.Size == 1 && a.Size >= 1) return Broadcast.ScalarB;
        if (a.Size == 1) return Broadcast.ScalarA;
        if (IsRowOf(b, a)) return Broadcast.RowB;
        if (IsRowOf(a, b)) return Broadcast.RowA;
        throw new ArgumentException($"{op}: shapes {a} and {b} do not broadcast (DeepTrain broadcasts equal shapes, a scalar, or a row whose shape is the trailing dimensions of the other)");
    }

    private static bool IsRowOf(Shape small, Shape big)
    {
        int lead = 0;
        while (lead < small.Rank && small[lead] == 1) lead++;
        int n = small.Rank - lead;
        if (n == 0 || n > big.Rank) return false;
        for (int i = 0; i < n; i++)
            if (small[lead + i] != big[big.Rank - n + i]) return false;
        return true;
    }

    /// <summary>
    /// Adds a gradient computed over the broadcast (big) shape into <paramref name="target"/>'s gradient,
    /// summing over the repeated rows when the target was broadcast. A zero gradient is written, not added to
    /// (<see cref="Tensor.GradForWrite"/>): no zero-fill first.
    /// </summary>
    public static void AccumulateReduced(Tensor target, ReadOnlySpan<float> full, float sign = 1f)
    {
        var g = target.GradForWrite(out bool accumulate).AsSpan(0, target.Length);
        if (g.Length == full.Length)
        {
            if (accumulate)
            {
                if (sign == 1f) TensorPrimitives.Add(g, full, g);
                else TensorPrimitives.Subtract(g, full, g);
            }
            else if (sign == 1f) full.CopyTo(g);
            else TensorPrimitives.Negate(full, g);
        }
        else if (g.Length == 1)
        {
            float s = sign * TensorPrimitives.Sum(full);
            g[0] = accumulate ? g[0] + s : s;
        }
        else
        {
            int m = g.Length, r = 0;
            if (!accumulate)
            {
                if (sign == 1f) full[..m].CopyTo(g);
                else TensorPrimitives.Negate(full[..m], g);
                r = m;
            }
            for (; r < full.Length; r += m)
            {
                if (sign == 1f) TensorPrimitives.Add(g, full.Slice(r, m), g);
                else TensorPrimitives.Subtract(g, full.Slice(r, m), g);
            }
        }
    }
}

/// <summary>An element-wise binary function over spans, chosen at compile time (no virtual call per element).</summary>
internal interface IBinaryOp
{
    static abstract void Run(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d);
    static abstract void Run(ReadOnlySpan<float> x, float y, Span<float> d);
    static abstract void Run(float x, ReadOnlySpan<float> y, Span<float> d);
}

internal static class BinaryDriver
{
    /// <summary>Computes <paramref name="c"/> = op(a, b) under the broadcast <paramref name="kind"/>.</summary>
    public static void Apply<TOp>(Broadcast kind, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c) where TOp : IBinaryOp
    {
        switch (kind)
        {
            case Broadcast.Same: TOp.Run(a, b, c); break;
            case Broadcast.ScalarB: TOp.Run(a, b[0], c); break;
            case Broadcast.ScalarA: TOp.Run(a[0], b, c); break;
            case Broadcast.RowB:
                for (int r = 0; r < a.Length; r += b.Length) TOp.Run(a.Slice(r, b.Length), b, c.Slice(r, b.Length));
                break;
            case Broadcast.RowA:
                for (int r = 0; r < b.Length; r += a.Length) TOp.Run(a, b.Slice(r, a.Length), c.Slice(r, a.Length));
                break;
        }
    }
}
