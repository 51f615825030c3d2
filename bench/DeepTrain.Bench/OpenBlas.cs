using System.Runtime.InteropServices;

namespace DeepTrain.Bench;

/// <summary>
/// Late-bound OpenBLAS (the system's libopenblas.so.0) for peer comparisons: loaded with
/// <see cref="NativeLibrary"/> so the bench still runs where it is absent.
/// </summary>
internal static unsafe class OpenBlas
{
    private const int RowMajor = 101, NoTrans = 111, Trans = 112;

    private static delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void> s_sgemm;
    private static delegate* unmanaged<int, void> s_setNumThreads;
    private static bool s_tried;

    /// <summary>Where the library was loaded from, or why it was not.</summary>
    public static string Status { get; private set; } = "not loaded";

    /// <summary>OpenBLAS's own description of its build and the core kernel it picked.</summary>
    public static string Config { get; private set; } = "";

    /// <summary>Loads OpenBLAS once; false (with <see cref="Status"/> saying why) when it is not installed.</summary>
    public static bool TryLoad()
    {
        if (s_tried) return s_sgemm != null;
        s_tried = true;
        string[] names = ["libopenblas.so.0", "libopenblas.so", "libopenblas.dylib", "libopenblas.dll", "openblas"];
        foreach (string name in names)
        {
            if (!NativeLibrary.TryLoad(name, out nint handle)) continue;
            if (!NativeLibrary.TryGetExport(handle, "cblas_sgemm", out nint sgemm)) continue;
            s_sgemm = (delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void>)sgemm;
            if (NativeLibrary.TryGetExport(handle, "openblas_set_num_threads", out nint setThreads))
                s_setNumThreads = (delegate* unmanaged<int, void>)setThreads;
            string core = "", config = "";
            if (NativeLibrary.TryGetExport(handle, "openblas_get_corename", out nint coreName))
                core = Marshal.PtrToStringAnsi((nint)((delegate* unmanaged<byte*>)coreName)()) ?? "";
            if (NativeLibrary.TryGetExport(handle, "openblas_get_config", out nint getConfig))
                config = Marshal.PtrToStringAnsi((nint)((delegate* unmanaged<byte*>)getConfig)()) ?? "";
            Config = $"core {core}; {config}";
            Status = $"loaded {name}";
            return true;
        }
        Status = "OpenBLAS not found (install it with: apt-get install -y libopenblas0-openmp); showing DeepTrain's figures only";
        return false;
    }

    /// <summary>Sets OpenBLAS's thread count.</summary>
    public static void SetThreads(int threads)
    {
        if (s_setNumThreads != null) s_setNumThreads(threads);
    }

    /// <summary>Row-major cblas_sgemm with the same argument order as <c>Gemm.Sgemm</c>.</summary>
    public static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        float* a, int lda, float* b, int ldb, float beta, float* c, int ldc)
    {
        s_sgemm(RowMajor, transA ? Trans : NoTrans, transB ? Trans : NoTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }

    /// <summary>The OPENBLAS_CORETYPE environment variable when set (it forces OpenBLAS's kernel choice).</summary>
    public static string? CoreTypeOverride => Environment.GetEnvironmentVariable("OPENBLAS_CORETYPE") is { Length: > 0 } v ? v : null;
}
