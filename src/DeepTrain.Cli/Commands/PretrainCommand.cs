using System.ComponentModel;
using System.Globalization;
using DeepTrain.Checkpoints;
using DeepTrain.Cli.Plots;
using DeepTrain.Data;
using DeepTrain.Layers;
using DeepTrain.Pretraining;
using Spectre.Console.Cli;

namespace DeepTrain.Cli.Commands;

/// <summary>
/// <c>deeptrain pretrain</c>: greedy layer-wise unsupervised pretraining (autoencoders or RBMs) on the training
/// images, labels ignored; saves the stack of hidden layers for <c>train --init-from</c>.
/// </summary>
public sealed class PretrainCommand : Command<PretrainCommand.Settings>
{
    /// <summary>The command's options.</summary>
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--data <DATA>")] [Description("'digits' (default), 'fashion-mnist', a directory of IDX files or a .csv file")]
        public string Data { get; set; } = "digits";
        [CommandOption("--method <METHOD>")] [Description("autoencoder (default) or rbm")]
        public string Method { get; set; } = "autoencoder";
        [CommandOption("--hidden <SIZES>")] [Description("Hidden layer widths (default 300,100)")]
        public string Hidden { get; set; } = "300,100";
        [CommandOption("--epochs <N>")] [Description("Epochs per layer (default 10)")]
        public int Epochs { get; set; } = 10;
        [CommandOption("--batch-size <N>")] [Description("Batch size (default 64)")]
        public int BatchSize { get; set; } = 64;
        [CommandOption("--lr <RATE>")] [Description("Learning rate (autoencoder: the optimizer's default; rbm: 0.05)")]
        public float? LearningRate { get; set; }
        [CommandOption("--noise <SPEC>")] [Description("autoencoder: none, gaussian:SIGMA or masking:P (denoising)")]
        public string Noise { get; set; } = "none";
        [CommandOption("--untied")] [Description("autoencoder: a separate decoder weight instead of the encoder's transpose")]
        public bool Untied { get; set; }
        [CommandOption("--loss <LOSS>")] [Description("autoencoder: cross-entropy (inputs in [[0, 1]], default) or mse")]
        public string Loss { get; set; } = "cross-entropy";
        [CommandOption("--cd-k <K>")] [Description("rbm: Gibbs steps of CD-k (default 1)")]
        public int K { get; set; } = 1;
        [CommandOption("--persistent")] [Description("rbm: persistent contrastive divergence")]
        public bool Persistent { get; set; }
        [CommandOption("--gaussian-visible")] [Description("rbm: Gaussian visible units (standardize the data first)")]
        public bool GaussianVisible { get; set; }
        [CommandOption("--seed <N>")]
        public int Seed { get; set; } = 42;
        [CommandOption("--out <FILE>")] [Description("The pretrained model file (required)")]
        public string? Out { get; set; }
        [CommandOption("--plot <DIR>")] [Description("Write first-layer features and reconstructions as PNG grids")]
        public string? Plot { get; set; }
    }

    /// <inheritdoc/>
    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        if (s.Out is null) throw new CliException("pretrain needs --out FILE for the pretrained model");
        var hidden = TrainingSetup.ParseSizes(s.Hidden, "--hidden");
        var (train, _) = s.Data.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) ? (Dataset.FromCsv(s.Data), (Dataset?)null) : KnownDatasets.Load(s.Data);
        var (fit, monitor) = train.Split(1.0 / 12, s.Seed);
        Console.WriteLine($"pretraining {s.Method} {train.Features}-{string.Join("-", hidden)} on {fit.Count:N0} unlabelled images of {s.Data} ({monitor.Count:N0} held out), {s.Epochs} epochs per layer");
        PretrainResult result = s.Method.ToLowerInvariant() switch
        {
            "autoencoder" or "ae" => new AutoencoderPretrainer(new AutoencoderOptions
            {
                HiddenSizes = hidden, Epochs = s.Epochs, BatchSize = s.BatchSize, LearningRate = s.LearningRate, Seed = s.Seed,
                TiedWeights = !s.Untied, Corruption = Corruption.Parse(s.Noise), Output = Console.Out,
                Loss = s.Loss.ToLowerInvariant() switch
                {
                    "cross-entropy" or "crossentropy" or "bce" => ReconstructionLoss.CrossEntropy,
                    "mse" => ReconstructionLoss.MeanSquaredError,
                    _ => throw new CliException($"--loss must be cross-entropy or mse: got '{s.Loss}'"),
                },
            }).Pretrain(fit, monitor),
            "rbm" => new RbmPretrainer(new RbmOptions
            {
                HiddenSizes = hidden, Epochs = s.Epochs, BatchSize = s.BatchSize, LearningRate = s.LearningRate ?? 0.05f, Seed = s.Seed,
                K = s.K, Persistent = s.Persistent, VisibleUnits = s.GaussianVisible ? VisibleUnits.Gaussian : VisibleUnits.Bernoulli, Output = Console.Out,
            }).Pretrain(fit, monitor),
            _ => throw new CliException($"--method must be autoencoder or rbm: got '{s.Method}'"),
        };
        ModelFile.Save(s.Out, result.Encoder);
        Console.WriteLine($"saved the pretrained stack ({string.Join(", ", result.Encoder.Layers.Select(l => l.Name))}) to {s.Out}");
        Console.WriteLine($"fine-tune it with: deeptrain train --data {s.Data} --init-from {s.Out} --hidden {s.Hidden} --activation {ActivationOf(result.Encoder)} --labels-per-class 100");
        if (s.Plot is not null && train.Features == 784)
        {
            Directory.CreateDirectory(s.Plot);
            string f = Path.Combine(s.Plot, "features.png");
            ImageGrid.SavePng(f, FeatureImages.FirstLayerFeatures(result.Encoder, Math.Min(100, hidden[0])), columns: 10, title: $"{s.Method}: hidden1 features");
            var (inputs, recon) = FeatureImages.Reconstructions(result, monitor, 10);
            string r = Path.Combine(s.Plot, "reconstructions.png");
            ImageGrid.SavePng(r, [.. inputs, .. recon], columns: 10, title: "inputs (top) and reconstructions (bottom)");
            Console.WriteLine($"wrote {f}");
            Console.WriteLine($"wrote {r}");
        }
        else if (s.Plot is not null) Console.WriteLine("--plot draws 28x28 images; this data has " + train.Features.ToString(CultureInfo.InvariantCulture) + " features, so no pictures were written");
        return 0;
    }

    private static string ActivationOf(Sequential encoder) => encoder.Layers.OfType<Dense>().First().Activation.Name;
}
