using DeepTrain.Kernels;

namespace DeepTrain.Tests.Kernels
{
    /// <summary>The bias kernels against the row-by-row loops they replace, bit for bit, on every column tail.</summary>
    public class BiasKernelsTests
    {
        [Theory]
        [InlineData(1, 1)]
        [InlineData(3, 15)]
        [InlineData(64, 300)]   // 4 blocks of 64 columns, then 16-lane blocks, then a scalar tail
        [InlineData(7, 100)]
        [InlineData(5, 10)]
        [InlineData(0, 8)]
        public void Bias_kernels_equal_the_row_loops(int rows, int cols)
        {
            var rng = new Random(rows * 1000 + cols);
            float[] z = Fill(rng, rows * cols), b = Fill(rng, cols), db = Fill(rng, cols);

            var expectedZ = (float[])z.Clone();
            for (int r = 0; r < rows; r++)
                for (int j = 0; j < cols; j++) expectedZ[r * cols + j] += b[j];
            var expectedDb = (float[])db.Clone();
            for (int r = 0; r < rows; r++)
                for (int j = 0; j < cols; j++) expectedDb[j] += z[r * cols + j];

            BiasKernels.SumRowsInto(z, rows, db);
            BiasKernels.AddToRows(z, b, rows);
            Assert.Equal(expectedDb, db);
            Assert.Equal(expectedZ, z);
        }

        [Fact]
        public void Mismatched_shapes_are_refused()
        {
            Assert.Throws<ArgumentException>(() => BiasKernels.AddToRows(new float[10], new float[3], 3));
            Assert.Throws<ArgumentException>(() => BiasKernels.SumRowsInto(new float[10], 2, new float[4]));
        }

        private static float[] Fill(Random rng, int n)
        {
            var a = new float[n];
            for (int i = 0; i < n; i++) a[i] = (float)(rng.NextDouble() * 2 - 1);
            return a;
        }
    }
}
