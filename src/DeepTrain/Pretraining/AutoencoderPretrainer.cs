using System.Globalization;
using DeepTrain.Data;
using DeepTrain.Layers;
using DeepTrain.Optimizers;
using DeepTrain.Tensors;
using DeepTrain.Training;

namespace DeepTrain.Pretraining;

/// <summary>
/// Greedy layer-wise autoencoder pretraining (Bengio et al. 2007; denoising: Vincent et al. 2010). Layer k is
/// trained as an <see cref="Autoencoder"/> to reconstruct its input: the data for layer 1, and for layer k &gt; 1 the
/// codes of the already-trained layers beneath it, computed once in inference mode and frozen. The trained
/// encoders, stacked, form <see cref="PretrainResult.Encoder"/> (<c>hidden1..N</c>), to which
/// <see cref="FineTuning.WithOutput"/> adds an output layer for supervised fine-tuning with <c>Fit</c>.
/// <code>
/// var result = new AutoencoderPretrainer(new AutoencoderOptions { HiddenSizes = [300, 100], Corruption = Corruption.Masking(0.25) })
///     .Pretrain(unlabelled);
/// var model = FineTuning.WithOutput(result.Encoder, classes: 10);
/// model.Fit(labelled, null, new FitOptions { Optimizer = new Adam(model.Parameters()) });
/// </code>
/// </summary>
public sealed class AutoencoderPretrainer
{
    /// <summary>Makes a pretrainer with the given settings (default settings when null).</summary>
    public AutoencoderPretrainer(AutoencoderOptions? options = null) => Options = options ?? new AutoencoderOptions();

    /// <summary>The settings.</summary>
    public AutoencoderOptions Options { get; }

    /// <summary>
    /// Pretrains the stack on <paramref name="train"/> (labels ignored), reporting the reconstruction error of
    /// <paramref name="validation"/> too when given.
    /// </summary>
    /// <exception cref="ArgumentException">An option is invalid, or the cross-entropy loss meets inputs outside [0, 1].</exception>
    public AutoencoderPretrainResult Pretrain(Dataset train, Dataset? validation = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        var o = Options;
        o.Validate();
        if (train.Count == 0) throw new ArgumentException("the training data is empty");
        if (validation is not null && validation.Features != train.Features)
            throw new ArgumentException($"the validation data has {validation.Features} features but the training data has {train.Features}");

        var encoder = new Sequential(train.Features, (ulong)(uint)o.Seed);
        for (int i = 0; i < o.HiddenSizes.Count; i++)
            encoder.Add(new Dense(o.HiddenSizes[i], o.Activation, o.Initializer, name: $"hidden{i + 1}"));

        var histories = new List<History>();
        var autoencoders = new List<Autoencoder>();
        Dataset input = train;
        Dataset? heldOut = validation;
        for (int layer = 0; layer < o.HiddenSizes.Count; layer++)
        {
            var dense = (Dense)encoder.Layers[layer];
            if (o.Loss == ReconstructionLoss.CrossEntropy) CheckUnitRange(input, layer, "training");
            var ae = new Autoencoder(dense, o.TiedWeights, o.Loss, o.Corruption, new Rng((ulong)(uint)o.Seed * 31 + (ulong)layer + 1));
            var monitor = new Monitor(ae, LayerData.Sample(input, o.MonitorRows, o.Seed + layer), heldOut, dense.Name, o);
            var optimizer = OptimizerFactory.Create(o.Optimizer, ae.Parameters(), new OptimizerOptions { LearningRate = o.LearningRate });
            var fit = ae.Fit(input, null, new FitOptions
            {
                Optimizer = optimizer,
                Loss = ae.TrainingLoss,
                Metrics = [],
                Callbacks = [monitor],
                Epochs = o.Epochs,
                BatchSize = o.BatchSize,
                Seed = o.Seed + 7919 * (layer + 1),
                Progress = ProgressMode.None,
            });
            histories.Add(monitor.ToHistory(fit));
            autoencoders.Add(ae);
            if (layer + 1 < o.HiddenSizes.Count)
            {
                input = LayerData.Codes(dense, dense.Units, input);
                if (heldOut is not null) heldOut = LayerData.Codes(dense, dense.Units, heldOut);
            }
        }
        encoder.Train();
        return new AutoencoderPretrainResult(encoder, histories, autoencoders);
    }

    private static void CheckUnitRange(Dataset data, int layer, string what)
    {
        var (min, max) = LayerData.Range(data);
        if (min < 0f || max > 1f)
            throw new ArgumentException(
                $"the cross-entropy reconstruction loss needs inputs in [0, 1], but the {what} inputs of layer hidden{layer + 1} range over " +
                $"[{min.ToString("G4", CultureInfo.InvariantCulture)}, {max.ToString("G4", CultureInfo.InvariantCulture)}]; " +
                "use ReconstructionLoss.MeanSquaredError, unstandardized pixels, or a sigmoid encoder activation");
    }

    // Measures the clean reconstruction error after each epoch, and prints the epoch's line.
    private sealed class Monitor(Autoencoder ae, Dataset sample, Dataset? heldOut, string name, AutoencoderOptions o) : Callback
    {
        private readonly List<double> _train = new(), _val = new();

        public override void OnEpochEnd(TrainingContext context, IReadOnlyDictionary<string, double> logs)
        {
            _train.Add(ae.ReconstructionError(sample));
            if (heldOut is not null) _val.Add(ae.ReconstructionError(heldOut));
            if (o.Output is null) return;
            string val = heldOut is null ? "" : FormattableString.Invariant($", held-out {_val[^1]:F5}");
            o.Output.WriteLine(FormattableString.Invariant(
                $"{name} epoch {context.Epoch + 1}/{o.Epochs}: loss {logs["loss"]:F5}, reconstruction error {_train[^1]:F5}{val} ({logs["seconds"]:F1}s)"));
        }

        public History ToHistory(History fit)
        {
            var h = new History();
            for (int e = 0; e < fit.Epochs; e++)
            {
                var logs = new Dictionary<string, double>
                {
                    ["loss"] = fit["loss"][e],
                    ["reconstruction_error"] = _train[e],
                };
                if (heldOut is not null) logs["val_reconstruction_error"] = _val[e];
                logs["seconds"] = fit["seconds"][e];
                h.Add(logs);
            }
            return h;
        }
    }
}
