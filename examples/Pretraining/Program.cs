// Semi-supervised Fashion-MNIST: 100 labelled images per class, the rest of the training set unlabelled.
// Compares random initialization with greedy autoencoder and RBM pretraining, each fine-tuned with the same
// network (784-300-100-10, sigmoid hidden units) and the same budget (Adam, same epochs, batch and learning rate),
// plus the modern baseline (ELU + He initialization, no pretraining) for reference.
//
//   apt-get install -y dataset-fashion-mnist
//   dotnet run -c Release --project examples/Pretraining            (add --quick for a smoke run on small subsets,
//                                                                    --plots DIR to write the filters and reconstructions as PNG)
using System.Diagnostics;
using DeepTrain.Data;
using DeepTrain.Diagnostics;
using DeepTrain.Cli.Plots;
using DeepTrain.Init;
using DeepTrain.Layers;
using DeepTrain.Optimizers;
using DeepTrain.Pretraining;
using DeepTrain.Training;

bool quick = args.Contains("--quick");
int plotsAt = Array.IndexOf(args, "--plots");
string? plots = plotsAt >= 0 && plotsAt + 1 < args.Length ? args[plotsAt + 1] : null;
int[] hidden = [300, 100];
int pretrainEpochs = quick ? 1 : 10;
int fineTuneEpochs = quick ? 4 : 50;
int[] checkpoints = quick ? [2, 4] : [10, 25, 50];
int[] seeds = quick ? [1] : [1, 2, 3];

var (train, test) = KnownDatasets.Load(KnownDatasets.FashionMnistName);
if (quick) { train = train.TakePerClass(300, 9); test = test.TakePerClass(100, 9); }
var labelled = train.TakePerClass(100, seed: 42);
// Pretraining ignores labels, so the unlabelled pool is the whole training set; 5,000 images are held out to monitor it.
var (unlabelled, heldOut) = train.Split(quick ? 300 : 5000, seed: 7);
Console.WriteLine($"labelled: {labelled.Count}, unlabelled: {unlabelled.Count} (+{heldOut.Count} held out), test: {test.Count}");

var clock = Stopwatch.StartNew();
var ae = new AutoencoderPretrainer(new AutoencoderOptions
{
    HiddenSizes = hidden, Activation = Activation.Sigmoid, TiedWeights = true, Corruption = Corruption.Masking(0.25f),
    Loss = ReconstructionLoss.CrossEntropy, Epochs = pretrainEpochs, BatchSize = 64, Optimizer = "adam", LearningRate = 0.001f,
    Seed = 11, Output = Console.Out,
}).Pretrain(unlabelled, heldOut);
double aeSeconds = clock.Elapsed.TotalSeconds;

clock.Restart();
var rbm = new RbmPretrainer(new RbmOptions
{
    HiddenSizes = hidden, VisibleUnits = VisibleUnits.Bernoulli, K = 1, Persistent = false, LearningRate = 0.05f,
    Momentum = 0.5f, WeightDecay = 1e-4f, Epochs = pretrainEpochs, BatchSize = 64, Seed = 11, Output = Console.Out,
}).Pretrain(unlabelled, heldOut);
double rbmSeconds = clock.Elapsed.TotalSeconds;

if (plots is not null)
{
    ImageGrid.SavePng(Path.Combine(plots, "ae_filters.png"), FeatureImages.FirstLayerFeatures(ae.Encoder, 100), columns: 10, title: "autoencoder: hidden1 filters");
    ImageGrid.SavePng(Path.Combine(plots, "rbm_filters.png"), FeatureImages.FirstLayerFeatures(rbm.Encoder, 100), columns: 10, title: "RBM: hidden1 filters");
    var (inputs, aeOut) = FeatureImages.Reconstructions(ae, heldOut, 10);
    var (_, rbmOut) = FeatureImages.Reconstructions(rbm, heldOut, 10);
    ImageGrid.SavePng(Path.Combine(plots, "reconstructions.png"), [.. inputs, .. aeOut, .. rbmOut], columns: 10,
                      title: "held-out inputs; autoencoder stack; RBM stack");
    Console.WriteLine($"wrote ae_filters.png, rbm_filters.png and reconstructions.png to {Path.GetFullPath(plots)}");
}

var rows = new List<(string Name, double Seconds, double[][] Accuracy)>
{
    ("random init (sigmoid, Glorot)", 0, Run(s => new MlpBuilder { Hidden = hidden, Activation = Activation.Sigmoid, Initializer = Initializer.GlorotUniform }.Build(784, 10, (ulong)s))),
    ("autoencoder pretraining", aeSeconds, Run(s => FineTuning.WithOutput(ae.Encoder, 10, (ulong)s))),
    ("RBM (DBN) pretraining", rbmSeconds, Run(s => FineTuning.WithOutput(rbm.Encoder, 10, (ulong)s))),
    ("reference: random init (ELU, He)", 0, Run(s => new MlpBuilder { Hidden = hidden, Activation = Activation.Elu(), Initializer = Initializer.HeNormal }.Build(784, 10, (ulong)s))),
};

Console.WriteLine();
Console.WriteLine($"Test accuracy on {test.Count} Fashion-MNIST images after fine-tuning on {labelled.Count} labelled ones (Adam 1e-3, batch 32; mean ± sd over seeds {string.Join(",", seeds)})");
Console.WriteLine($"| method | pretraining s | {string.Join(" | ", checkpoints.Select(c => $"epoch {c}"))} |");
Console.WriteLine($"|---|---|{string.Concat(checkpoints.Select(_ => "---|"))}");
foreach (var (name, seconds, acc) in rows)
    Console.WriteLine($"| {name} | {seconds:F0} | {string.Join(" | ", acc.Select(a => $"{a.Average():F4} ± {Sd(a):F4}"))} |");
Console.WriteLine($"AE final reconstruction error per layer: {string.Join(", ", ae.Final("reconstruction_error").Select(v => v.ToString("F4")))}; " +
                  $"RBM: {string.Join(", ", rbm.Final("reconstruction_error").Select(v => v.ToString("F4")))}");

// Fine-tunes one model per seed; returns the test accuracy at each checkpoint epoch, one array of seeds per checkpoint.
double[][] Run(Func<int, Sequential> make)
{
    var result = checkpoints.Select(_ => new double[seeds.Length]).ToArray();
    for (int s = 0; s < seeds.Length; s++)
    {
        var model = make(seeds[s]);
        var probe = new TestProbe(test, checkpoints);
        model.Fit(labelled, null, new FitOptions
        {
            Optimizer = new Adam(model.Parameters(), 0.001f), Epochs = fineTuneEpochs, BatchSize = 32, Seed = seeds[s],
            Progress = ProgressMode.None, Callbacks = [probe],
        });
        for (int c = 0; c < checkpoints.Length; c++) result[c][s] = probe.Accuracy[c];
    }
    return result;
}

static double Sd(double[] a)
{
    if (a.Length < 2) return 0;
    double m = a.Average();
    return Math.Sqrt(a.Sum(v => (v - m) * (v - m)) / (a.Length - 1));
}

// Measures test accuracy at fixed epochs; it only observes (no early stopping, nothing chosen on the test set).
sealed class TestProbe(Dataset test, int[] epochs) : Callback
{
    public double[] Accuracy { get; } = new double[epochs.Length];

    public override void OnEpochEnd(TrainingContext context, IReadOnlyDictionary<string, double> logs)
    {
        int k = Array.IndexOf(epochs, context.Epoch + 1);
        if (k >= 0) Accuracy[k] = context.Model.Evaluate(test).Accuracy;
    }
}
