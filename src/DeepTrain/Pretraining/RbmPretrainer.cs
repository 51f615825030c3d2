using System.Diagnostics;
using System.Globalization;
using DeepTrain.Data;
using DeepTrain.Layers;
using DeepTrain.Tensors;
using DeepTrain.Training;

namespace DeepTrain.Pretraining;

/// <summary>
/// Greedy layer-wise RBM pretraining, a deep belief net (Hinton, Osindero and Teh 2006): RBM 1 is trained on the
/// data, RBM 2 on RBM 1's hidden probabilities p(h | v), and so on, each by CD-k or PCD
/// (<see cref="ContrastiveDivergence"/>). The stack then initializes Dense layers <c>hidden1..N</c> with sigmoid
/// units, W and the hidden biases c copied as they are (Dense's weight is [inputs, units], the RBM's [visible, hidden]).
/// </summary>
/// <remarks>
/// Each RBM's history holds, per epoch, measured on a fixed subset of its training data (and of the held-out data,
/// passed up the same stack, with the <c>val_</c> prefix): <c>reconstruction_error</c> (mean-field, per element),
/// <c>pseudo_log_likelihood</c> (Bernoulli visible units only, stochastic estimate per example),
/// <c>free_energy</c> (mean F(v)), and with held-out data <c>free_energy_gap</c> = mean F(held-out) − mean F(train),
/// which grows when the RBM starts to overfit (Hinton 2010, §6); and <c>seconds</c>.
/// </remarks>
public sealed class RbmPretrainer
{
    /// <summary>Makes a pretrainer with the given settings (default settings when null).</summary>
    public RbmPretrainer(RbmOptions? options = null) => Options = options ?? new RbmOptions();

    /// <summary>The settings.</summary>
    public RbmOptions Options { get; }

    /// <summary>Pretrains the stack on <paramref name="train"/> (labels ignored), monitoring <paramref name="validation"/> too when given.</summary>
    /// <exception cref="ArgumentException">An option is invalid, or Bernoulli visible units meet data outside [0, 1].</exception>
    /// <exception cref="TrainingDivergedException">The weights became NaN or infinite (lower the learning rate).</exception>
    public RbmPretrainResult Pretrain(Dataset train, Dataset? validation = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        var o = Options;
        o.Validate();
        if (train.Count == 0) throw new ArgumentException("the training data is empty");
        if (validation is not null && validation.Features != train.Features)
            throw new ArgumentException($"the validation data has {validation.Features} features but the training data has {train.Features}");
        if (o.VisibleUnits == VisibleUnits.Bernoulli)
        {
            var (min, max) = LayerData.Range(train);
            if (min < 0f || max > 1f)
                throw new ArgumentException(FormattableString.Invariant(
                    $"Bernoulli visible units need data in [0, 1], but the training data range over [{min:G4}, {max:G4}]; use VisibleUnits.Gaussian for standardized data"));
        }

        var encoder = new Sequential(train.Features, (ulong)(uint)o.Seed);
        var histories = new List<History>();
        var rbms = new List<Rbm>();
        Dataset input = train;
        Dataset? heldOut = validation;
        for (int layer = 0; layer < o.HiddenSizes.Count; layer++)
        {
            var rng = new Rng((ulong)(uint)o.Seed * 0x9E3779B97F4A7C15UL + (ulong)layer + 1);
            var rbm = new Rbm(input.Features, o.HiddenSizes[layer], layer == 0 ? o.VisibleUnits : VisibleUnits.Bernoulli);
            rbm.Initialize(rng, LayerData.ColumnMeans(input));
            var cd = new ContrastiveDivergence(rbm, rng, o.LearningRate, o.K, o.Persistent, o.Momentum, o.WeightDecay);
            histories.Add(TrainLayer(cd, input, heldOut, $"hidden{layer + 1}", o, o.Seed + 7919 * (layer + 1)));
            rbms.Add(rbm);

            var dense = new Dense(rbm.Hidden, Activation.Sigmoid, name: $"hidden{layer + 1}");
            encoder.Add(dense);
            rbm.CopyTo(dense);
            if (layer + 1 < o.HiddenSizes.Count)
            {
                LayerData.RowMap up = rbm.HiddenProbabilities;
                input = LayerData.Map(input, rbm.Hidden, 512, up);
                if (heldOut is not null) heldOut = LayerData.Map(heldOut, rbm.Hidden, 512, up);
            }
        }
        return new RbmPretrainResult(encoder, histories, rbms);
    }

    private static History TrainLayer(ContrastiveDivergence cd, Dataset input, Dataset? heldOut, string name, RbmOptions o, int seed)
    {
        var rbm = cd.Rbm;
        var history = new History();
        var trainSample = LayerData.ReadAll(LayerData.Sample(input, o.MonitorRows, seed));
        (float[] X, int Rows)? heldSample = heldOut is null ? null : LayerData.ReadAll(LayerData.Sample(heldOut, o.MonitorRows, seed));
        var monitorRng = new Rng((ulong)(uint)seed ^ 0x5EEDUL);
        var iterator = new BatchIterator(input.Count, o.BatchSize, shuffle: true, seed);
        var x = new float[o.BatchSize * input.Features];
        var labels = new int[o.BatchSize];
        for (int epoch = 0; epoch < o.Epochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            foreach (var batch in iterator.NextEpoch())
            {
                int rows = batch.Length;
                input.GetBatch(batch, x.AsSpan(0, rows * input.Features), labels.AsSpan(0, rows));
                cd.Step(x, rows);
            }
            double seconds = clock.Elapsed.TotalSeconds;
            var logs = new Dictionary<string, double>();
            Measure(rbm, trainSample, "", logs, monitorRng);
            if (heldSample is not null)
            {
                Measure(rbm, heldSample.Value, "val_", logs, monitorRng);
                logs["free_energy_gap"] = logs["val_free_energy"] - logs["free_energy"];
            }
            logs["seconds"] = seconds;
            if (!double.IsFinite(logs["reconstruction_error"]))
                throw new TrainingDivergedException(
                    $"RBM {name} diverged in epoch {epoch + 1}: the reconstruction error became {logs["reconstruction_error"]}; " +
                    $"lower the learning rate (now {o.LearningRate}; 0.001-0.01 suits Gaussian visible units) or the momentum", cd.Steps);
            history.Add(logs);
            o.Output?.WriteLine(Line(name, epoch, o.Epochs, logs));
        }
        return history;
    }

    private static void Measure(Rbm rbm, (float[] X, int Rows) data, string prefix, Dictionary<string, double> logs, Rng rng)
    {
        var (x, rows) = data;
        logs[prefix + "reconstruction_error"] = rbm.ReconstructionError(x, rows);
        if (rbm.VisibleUnits == VisibleUnits.Bernoulli) logs[prefix + "pseudo_log_likelihood"] = rbm.PseudoLogLikelihood(x, rows, rng);
        var f = new float[rows];
        rbm.FreeEnergy(x, rows, f);
        double sum = 0;
        foreach (var v in f) sum += v;
        logs[prefix + "free_energy"] = rows == 0 ? double.NaN : sum / rows;
    }

    private static string Line(string name, int epoch, int epochs, Dictionary<string, double> logs)
    {
        var sb = new System.Text.StringBuilder(FormattableString.Invariant($"{name} epoch {epoch + 1}/{epochs}:"));
        foreach (var (k, v) in logs)
            sb.Append(CultureInfo.InvariantCulture, $" {k} {(k == "seconds" ? v.ToString("F1", CultureInfo.InvariantCulture) : v.ToString("G5", CultureInfo.InvariantCulture))}");
        return sb.ToString();
    }
}
