using DeepTrain.Tensors;

namespace DeepTrain.Tests;

internal static class TestUtil
{
    /// <summary>A leaf tensor with RequiresGrad, values uniform in [lo, hi), kept away from 0 by <paramref name="gap"/> (for kinks).</summary>
    public static Tensor Param(Rng rng, float lo, float hi, float gap, params int[] dims)
    {
        var t = Tensor.Uniform(new Shape(dims), lo, hi, rng);
        var d = t.Data;
        for (int i = 0; i < d.Length; i++)
            if (MathF.Abs(d[i]) < gap) d[i] = d[i] < 0 ? -gap - 0.1f : gap + 0.1f;
        t.RequiresGrad = true;
        return t;
    }

    public static string? FindRepoFile(string relative)
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            var dir = new DirectoryInfo(start);
            while (dir is not null)
            {
                var p = Path.Combine(dir.FullName, relative);
                if (File.Exists(p) || Directory.Exists(p)) return p;
                dir = dir.Parent;
            }
        }
        return null;
    }
}
