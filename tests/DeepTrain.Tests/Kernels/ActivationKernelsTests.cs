using System.Runtime.Intrinsics;
using DeepTrain.Kernels;

namespace DeepTrain.Tests.Kernels
{
    /// <summary>The vectorized eˣ behind ELU and SELU, against double-precision exp.</summary>
    public class ActivationKernelsTests
    {
        [Fact]
        public void ExpNonPositive_is_within_two_ulps_of_exp_on_all_of_its_range()
        {
            var rng = new Random(3);
            var xs = new List<float> { 0f, -0f, -1e-30f, -1e-7f, -0.3465736f, -0.3465737f, -1f, -10f, -87.33f, -87.4f, -100f, float.MinValue };
            for (int i = 0; i < 200_000; i++) xs.Add(-(float)(rng.NextDouble() * 90));
            for (int i = 0; i < 10_000; i++) xs.Add(-(float)(rng.NextDouble() * 1e-3));
            for (int start = 0; start < xs.Count; start += 16)
            {
                Span<float> x = stackalloc float[16], e = stackalloc float[16];
                for (int j = 0; j < 16; j++) x[j] = xs[Math.Min(start + j, xs.Count - 1)];
                ActivationKernels.ExpNonPositive(Vector512.Create(x)).CopyTo(e);
                for (int j = 0; j < 16; j++)
                {
                    double exact = Math.Exp(Math.Max(x[j], -87.33654f)); // clamped near the smallest normal float, by design
                    double ulp = Math.Max(MathF.BitIncrement((float)exact) - (float)exact, 1e-45);
                    Assert.True(Math.Abs(e[j] - exact) <= 2 * ulp, $"exp({x[j]:R}) = {exact:R}, got {e[j]:R}");
                }
            }
        }

        [Theory]
        [InlineData(1)]
        [InlineData(15)]
        [InlineData(16)]
        [InlineData(37)]
        public void Elu_gives_each_element_the_same_value_whatever_its_position(int n)
        {
            // The vector body and the tail must agree: an element's result cannot depend on the batch size.
            var rng = new Random(n);
            var z = new float[n];
            for (int i = 0; i < n; i++) z[i] = (float)(rng.NextDouble() * 8 - 6);
            var y = new float[n];
            ActivationKernels.Forward(ActivationKind.Elu, 1.3f, z, y);
            for (int i = 0; i < n; i++)
            {
                var one = new float[1];
                ActivationKernels.Forward(ActivationKind.Elu, 1.3f, z.AsSpan(i, 1), one);
                Assert.Equal(BitConverter.SingleToInt32Bits(one[0]), BitConverter.SingleToInt32Bits(y[i]));
                double exact = z[i] > 0 ? z[i] : 1.3 * (Math.Exp(z[i]) - 1);
                Assert.True(Math.Abs(y[i] - exact) <= 1e-6 * (1 + Math.Abs(exact)), $"elu({z[i]}) = {exact}, got {y[i]}");
            }
        }
    

        [Theory]
        [InlineData(ActivationKind.Relu, false)]
        [InlineData(ActivationKind.LeakyRelu, true)]
        [InlineData(ActivationKind.Elu, false)]
        [InlineData(ActivationKind.Elu, true)]
        [InlineData(ActivationKind.Selu, true)]
        public void Piecewise_backward_gives_each_element_the_same_value_whatever_its_position(ActivationKind kind, bool accumulate)
        {
            // 16-lane body, 8-lane body and scalar tail (n = 16 + 8 + 5) must all give the single-element result.
            const int n = 29;
            var rng = new Random((int)kind);
            float[] z = new float[n], dy = new float[n], old = new float[n];
            for (int i = 0; i < n; i++) { z[i] = (float)(rng.NextDouble() * 6 - 3); dy[i] = (float)(rng.NextDouble() - 0.5); old[i] = (float)rng.NextDouble(); }
            var y = new float[n];
            ActivationKernels.Forward(kind, 0.2f, z, y);
            var dz = (float[])old.Clone();
            ActivationKernels.Backward(kind, 0.2f, z, y, dy, dz, accumulate);
            for (int i = 0; i < n; i++)
            {
                var one = new[] { old[i] };
                ActivationKernels.Backward(kind, 0.2f, z.AsSpan(i, 1), y.AsSpan(i, 1), dy.AsSpan(i, 1), one, accumulate);
                Assert.Equal(BitConverter.SingleToInt32Bits(one[0]), BitConverter.SingleToInt32Bits(dz[i]));
            }
        }

        [Fact]
        public void Backward_refuses_spans_of_different_lengths()
        {
            Assert.Throws<ArgumentException>(() => ActivationKernels.Backward(ActivationKind.Elu, 1f, new float[20], new float[20], new float[20], new float[19]));
        }
    }
}
