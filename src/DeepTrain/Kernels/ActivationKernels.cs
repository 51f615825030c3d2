using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace DeepTrain.Kernels;

/// <summary>
/// Forward and backward of the element-wise activations over spans: TensorPrimitives for the transcendental
/// parts, one vectorized select pass for the piecewise parts. Nothing here knows about tensors or autograd.
/// </summary>
public static class ActivationKernels
{
    /// <summary>SELU's λ (Klambauer et al. 2017), as PyTorch and Keras define it.</summary>
    public const float SeluScale = 1.0507009873554804934193349852946f;

    /// <summary>SELU's α.</summary>
    public const float SeluAlpha = 1.6732632423543772848170429916717f;

    /// <summary>y = f(z). <paramref name="alpha"/> is the slope of leaky ReLU or the α of ELU; ignored otherwise. z and y may alias.</summary>
    public static void Forward(ActivationKind kind, float alpha, ReadOnlySpan<float> z, Span<float> y)
    {
        switch (kind)
        {
            case ActivationKind.Identity: z.CopyTo(y); break;
            case ActivationKind.Relu: TensorPrimitives.Max(z, 0f, y); break;
            case ActivationKind.LeakyRelu: LeakyForward(z, alpha, y); break;
            case ActivationKind.Elu: EluForward(z, alpha, 1f, y); break;
            case ActivationKind.Selu: EluForward(z, SeluAlpha, SeluScale, y); break;
            case ActivationKind.Sigmoid: TensorPrimitives.Sigmoid(z, y); break;
            case ActivationKind.Tanh: TensorPrimitives.Tanh(z, y); break;
            case ActivationKind.Softplus: SoftplusForward(z, y); break;
        }
    }

    /// <summary>
    /// dz = dy ⊙ f′(z), computed from z and y = f(z) (whichever is cheaper). <paramref name="dz"/> may alias
    /// <paramref name="dy"/>. When <paramref name="accumulate"/> is true the result is added to dz instead.
    /// </summary>
    public static void Backward(ActivationKind kind, float alpha, ReadOnlySpan<float> z, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dz, bool accumulate = false)
    {
        switch (kind)
        {
            case ActivationKind.Identity:
                if (accumulate) TensorPrimitives.Add(dz, dy, dz);
                else dy.CopyTo(dz);
                break;
            case ActivationKind.Relu: PiecewiseBackward(z, y, dy, dz, 1f, 0f, 0f, accumulate); break;
            case ActivationKind.LeakyRelu: PiecewiseBackward(z, y, dy, dz, 1f, 0f, alpha, accumulate); break;
            // ELU: for z ≤ 0, dy/dz = α·eᶻ = y + α
            case ActivationKind.Elu: PiecewiseBackward(z, y, dy, dz, 1f, 1f, alpha, accumulate); break;
            // SELU: λ for z > 0, y + λα otherwise
            case ActivationKind.Selu: PiecewiseBackward(z, y, dy, dz, SeluScale, 1f, SeluScale * SeluAlpha, accumulate); break;
            case ActivationKind.Sigmoid: SigmoidBackward(y, dy, dz, accumulate); break;
            case ActivationKind.Tanh: TanhBackward(y, dy, dz, accumulate); break;
            case ActivationKind.Softplus: SoftplusBackward(z, dy, dz, accumulate); break;
        }
    }

    private static void LeakyForward(ReadOnlySpan<float> z, float alpha, Span<float> y)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var va = new Vector<float>(alpha);
            for (; i <= z.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                var v = new Vector<float>(z.Slice(i));
                Vector.ConditionalSelect(Vector.GreaterThan(v, Vector<float>.Zero), v, v * va).CopyTo(y.Slice(i));
            }
        }
        for (; i < z.Length; i++) y[i] = z[i] > 0 ? z[i] : alpha * z[i];
    }

    // y = scale·z for z > 0, scale·alpha·(eᶻ − 1) otherwise
    private static void EluForward(ReadOnlySpan<float> z, float alpha, float scale, Span<float> y)
    {
        if (Vector512.IsHardwareAccelerated)
        {
            EluForward512(z, alpha, scale, y);
            return;
        }
        // e^min(z, 0) first, so large positive z never overflow; z may alias y, so keep z where needed. The exponential
        // runs on a length padded to a multiple of 16: TensorPrimitives.Exp computes a remainder shorter than its
        // vector differently (1 ulp apart on 128-bit vectors), and an element's result must not depend on its position.
        int i = 0;
        const int Chunk = 256;
        Span<float> e = stackalloc float[Chunk];
        for (int start = 0; start < z.Length; start += Chunk)
        {
            int n = Math.Min(Chunk, z.Length - start), padded = (n + 15) & ~15;
            var zs = z.Slice(start, n);
            var es = e[..n];
            TensorPrimitives.Min(zs, 0f, es);
            e[n..padded].Clear();
            TensorPrimitives.Exp(e[..padded], e[..padded]);
            var ys = y.Slice(start, n);
            i = 0;
            if (Vector.IsHardwareAccelerated)
            {
                var vs = new Vector<float>(scale);
                var vsa = new Vector<float>(scale * alpha);
                for (; i <= n - Vector<float>.Count; i += Vector<float>.Count)
                {
                    var v = new Vector<float>(zs.Slice(i));
                    var ev = new Vector<float>(es.Slice(i));
                    Vector.ConditionalSelect(Vector.GreaterThan(v, Vector<float>.Zero), v * vs, (ev - Vector<float>.One) * vsa).CopyTo(ys.Slice(i));
                }
            }
            for (; i < n; i++) ys[i] = zs[i] > 0 ? scale * zs[i] : scale * alpha * (es[i] - 1f);
        }
    }

    // The same on 16 lanes with our own eˣ for x ≤ 0 (TensorPrimitives.Exp computes in double: about 3x slower here).
    // The tail goes through the same vector code in a padded buffer, so every element gets the same arithmetic.
    private static void EluForward512(ReadOnlySpan<float> z, float alpha, float scale, Span<float> y)
    {
        var vs = Vector512.Create(scale);
        var vsa = Vector512.Create(scale * alpha);
        int i = 0, n = z.Length;
        for (; i <= n - 16; i += 16)
        {
            var v = Vector512.Create(z.Slice(i, 16));
            EluLanes(v, vs, vsa).CopyTo(y.Slice(i, 16));
        }
        if (i < n)
        {
            Span<float> tail = stackalloc float[16];
            tail.Clear();
            z[i..].CopyTo(tail);
            EluLanes(Vector512.Create(tail), vs, vsa).CopyTo(tail);
            tail[..(n - i)].CopyTo(y[i..]);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> EluLanes(Vector512<float> v, Vector512<float> scale, Vector512<float> scaleAlpha)
    {
        var e = ExpNonPositive(Vector512.Min(v, Vector512<float>.Zero));
        return Vector512.ConditionalSelect(Vector512.GreaterThan(v, Vector512<float>.Zero), v * scale, (e - Vector512<float>.One) * scaleAlpha);
    }

    /// <summary>
    /// eˣ for x ≤ 0 to within about 1 ulp: x = n·ln 2 + r with |r| ≤ ln 2 / 2 (ln 2 split in two parts so that n·ln 2
    /// is exact), eʳ by a degree-7 polynomial (the classic single-precision minimax coefficients of Cephes' expf), times
    /// 2ⁿ put into the exponent bits. Below ln(2⁻¹²⁶) the result is that smallest normal number instead of a
    /// subnormal or 0 (ELU then gives −α either way).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> ExpNonPositive(Vector512<float> x)
    {
        x = Vector512.Max(x, Vector512.Create(-87.33654f));
        var n = Vector512.Round(x * Vector512.Create(1.44269504088896341f));
        var r = Vector512.FusedMultiplyAdd(n, Vector512.Create(-0.693359375f), x);
        r = Vector512.FusedMultiplyAdd(n, Vector512.Create(2.12194440e-4f), r);
        var p = Vector512.Create(1.9875691500e-4f);
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1.3981999507e-3f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(8.3334519073e-3f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(4.1665795894e-2f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1.6666665459e-1f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(5.0000001201e-1f));
        var er = Vector512.FusedMultiplyAdd(p, r * r, r) + Vector512<float>.One;
        var twoN = Vector512.ShiftLeft(Vector512.ConvertToInt32(n) + Vector512.Create(127), 23).AsSingle();
        return er * twoN;
    }

    // dz = dy · (z > 0 ? pos : yCoef·y + neg); the 16-lane, 8-lane and scalar code do the same operations (no fused
    // multiply-add), so every element gets the same result wherever it lies.
    private static void PiecewiseBackward(ReadOnlySpan<float> z, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dz, float pos, float yCoef, float neg, bool accumulate)
    {
        int i = 0, n = dy.Length;
        if (z.Length != n || y.Length != n || dz.Length != n)
            throw new ArgumentException($"ActivationKernels.Backward: z, y, dy and dz must have the same length: got {z.Length}, {y.Length}, {n} and {dz.Length}");
        if (Vector512.IsHardwareAccelerated)
        {
            var vp = Vector512.Create(pos);
            var vc = Vector512.Create(yCoef);
            var vn = Vector512.Create(neg);
            ref float rz = ref MemoryMarshal.GetReference(z), ry = ref MemoryMarshal.GetReference(y);
            ref float rd = ref MemoryMarshal.GetReference(dy), rg = ref MemoryMarshal.GetReference(dz);
            for (; i <= n - 16; i += 16)
            {
                var vz = Vector512.LoadUnsafe(ref rz, (nuint)i);
                var slope = Vector512.ConditionalSelect(Vector512.GreaterThan(vz, Vector512<float>.Zero), vp, vc * Vector512.LoadUnsafe(ref ry, (nuint)i) + vn);
                var r = Vector512.LoadUnsafe(ref rd, (nuint)i) * slope;
                if (accumulate) r += Vector512.LoadUnsafe(ref rg, (nuint)i);
                r.StoreUnsafe(ref rg, (nuint)i);
            }
        }
        if (Vector.IsHardwareAccelerated)
        {
            var vp = new Vector<float>(pos);
            var vc = new Vector<float>(yCoef);
            var vn = new Vector<float>(neg);
            for (; i <= n - Vector<float>.Count; i += Vector<float>.Count)
            {
                var vz = new Vector<float>(z.Slice(i));
                var vy = new Vector<float>(y.Slice(i));
                var vd = new Vector<float>(dy.Slice(i));
                var slope = Vector.ConditionalSelect(Vector.GreaterThan(vz, Vector<float>.Zero), vp, vc * vy + vn);
                var r = vd * slope;
                if (accumulate) r += new Vector<float>(dz.Slice(i));
                r.CopyTo(dz.Slice(i));
            }
        }
        for (; i < n; i++)
        {
            float r = dy[i] * (z[i] > 0 ? pos : yCoef * y[i] + neg);
            dz[i] = accumulate ? dz[i] + r : r;
        }
    }

    // dz = dy · y · (1 − y)
    private static void SigmoidBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dz, bool accumulate)
    {
        int i = 0, n = dy.Length;
        if (Vector.IsHardwareAccelerated)
            for (; i <= n - Vector<float>.Count; i += Vector<float>.Count)
            {
                var vy = new Vector<float>(y.Slice(i));
                var r = new Vector<float>(dy.Slice(i)) * vy * (Vector<float>.One - vy);
                if (accumulate) r += new Vector<float>(dz.Slice(i));
                r.CopyTo(dz.Slice(i));
            }
        for (; i < n; i++) { float r = dy[i] * y[i] * (1f - y[i]); dz[i] = accumulate ? dz[i] + r : r; }
    }

    // dz = dy · (1 − y²)
    private static void TanhBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dz, bool accumulate)
    {
        int i = 0, n = dy.Length;
        if (Vector.IsHardwareAccelerated)
            for (; i <= n - Vector<float>.Count; i += Vector<float>.Count)
            {
                var vy = new Vector<float>(y.Slice(i));
                var r = new Vector<float>(dy.Slice(i)) * (Vector<float>.One - vy * vy);
                if (accumulate) r += new Vector<float>(dz.Slice(i));
                r.CopyTo(dz.Slice(i));
            }
        for (; i < n; i++) { float r = dy[i] * (1f - y[i] * y[i]); dz[i] = accumulate ? dz[i] + r : r; }
    }

    // softplus(z) = max(z, 0) + ln(1 + e^−|z|), stable at both ends
    private static void SoftplusForward(ReadOnlySpan<float> z, Span<float> y)
    {
        for (int i = 0; i < z.Length; i++)
        {
            float v = z[i];
            y[i] = MathF.Max(v, 0f) + MathF.Log(1f + MathF.Exp(-MathF.Abs(v)));
        }
    }

    // dz = dy · σ(z)
    private static void SoftplusBackward(ReadOnlySpan<float> z, ReadOnlySpan<float> dy, Span<float> dz, bool accumulate)
    {
        for (int i = 0; i < dy.Length; i++)
        {
            float r = dy[i] / (1f + MathF.Exp(-z[i]));
            dz[i] = accumulate ? dz[i] + r : r;
        }
    }
}
