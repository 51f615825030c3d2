using DeepTrain.Kernels;

namespace DeepTrain.Tests.Kernels
{
    /// <summary>
    /// The fused Adam kernel runs a 16-lane body (AVX-512), an 8-lane body (AVX2) and a scalar tail, and splits long
    /// spans between threads. Every element must come out of the same IEEE operations whichever of these computes it:
    /// the kernel's result is compared bit for bit with a scalar transcription of the update rule.
    /// </summary>
    public class OptimizerKernelsTests
    {
        [Theory]
        [InlineData(1, false, 0f)]
        [InlineData(7, false, 0f)]
        [InlineData(8, true, 0f)]
        [InlineData(25, false, 0.01f)]   // 16 + 8 + 1: every path once
        [InlineData(1000, true, 0.01f)]
        [InlineData(70_001, false, 0f)]   // long enough to be split between the kernel threads
        [InlineData(70_001, true, 0.001f)]
        public void Adam_matches_the_scalar_rule_bit_for_bit(int n, bool amsgrad, float weightDecay)
        {
            var rng = new Random(n);
            float[] w = Fill(rng, n, 1f), g = Fill(rng, n, 0.1f), m = Fill(rng, n, 0.01f), v = Fill(rng, n, 0.001f, square: true);
            float[] vmax = amsgrad ? Fill(rng, n, 0.001f, square: true) : [];
            g[0] = 0f; // a zero gradient on a zero-ish state: the ε path
            float[] w2 = (float[])w.Clone(), m2 = (float[])m.Clone(), v2 = (float[])v.Clone(), vmax2 = (float[])vmax.Clone();
            const float b1 = 0.9f, b2 = 0.999f, step = 0.001f / (1 - 0.9f * 0.9f * 0.9f), corr = 0.05474f, eps = 1e-8f;

            OptimizerKernels.Adam(w, g, m, v, vmax, b1, b2, step, corr, eps, weightDecay);

            for (int i = 0; i < n; i++)
            {
                float gi = g[i];
                if (weightDecay != 0f) gi = MathF.FusedMultiplyAdd(weightDecay, w2[i], gi);
                float mi = MathF.FusedMultiplyAdd(b1, m2[i], (1 - b1) * gi);
                float vi = MathF.FusedMultiplyAdd(b2, v2[i], (1 - b2) * gi * gi);
                if (amsgrad) vi = vmax2[i] = MathF.Max(vmax2[i], vi);
                float s = MathF.Sqrt(vi) / corr + eps;
                float wi = MathF.FusedMultiplyAdd(-step, mi / s, w2[i]);
                Assert.Equal(BitConverter.SingleToInt32Bits(mi), BitConverter.SingleToInt32Bits(m[i]));
                Assert.Equal(BitConverter.SingleToInt32Bits(wi), BitConverter.SingleToInt32Bits(w[i]));
                if (amsgrad) Assert.Equal(BitConverter.SingleToInt32Bits(vi), BitConverter.SingleToInt32Bits(vmax[i]));
            }
        }

        private static float[] Fill(Random rng, int n, float scale, bool square = false)
        {
            var a = new float[n];
            for (int i = 0; i < n; i++)
            {
                float x = (float)(rng.NextDouble() * 2 - 1) * scale;
                a[i] = square ? x * x / scale : x;
            }
            return a;
        }
    }
}
