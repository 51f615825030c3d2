using DeepTrain.Data;
using DeepTrain.Layers;
using DeepTrain.Pretraining;
using DeepTrain.Tensors;
using DeepTrain.Training;

namespace DeepTrain.Tests.Pretraining;

public class RbmTests
{
    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    private static Rbm Tiny(VisibleUnits kind = VisibleUnits.Bernoulli)
    {
        var rbm = new Rbm(3, 2, kind);
        float[] w = [0.5f, -0.3f, 0.2f, 0.8f, -0.6f, 0.1f]; // [visible, hidden]
        w.CopyTo(rbm.Weight, 0);
        float[] b = [0.1f, -0.2f, 0.05f];
        b.CopyTo(rbm.VisibleBias, 0);
        float[] c = [-0.1f, 0.3f];
        c.CopyTo(rbm.HiddenBias, 0);
        return rbm;
    }

    [Fact]
    public void UpdateFromGivenStatisticsIsTheContrastiveDivergenceEquation()
    {
        var rbm = new Rbm(3, 2);
        var cd = new ContrastiveDivergence(rbm, new Rng(1), learningRate: 1f);
        // one data row and one negative row: ΔW = v⁰ᵀp⁰ − vᵏᵀpᵏ, Δb = v⁰ − vᵏ, Δc = p⁰ − pᵏ
        cd.ApplyUpdate([1, 0, 1], [0.5f, 0.25f], 1, [0, 1, 1], [0.25f, 0.5f], 1);
        Assert.Equal([0.5f, 0.25f, -0.25f, -0.5f, 0.25f, -0.25f], rbm.Weight);
        Assert.Equal([1f, -1f, 0f], rbm.VisibleBias);
        Assert.Equal([0.25f, -0.25f], rbm.HiddenBias);
    }

    [Fact]
    public void Cd1StepsMatchAHandComputationReplayingTheSamples()
    {
        const double lr = 0.1, mu = 0.5, lambda = 0.01;
        var rbm = Tiny();
        var cd = new ContrastiveDivergence(rbm, new Rng(42), (float)lr, k: 1, momentum: (float)mu, weightDecay: (float)lambda);
        float[] v0 = [1, 0, 1, 0, 1, 1]; // two rows
        const int n = 2, nv = 3, nh = 2;

        // the reference: the same machine in double, the same draws replayed from a generator with the same seed
        var replay = new Rng(42);
        double[] w = rbm.Weight.Select(x => (double)x).ToArray(), b = rbm.VisibleBias.Select(x => (double)x).ToArray(), c = rbm.HiddenBias.Select(x => (double)x).ToArray();
        double[] vw = new double[6], vb = new double[3], vc = new double[2];
        for (int step = 0; step < 2; step++)
        {
            cd.Step(v0, n);

            var p0 = new double[n * nh];
            for (int r = 0; r < n; r++)
                for (int j = 0; j < nh; j++)
                {
                    double z = c[j];
                    for (int i = 0; i < nv; i++) z += v0[r * nv + i] * w[i * nh + j];
                    p0[r * nh + j] = Sigmoid(z);
                }
            var h0 = new double[n * nh];
            for (int k = 0; k < h0.Length; k++) h0[k] = replay.NextFloat() < (float)p0[k] ? 1 : 0;
            var v1 = new double[n * nv];
            var mean = new double[n * nv];
            for (int r = 0; r < n; r++)
                for (int i = 0; i < nv; i++)
                {
                    double z = b[i];
                    for (int j = 0; j < nh; j++) z += h0[r * nh + j] * w[i * nh + j];
                    mean[r * nv + i] = Sigmoid(z);
                }
            for (int k = 0; k < v1.Length; k++) v1[k] = replay.NextFloat() < (float)mean[k] ? 1 : 0;
            var p1 = new double[n * nh];
            for (int r = 0; r < n; r++)
                for (int j = 0; j < nh; j++)
                {
                    double z = c[j];
                    for (int i = 0; i < nv; i++) z += v1[r * nv + i] * w[i * nh + j];
                    p1[r * nh + j] = Sigmoid(z);
                }
            for (int i = 0; i < nv; i++)
                for (int j = 0; j < nh; j++)
                {
                    double g = 0;
                    for (int r = 0; r < n; r++) g += v0[r * nv + i] * p0[r * nh + j] - v1[r * nv + i] * p1[r * nh + j];
                    g = g / n - lambda * w[i * nh + j];
                    vw[i * nh + j] = mu * vw[i * nh + j] + lr * g;
                    w[i * nh + j] += vw[i * nh + j];
                }
            for (int i = 0; i < nv; i++)
            {
                double g = 0;
                for (int r = 0; r < n; r++) g += v0[r * nv + i] - v1[r * nv + i];
                vb[i] = mu * vb[i] + lr * g / n;
                b[i] += vb[i];
            }
            for (int j = 0; j < nh; j++)
            {
                double g = 0;
                for (int r = 0; r < n; r++) g += p0[r * nh + j] - p1[r * nh + j];
                vc[j] = mu * vc[j] + lr * g / n;
                c[j] += vc[j];
            }

            for (int k = 0; k < w.Length; k++) Assert.Equal(w[k], rbm.Weight[k], 5);
            for (int k = 0; k < b.Length; k++) Assert.Equal(b[k], rbm.VisibleBias[k], 5);
            for (int k = 0; k < c.Length; k++) Assert.Equal(c[k], rbm.HiddenBias[k], 5);
        }
        Assert.Equal(replay.NextUInt(), cd.Rng.NextUInt()); // exactly the same number of draws
    }

    [Fact]
    public void FreeEnergyMatchesTheSumOverHiddenStates()
    {
        foreach (var kind in new[] { VisibleUnits.Bernoulli, VisibleUnits.Gaussian })
        {
            var rbm = Tiny(kind);
            float[] v = [1, 0, 1, 0.3f, -0.7f, 1.5f];
            var f = new float[2];
            rbm.FreeEnergy(v, 2, f);
            for (int r = 0; r < 2; r++)
            {
                double sum = 0;
                for (int h0 = 0; h0 < 2; h0++)
                    for (int h1 = 0; h1 < 2; h1++)
                    {
                        double[] h = [h0, h1];
                        double e = 0;
                        for (int i = 0; i < 3; i++)
                        {
                            double vi = v[r * 3 + i];
                            e += kind == VisibleUnits.Bernoulli ? -rbm.VisibleBias[i] * vi : 0.5 * (vi - rbm.VisibleBias[i]) * (vi - rbm.VisibleBias[i]);
                            for (int j = 0; j < 2; j++) e -= vi * rbm.Weight[i * 2 + j] * h[j];
                        }
                        for (int j = 0; j < 2; j++) e -= rbm.HiddenBias[j] * h[j];
                        sum += Math.Exp(-e);
                    }
                Assert.Equal(-Math.Log(sum), f[r], 4);
            }
        }
    }

    [Fact]
    public void PseudoLogLikelihoodEstimatesTheExactOne()
    {
        var rbm = Tiny();
        float[] v = [1, 0, 1];
        // exact: Σᵢ log p(vᵢ | v₋ᵢ), each from the unnormalized marginal e^(−F)
        var f = new float[1];
        rbm.FreeEnergy(v, 1, f);
        double exact = 0;
        for (int i = 0; i < 3; i++)
        {
            var flipped = (float[])v.Clone();
            flipped[i] = 1 - flipped[i];
            var g = new float[1];
            rbm.FreeEnergy(flipped, 1, g);
            exact += -Math.Log(1 + Math.Exp(f[0] - g[0]));
        }
        const int rows = 6000;
        var many = new float[rows * 3];
        for (int r = 0; r < rows; r++) v.CopyTo(many, r * 3);
        double estimate = rbm.PseudoLogLikelihood(many, rows, new Rng(3));
        Assert.InRange(estimate, exact - 0.05, exact + 0.05);
        Assert.Throws<InvalidOperationException>(() => Tiny(VisibleUnits.Gaussian).PseudoLogLikelihood(v, 1, new Rng(0)));
    }

    [Fact]
    public void ValidatesItsArguments()
    {
        var rbm = new Rbm(3, 2);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ContrastiveDivergence(rbm, new Rng(0), k: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ContrastiveDivergence(rbm, new Rng(0), momentum: 1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ContrastiveDivergence(rbm, new Rng(0), learningRate: 0f));
        var e = Assert.Throws<ArgumentException>(() => new RbmPretrainer(new RbmOptions { HiddenSizes = [4], Epochs = 1 })
            .Pretrain(Dataset.FromArrays([0.5f, 2f, -1f, 0f], [0, 1], 2)));
        Assert.Contains("[0, 1]", e.Message);
        Assert.Throws<ArgumentException>(() => new RbmPretrainer(new RbmOptions { K = 0 }).Pretrain(Dataset.FromArrays([0.5f, 0f], [0], 2)));
    }

    private static Dataset Digits(int perClass) => KnownDatasets.Load("digits").Train.TakePerClass(perClass, 1);

    [Fact]
    public void RbmPretrainingLowersTheReconstructionErrorEpochAfterEpoch()
    {
        var data = Digits(30); // 300 real digits
        var (train, heldOut) = data.Split(60, 2);
        var result = new RbmPretrainer(new RbmOptions { HiddenSizes = [64, 32], Epochs = 6, BatchSize = 20, LearningRate = 0.05f, Seed = 5 })
            .Pretrain(train, heldOut);
        Assert.Equal(2, result.Layers.Count);
        var first = result.Layers[0];
        var error = first["reconstruction_error"];
        Assert.Equal(6, error.Count);
        for (int e = 1; e < error.Count; e++) Assert.True(error[e] < error[e - 1], $"epoch {e + 1}: {error[e]} is not below {error[e - 1]}");
        var pll = first["pseudo_log_likelihood"];
        Assert.True(pll[^1] > pll[0], $"the pseudo-log-likelihood did not rise: {pll[0]} -> {pll[^1]}");
        foreach (var key in new[] { "val_reconstruction_error", "val_pseudo_log_likelihood", "free_energy", "val_free_energy", "free_energy_gap" })
            Assert.True(double.IsFinite(first[key][^1]), key);
        Assert.True(result.Layers[1]["reconstruction_error"][^1] < result.Layers[1]["reconstruction_error"][0]);

        // the DBN initializes a logistic Dense stack with W and c as they are
        var names = result.Encoder.NamedParameters().Select(p => (p.Name, p.Value.Shape.ToString())).ToArray();
        Assert.Equal([("hidden1.weight", "[784, 64]"), ("hidden1.bias", "[64]"), ("hidden2.weight", "[64, 32]"), ("hidden2.bias", "[32]")], names);
        var d1 = (Dense)result.Encoder["hidden1"];
        Assert.Equal(result.Rbms[0].Weight, d1.Weight.ToArray());
        Assert.Equal(result.Rbms[0].HiddenBias, d1.Bias!.ToArray());
        Assert.Equal("sigmoid", d1.Activation.Name);
        // and the stack computes p(h2 | p(h1 | v))
        var x = new float[2 * 784];
        train.GetBatch([0, 1], x, new int[2]);
        var h1 = new float[2 * 64]; var h2 = new float[2 * 32];
        result.Rbms[0].HiddenProbabilities(x, 2, h1);
        result.Rbms[1].HiddenProbabilities(h1, 2, h2);
        var y = result.Encoder.Predict(Tensor.FromArray(x, 2, 784)).ToArray();
        for (int k = 0; k < h2.Length; k++) Assert.Equal(h2[k], y[k], 4);
    }

    [Fact]
    public void PersistentChainsAndGaussianVisibleUnitsTrain()
    {
        var data = Digits(20);
        var pcd = new RbmPretrainer(new RbmOptions { HiddenSizes = [32], Epochs = 4, BatchSize = 25, Persistent = true, K = 2, Seed = 1 }).Pretrain(data);
        var err = pcd.Layers[0]["reconstruction_error"];
        Assert.True(err[^1] < err[0], $"PCD: {err[0]} -> {err[^1]}");

        var standardized = data.Subset(Enumerable.Range(0, data.Count).ToArray());
        standardized.Standardize();
        var gauss = new RbmPretrainer(new RbmOptions { HiddenSizes = [32], Epochs = 4, BatchSize = 25, VisibleUnits = VisibleUnits.Gaussian, LearningRate = 0.005f, Seed = 1 })
            .Pretrain(standardized, standardized);
        var g = gauss.Layers[0];
        Assert.True(g["reconstruction_error"][^1] < g["reconstruction_error"][0], $"Gaussian: {g["reconstruction_error"][0]} -> {g["reconstruction_error"][^1]}");
        Assert.False(g.Contains("pseudo_log_likelihood"));
        Assert.Equal(0.0, g["free_energy_gap"][^1], 6); // the same data on both sides
    }
}
