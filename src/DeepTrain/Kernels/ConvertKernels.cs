using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DeepTrain.Kernels;

/// <summary>Conversions of compact stored data (bytes) to the float32 that the network reads.</summary>
public static unsafe class ConvertKernels
{
    private const float InverseOf255 = 1f / 255f;

    /// <summary>
    /// dst[i] = src[i] / 255, equal bit for bit to the division (the usual <c>pixels.float() / 255</c>), in one pass.
    /// </summary>
    /// <remarks>
    /// A division is slow, so the vector paths multiply by 1/255 and correct the quotient with one residual step:
    /// q = x·(1/255), r = x − 255·q, q + r·(1/255), with fused multiply-adds. For every byte value this is the
    /// correctly rounded x / 255 (the tests check all 256).
    /// </remarks>
    /// <param name="src">The bytes.</param>
    /// <param name="dst">The floats (same length).</param>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void BytesToUnit(ReadOnlySpan<byte> src, Span<float> dst)
    {
        if (src.Length != dst.Length) throw new ArgumentException($"BytesToUnit: {src.Length} bytes for {dst.Length} floats");
        int n = src.Length, i = 0;
        fixed (byte* s = src)
        fixed (float* d = dst)
        {
            if (Avx512F.IsSupported)
            {
                var inv = Vector512.Create(InverseOf255);
                var d255 = Vector512.Create(255f);
                for (; i + 16 <= n; i += 16)
                {
                    var x = Avx512F.ConvertToVector512Single(Avx512F.ConvertToVector512Int32(Sse2.LoadVector128(s + i)));
                    var q = x * inv;
                    Avx512F.Store(d + i, Avx512F.FusedMultiplyAdd(Avx512F.FusedMultiplyAddNegated(q, d255, x), inv, q));
                }
            }
            if (Avx2.IsSupported && Fma.IsSupported)
            {
                var inv = Vector256.Create(InverseOf255);
                var d255 = Vector256.Create(255f);
                for (; i + 8 <= n; i += 8)
                {
                    var x = Avx.ConvertToVector256Single(Avx2.ConvertToVector256Int32(s + i));
                    var q = x * inv;
                    Avx.Store(d + i, Fma.MultiplyAdd(Fma.MultiplyAddNegated(q, d255, x), inv, q));
                }
            }
            for (; i < n; i++) d[i] = s[i] / 255f;
        }
    }

    /// <summary>
    /// Asks the CPU to start loading <paramref name="bytes"/> bytes from <paramref name="start"/> into its caches
    /// (no effect where x86 prefetch instructions are missing). A batch's rows lie scattered over the dataset, and a
    /// row of a few hundred bytes is too short for the hardware prefetcher to pick up: fetching the next rows while
    /// converting this one keeps several misses in flight instead of one.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Prefetch(void* start, long bytes)
    {
        if (!Sse.IsSupported || bytes <= 0) return;
        byte* p = (byte*)start, end = p + bytes;
        for (; p < end; p += 64) Sse.Prefetch0(p);
        Sse.Prefetch0(end - 1);
    }
}
