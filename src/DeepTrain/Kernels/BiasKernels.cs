using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace DeepTrain.Kernels;

/// <summary>
/// A bias against a batch of rows: added to every row (forward), and the rows summed into its gradient (backward).
/// One pass over the batch, a block of columns held in registers, instead of one library call per row.
/// </summary>
public static unsafe class BiasKernels
{
    /// <summary>z[r, j] += b[j] for every row r of the row-major <c>[rows, b.Length]</c> matrix z.</summary>
    /// <exception cref="ArgumentException">z does not hold <paramref name="rows"/> rows of <c>b.Length</c>.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddToRows(Span<float> z, ReadOnlySpan<float> b, int rows)
    {
        int n = b.Length;
        if (rows < 0 || z.Length != (long)rows * n)
            throw new ArgumentException($"AddToRows: {z.Length} values are not {rows} rows of {n}");
        fixed (float* pz = z, pb = b)
        {
            for (int r = 0; r < rows; r++)
            {
                float* zr = pz + (nint)r * n;
                int j = 0;
                for (; j + 16 <= n; j += 16) (Vector512.Load(zr + j) + Vector512.Load(pb + j)).Store(zr + j);
                for (; j < n; j++) zr[j] += pb[j];
            }
        }
    }

    /// <summary>
    /// db[j] += Σ_r dz[r, j], the rows added in order (r = 0 first), so the result equals adding the rows to db one
    /// after the other.
    /// </summary>
    /// <exception cref="ArgumentException">dz does not hold <paramref name="rows"/> rows of <c>db.Length</c>.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SumRowsInto(ReadOnlySpan<float> dz, int rows, Span<float> db)
    {
        int n = db.Length;
        if (rows < 0 || dz.Length != (long)rows * n)
            throw new ArgumentException($"SumRowsInto: {dz.Length} values are not {rows} rows of {n}");
        fixed (float* pz = dz, pb = db)
        {
            int j = 0;
            for (; j + 64 <= n; j += 64)
            {
                Vector512<float> s0 = Vector512.Load(pb + j), s1 = Vector512.Load(pb + j + 16);
                Vector512<float> s2 = Vector512.Load(pb + j + 32), s3 = Vector512.Load(pb + j + 48);
                float* zr = pz + j;
                for (int r = 0; r < rows; r++, zr += n)
                {
                    s0 += Vector512.Load(zr);
                    s1 += Vector512.Load(zr + 16);
                    s2 += Vector512.Load(zr + 32);
                    s3 += Vector512.Load(zr + 48);
                }
                s0.Store(pb + j); s1.Store(pb + j + 16); s2.Store(pb + j + 32); s3.Store(pb + j + 48);
            }
            for (; j + 16 <= n; j += 16)
            {
                var s = Vector512.Load(pb + j);
                float* zr = pz + j;
                for (int r = 0; r < rows; r++, zr += n) s += Vector512.Load(zr);
                s.Store(pb + j);
            }
            for (; j < n; j++)
            {
                float s = pb[j];
                for (int r = 0; r < rows; r++) s += pz[(nint)r * n + j];
                pb[j] = s;
            }
        }
    }
}
