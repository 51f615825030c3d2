using DeepTrain.Kernels;

namespace DeepTrain.Tests.Kernels
{
    /// <summary>The byte-to-unit conversion against the division it stands for, bit for bit.</summary>
    public class ConvertKernelsTests
    {
        [Theory]
        [InlineData(0)]
        [InlineData(3)]
        [InlineData(8)]
        [InlineData(13)]
        public void Every_byte_value_converts_to_exactly_byte_over_255_on_every_path(int shift)
        {
            // Each of the 256 values lands in the 16-lane, the 8-lane and the scalar part of some call.
            foreach (int length in new[] { 256 + shift, 7, 8 + shift, 16 + shift, 24 + shift })
            {
                var src = new byte[length];
                var dst = new float[length];
                for (int start = 0; start < 256; start += length)
                {
                    for (int i = 0; i < length; i++) src[i] = (byte)((start + i) % 256);
                    ConvertKernels.BytesToUnit(src, dst);
                    for (int i = 0; i < length; i++)
                        Assert.True(BitConverter.SingleToInt32Bits(dst[i]) == BitConverter.SingleToInt32Bits(src[i] / 255f),
                            $"byte {src[i]} at position {i} of {length}: got {dst[i]:R}, want {src[i] / 255f:R}");
                }
            }
        }

        [Fact]
        public void Mismatched_lengths_are_refused()
        {
            Assert.Throws<ArgumentException>(() => ConvertKernels.BytesToUnit(new byte[4], new float[5]));
        }
    }
}
