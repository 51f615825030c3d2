using DeepTrain.Layers;
using DeepTrain.Ops;
using DeepTrain.Tensors;

namespace DeepTrain.Tests.Distributed;

/// <summary>
/// Synchronized BatchNorm without MPI: two threads stand in for two processes, summing through a barrier, and
/// together must reproduce BatchNorm on the whole batch (outputs, moving averages, and gradients under the
/// data-parallel convention Σ (n/N)·g).
/// </summary>
public class SyncBatchNormTests
{
    /// <summary>Replicas as threads: each Sum waits for all of them, then every one adds all buffers in replica order.</summary>
    private sealed class ThreadReplicas(int count)
    {
        private readonly Barrier _barrier = new(count);
        private readonly float[]?[] _slots = new float[count][];

        public ICrossReplicaSum For(int replica) => new Member(this, replica);

        private sealed class Member(ThreadReplicas group, int index) : ICrossReplicaSum
        {
            public void Sum(Span<float> values)
            {
                group._slots[index] = values.ToArray();
                group._barrier.SignalAndWait();
                values.Clear();
                foreach (var s in group._slots) for (int i = 0; i < values.Length; i++) values[i] += s![i];
                group._barrier.SignalAndWait();
            }
        }
    }

    private sealed class OneReplica : ICrossReplicaSum
    {
        public void Sum(Span<float> values) { }
    }

    private static (float[] Y, float[] Dx, float[] DGamma, float[] DBeta, float[] Mean, float[] Var) Run(float[] x, float[] dy, int rows, int c, ICrossReplicaSum? replicas, int globalRows)
    {
        var model = new Sequential(c) { new BatchNorm(0.9f, 1e-3f, name: "bn") };
        var bn = (BatchNorm)model["bn"];
        for (int j = 0; j < c; j++) { bn.Gamma!.Data[j] = 1 + 0.1f * j; bn.Beta!.Data[j] = 0.05f * j; }
        bn.CrossReplica = replicas;
        var xt = Tensor.FromArray(x, rows, c);
        xt.RequiresGrad = true;
        var y = model.Forward(xt);
        // this replica's loss is the mean over its rows, as in a data-parallel step
        (DeepTrain.Ops.Ops.Sum(y * Tensor.FromArray(dy, rows, c)) * (1f / rows)).Backward();
        float w = rows / (float)globalRows; // the gradient exchange's weight
        return (y.ToArray(), xt.Grad.ToArray().Select(v => v * w).ToArray(), bn.Gamma!.Grad.ToArray().Select(v => v * w).ToArray(),
                bn.Beta!.Grad.ToArray().Select(v => v * w).ToArray(), bn.RunningMean.ToArray(), bn.RunningVar.ToArray());
    }

    private static void Close(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what, float tol = 1e-5f)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(MathF.Abs(expected[i] - actual[i]) <= tol * (1 + MathF.Abs(expected[i])), $"{what}[{i}]: expected {expected[i]}, got {actual[i]}");
    }

    [Fact]
    public void TwoReplicasReproduceBatchNormOnTheWholeBatch()
    {
        const int n = 7, c = 5, split = 3; // uneven slices: 3 and 4 rows
        var rng = new Random(3);
        var x = Enumerable.Range(0, n * c).Select(_ => (float)(rng.NextDouble() * 4 - 1)).ToArray();
        var dy = Enumerable.Range(0, n * c).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        var whole = Run(x, dy, n, c, null, n);

        var group = new ThreadReplicas(2);
        var parts = new (float[] Y, float[] Dx, float[] DGamma, float[] DBeta, float[] Mean, float[] Var)[2];
        var threads = new[]
        {
            new Thread(() => parts[0] = Run(x[..(split * c)], dy[..(split * c)], split, c, group.For(0), n)),
            new Thread(() => parts[1] = Run(x[(split * c)..], dy[(split * c)..], n - split, c, group.For(1), n)),
        };
        foreach (var t in threads) t.Start();
        foreach (var t in threads) Assert.True(t.Join(30_000), "a replica thread hung");

        Close(whole.Y, [.. parts[0].Y, .. parts[1].Y], "y");
        Close(whole.Dx, [.. parts[0].Dx, .. parts[1].Dx], "dx");
        Close(whole.DGamma, parts[0].DGamma.Zip(parts[1].DGamma, (a, b) => a + b).ToArray(), "dgamma");
        Close(whole.DBeta, parts[0].DBeta.Zip(parts[1].DBeta, (a, b) => a + b).ToArray(), "dbeta");
        foreach (var p in parts)
        {
            Close(whole.Mean, p.Mean, "running_mean");
            Close(whole.Var, p.Var, "running_var");
        }
    }

    [Fact]
    public void OneReplicaIsPlainBatchNorm()
    {
        const int n = 6, c = 4;
        var rng = new Random(5);
        var x = Enumerable.Range(0, n * c).Select(_ => (float)(rng.NextDouble() * 3)).ToArray();
        var dy = Enumerable.Range(0, n * c).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
        var plain = Run(x, dy, n, c, null, n);
        var synced = Run(x, dy, n, c, new OneReplica(), n);
        Close(plain.Y, synced.Y, "y");
        Close(plain.Dx, synced.Dx, "dx");
        Close(plain.DGamma, synced.DGamma, "dgamma");
        Close(plain.Mean, synced.Mean, "running_mean");
        Close(plain.Var, synced.Var, "running_var");
    }
}
