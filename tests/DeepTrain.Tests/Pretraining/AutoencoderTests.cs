using DeepTrain.Autograd;
using DeepTrain.Data;
using DeepTrain.Layers;
using DeepTrain.Optimizers;
using DeepTrain.Pretraining;
using DeepTrain.Tensors;
using DeepTrain.Training;

namespace DeepTrain.Tests.Pretraining;

public class AutoencoderTests
{
    private static Dataset Digits(int perClass) => KnownDatasets.Load("digits").Train.TakePerClass(perClass, 1);

    private static (Sequential Stack, Dense Layer) SmallEncoder(int inputs, int units, ulong seed = 3)
    {
        var stack = new Sequential(inputs, seed) { new Dense(units, Activation.Sigmoid, name: "hidden1") };
        return (stack, (Dense)stack["hidden1"]);
    }

    [Fact]
    public void TiedWeightsAreOneTensorAndTheDecoderSeesItsUpdates()
    {
        var (_, dense) = SmallEncoder(784, 16);
        var ae = new Autoencoder(dense, tiedWeights: true, ReconstructionLoss.CrossEntropy);
        var named = ae.NamedParameters().ToArray();
        Assert.Equal(["decoder_bias", "hidden1.weight", "hidden1.bias"], named.Select(p => p.Name));
        Assert.Single(named, p => p.Value.Shape.Rank == 2);
        Assert.Same(dense.Weight, named[1].Value);
        Assert.Null(ae.DecoderWeight);

        var data = Digits(5);
        var before = dense.Weight.ToArray();
        ae.Fit(data, null, new FitOptions { Optimizer = new Adam(ae.Parameters(), 0.01f), Loss = ae.TrainingLoss, Metrics = [], Epochs = 2, BatchSize = 10, Progress = ProgressMode.None });
        Assert.NotEqual(before, dense.Weight.ToArray());

        // after training, the reconstruction is σ(σ(xW + b)·Wᵀ + b′) with the encoder's current W
        var x = new float[3 * 784];
        data.GetBatch([0, 1, 2], x, new int[3]);
        var got = ae.Predict(Tensor.FromArray(x, 3, 784)).ToArray(); // logits
        var w = dense.Weight.ToArray(); var b = dense.Bias!.ToArray(); var b2 = ae.DecoderBias.ToArray();
        for (int r = 0; r < 3; r++)
        {
            var h = new double[16];
            for (int j = 0; j < 16; j++)
            {
                double z = b[j];
                for (int i = 0; i < 784; i++) z += x[r * 784 + i] * w[i * 16 + j];
                h[j] = 1 / (1 + Math.Exp(-z));
            }
            for (int i = 0; i < 784; i += 37)
            {
                double z = b2[i];
                for (int j = 0; j < 16; j++) z += h[j] * w[i * 16 + j];
                Assert.Equal(z, got[r * 784 + i], 3);
            }
        }
        // changing the encoder's weight changes the decoder at once
        dense.Weight.Data.Fill(0f);
        var zeroed = ae.Predict(Tensor.FromArray(x, 3, 784)).ToArray();
        for (int i = 0; i < 784; i++) Assert.Equal(b2[i], zeroed[i], 5);
    }

    [Fact]
    public void TheTiedWeightGetsTheGradientOfBothItsUses()
    {
        var (_, dense) = SmallEncoder(5, 3);
        var ae = new Autoencoder(dense, tiedWeights: true, ReconstructionLoss.MeanSquaredError);
        ae.Eval();
        var x = Tensor.Uniform(new Shape(4, 5), 0f, 1f, new Rng(9));
        var result = GradCheck.Check(t => ae.Forward(x), [dense.Weight, dense.Bias!, ae.DecoderBias]);
        Assert.True(result.Passed, result.Detail);
    }

    [Fact]
    public void UntiedDecodersHaveTheirOwnWeight()
    {
        var (_, dense) = SmallEncoder(6, 3);
        var ae = new Autoencoder(dense, tiedWeights: false, ReconstructionLoss.MeanSquaredError, rng: new Rng(1));
        Assert.Equal(["decoder_weight", "decoder_bias", "hidden1.weight", "hidden1.bias"], ae.NamedParameters().Select(p => p.Name));
        Assert.Equal(new Shape(3, 6), ae.DecoderWeight!.Shape);
        ae.Eval();
        var x = Tensor.Uniform(new Shape(2, 6), 0f, 1f, new Rng(2));
        Assert.True(GradCheck.Check(t => ae.Forward(x), [dense.Weight, ae.DecoderWeight]).Passed);
    }

    [Fact]
    public void CorruptionAppliesInTrainingModeOnly()
    {
        var x = Tensor.Full(1f, 200, 50);
        var masked = Corruption.Masking(0.3f).Apply(x, new Rng(4)).ToArray();
        Assert.All(masked, v => Assert.True(v == 0f || v == 1f));
        Assert.InRange(masked.Count(v => v == 0f) / (double)masked.Length, 0.27, 0.33);
        var noisy = Corruption.Gaussian(0.5f).Apply(x, new Rng(4)).ToArray();
        double mean = noisy.Average(), sd = Math.Sqrt(noisy.Average(v => (v - mean) * (v - mean)));
        Assert.InRange(mean, 0.97, 1.03);
        Assert.InRange(sd, 0.47, 0.53);
        Assert.Equal("masking:0.25", Corruption.Parse("Masking:0.25").Name);
        Assert.Same(Corruption.None, Corruption.Parse("none"));
        Assert.Contains("valid forms", Assert.Throws<ArgumentException>(() => Corruption.Parse("salt")).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Corruption.Masking(1f));

        var (_, dense) = SmallEncoder(50, 4);
        var ae = new Autoencoder(dense, corruption: Corruption.Masking(0.5f));
        var input = Tensor.Uniform(new Shape(3, 50), 0.1f, 1f, new Rng(5));
        ae.Eval();
        var a = ae.Forward(input).ToArray();
        Assert.Equal(a, ae.Forward(input).ToArray()); // no noise at inference
        ae.Train();
        Assert.NotEqual(a, ae.Forward(input).ToArray());
    }

    [Fact]
    public void PretrainingLowersTheReconstructionErrorEpochAfterEpoch()
    {
        var data = Digits(30); // 300 real digits
        var (train, heldOut) = data.Split(60, 2);
        var options = new AutoencoderOptions
        {
            HiddenSizes = [64, 32], Epochs = 5, BatchSize = 20, LearningRate = 0.005f, Corruption = Corruption.Masking(0.2f), Seed = 3,
        };
        var result = new AutoencoderPretrainer(options).Pretrain(train, heldOut);
        Assert.Equal(2, result.Layers.Count);
        foreach (var (layer, k) in result.Layers.Select((h, k) => (h, k)))
        {
            var error = layer["reconstruction_error"];
            Assert.Equal(5, error.Count);
            for (int e = 1; e < error.Count; e++) Assert.True(error[e] < error[e - 1], $"hidden{k + 1} epoch {e + 1}: {error[e]} is not below {error[e - 1]}");
            Assert.True(layer["val_reconstruction_error"][^1] < layer["val_reconstruction_error"][0]);
            Assert.True(layer["loss"][^1] < layer["loss"][0]);
        }
        var names = result.Encoder.NamedParameters().Select(p => (p.Name, p.Value.Shape.ToString())).ToArray();
        Assert.Equal([("hidden1.weight", "[784, 64]"), ("hidden1.bias", "[64]"), ("hidden2.weight", "[64, 32]"), ("hidden2.bias", "[32]")], names);
        Assert.Same(result.Autoencoders[1].Encoder, result.Encoder["hidden2"]);

        var x = new float[2 * 784];
        heldOut.GetBatch([0, 1], x, new int[2]);
        var r = result.Reconstruct(x, 2);
        Assert.Equal(2 * 784, r.Length);
        Assert.All(r, v => Assert.InRange(v, 0f, 1f));
    }

    [Fact]
    public void CrossEntropyRefusesInputsOutsideTheUnitInterval()
    {
        var data = Digits(3);
        data.Standardize();
        var e = Assert.Throws<ArgumentException>(() => new AutoencoderPretrainer(new AutoencoderOptions { HiddenSizes = [8], Epochs = 1 }).Pretrain(data));
        Assert.Contains("[0, 1]", e.Message);
        var mse = new AutoencoderPretrainer(new AutoencoderOptions { HiddenSizes = [8], Epochs = 2, Loss = ReconstructionLoss.MeanSquaredError, Activation = Activation.Elu(), TiedWeights = false })
            .Pretrain(data);
        Assert.True(mse.Layers[0]["reconstruction_error"][^1] < mse.Layers[0]["reconstruction_error"][0]);
        Assert.Throws<ArgumentException>(() => new AutoencoderPretrainer(new AutoencoderOptions { Optimizer = "adamm" }).Pretrain(data));
    }
}
