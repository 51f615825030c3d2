using System.ComponentModel;
using Spectre.Console.Cli;

namespace DeepTrain.Cli.Commands;

/// <summary>The options of <c>deeptrain train</c> (and of the commands that train like it).</summary>
public class TrainSettings : CommandSettings
{
    // ---- data ----
    [CommandOption("--data <DATA>")]
    [Description("'digits' (bundled, default), 'fashion-mnist', a directory of IDX files, or a .csv file")]
    public string Data { get; set; } = "digits";

    [CommandOption("--label-column <COLUMN>")]
    [Description("CSV: the label column, by name or index (default: the last)")]
    public string? LabelColumn { get; set; }

    [CommandOption("--test-data <FILE>")]
    [Description("CSV: a separate test file")]
    public string? TestData { get; set; }

    [CommandOption("--test-fraction <F>")]
    [Description("CSV without --test-data: the fraction held out for testing (default 0.2)")]
    public double TestFraction { get; set; } = 0.2;

    [CommandOption("--validation-fraction <F>")]
    [Description("Fraction of the training data held out for validation (default 1/12: 5,000 of Fashion-MNIST's 60,000)")]
    public double ValidationFraction { get; set; } = 1.0 / 12;

    [CommandOption("--classes <LIST>")]
    [Description("Keep only these classes, relabelled 0..k-1 (e.g. 0,1,2,3,4 or 5-9)")]
    public string? Classes { get; set; }

    [CommandOption("--labels-per-class <N>")]
    [Description("Keep only N labelled training examples per class")]
    public int? LabelsPerClass { get; set; }

    [CommandOption("--standardize")]
    [Description("Standardize each feature with the training data's mean and deviation")]
    public bool Standardize { get; set; }

    // ---- model ----
    [CommandOption("--hidden <SIZES>")]
    [Description("Hidden layer widths (default 300,100)")]
    public string Hidden { get; set; } = "300,100";

    [CommandOption("--activation <NAME>")]
    [Description("sigmoid|tanh|relu|leaky_relu[[:a]]|elu[[:a]]|selu|softplus|rrelu (default elu)")]
    public string Activation { get; set; } = "elu";

    [CommandOption("--init <NAME>")]
    [Description("he|he_uniform|glorot|glorot_normal|lecun|lecun_uniform|normal1 (default he)")]
    public string Init { get; set; } = "he";

    [CommandOption("--batch-norm")]
    [Description("BatchNorm before each hidden activation")]
    public bool BatchNorm { get; set; }

    [CommandOption("--bn-momentum <M>")]
    [Description("BatchNorm moving-average momentum (default 0.99)")]
    public float BnMomentum { get; set; } = 0.99f;

    [CommandOption("--dropout <RATE>")]
    [Description("Dropout rate after each hidden layer (default 0)")]
    public float Dropout { get; set; }

    [CommandOption("--l1 <F>")]
    [Description("L1 penalty on every weight matrix")]
    public float L1 { get; set; }

    [CommandOption("--l2 <F>")]
    [Description("L2 penalty on every weight matrix (Keras convention: l2·Σw²)")]
    public float L2 { get; set; }

    [CommandOption("--max-norm <C>")]
    [Description("Max-norm constraint on each unit's incoming weights")]
    public float? MaxNorm { get; set; }

    // ---- optimizer ----
    [CommandOption("--optimizer <NAME>")]
    [Description("sgd|momentum|nesterov|adagrad|rmsprop|adam|adamw|nadam|adamax (default adam)")]
    public string Optimizer { get; set; } = "adam";

    [CommandOption("--lr <RATE>")]
    [Description("Learning rate (default: the optimizer's)")]
    public float? LearningRate { get; set; }

    [CommandOption("--momentum <M>")]
    public float? Momentum { get; set; }

    [CommandOption("--beta1 <B>")]
    public float? Beta1 { get; set; }

    [CommandOption("--beta2 <B>")]
    public float? Beta2 { get; set; }

    [CommandOption("--epsilon <E>")]
    public float? Epsilon { get; set; }

    [CommandOption("--rho <R>")]
    public float? Rho { get; set; }

    [CommandOption("--weight-decay <L>")]
    public float? WeightDecay { get; set; }

    [CommandOption("--centered")]
    public bool Centered { get; set; }

    [CommandOption("--amsgrad")]
    public bool AmsGrad { get; set; }

    // ---- schedule ----
    [CommandOption("--schedule <NAME>")]
    [Description("piecewise|exponential|power|performance|cosine|onecycle (default: constant)")]
    public string? Schedule { get; set; }

    [CommandOption("--schedule-unit <UNIT>")]
    [Description("step|epoch: when the schedule advances (default step; performance is per epoch)")]
    public string ScheduleUnit { get; set; } = "step";

    [CommandOption("--decay-steps <N>")]
    [Description("exponential/power: r in η0·rate^(t/r) and η0·(1+t/r)^-c (default: one epoch of steps)")]
    public long? DecaySteps { get; set; }

    [CommandOption("--decay-rate <R>")]
    [Description("exponential: the rate (default 0.1)")]
    public double DecayRate { get; set; } = 0.1;

    [CommandOption("--staircase")]
    public bool Staircase { get; set; }

    [CommandOption("--power <C>")]
    [Description("power: the exponent c (default 1)")]
    public double Power { get; set; } = 1;

    [CommandOption("--boundaries <LIST>")]
    [Description("piecewise: step boundaries (in schedule units), e.g. 5,10")]
    public string? Boundaries { get; set; }

    [CommandOption("--values <LIST>")]
    [Description("piecewise: the rates, one more than the boundaries, e.g. 0.01,0.005,0.001")]
    public string? Values { get; set; }

    [CommandOption("--lr-factor <F>")]
    [Description("performance: the factor applied on a plateau (default 0.5)")]
    public double LrFactor { get; set; } = 0.5;

    [CommandOption("--lr-patience <N>")]
    [Description("performance: epochs without improvement before reducing (default 2)")]
    public int LrPatience { get; set; } = 2;

    [CommandOption("--min-lr <R>")]
    [Description("performance/cosine: the floor (default 0)")]
    public float MinLr { get; set; }

    [CommandOption("--warmup-steps <N>")]
    [Description("cosine: linear warm-up steps")]
    public long WarmupSteps { get; set; }

    // ---- clipping, early stopping ----
    [CommandOption("--clip-value <T>")]
    public float? ClipValue { get; set; }

    [CommandOption("--clip-norm <T>")]
    public float? ClipNorm { get; set; }

    [CommandOption("--clip-global-norm <T>")]
    public float? ClipGlobalNorm { get; set; }

    [CommandOption("--early-stopping <PATIENCE>")]
    [Description("Stop when val_loss has not improved for PATIENCE epochs and restore the best weights")]
    public int? EarlyStopping { get; set; }

    // ---- run ----
    [CommandOption("--epochs <N>")]
    [Description("Epochs (default 10)")]
    public int Epochs { get; set; } = 10;

    [CommandOption("--batch-size <N>")]
    [Description("Batch size (default 64)")]
    public int BatchSize { get; set; } = 64;

    [CommandOption("--seed <N>")]
    [Description("Seed of initialization, shuffling and dropout (default 42)")]
    public int Seed { get; set; } = 42;

    [CommandOption("--threads <N>")]
    [Description("Threads for matrix products (default: min(2, cores))")]
    public int? Threads { get; set; }

    [CommandOption("--out <FILE>")]
    [Description("Save the trained model to FILE")]
    public string? Out { get; set; }

    [CommandOption("--config <FILE>")]
    [Description("Read options from a JSON object (command-line options win)")]
    public string? Config { get; set; }

    // ---- reuse, freezing, resuming ----
    [CommandOption("--init-from <MODEL>")]
    [Description("Start from the weights of a saved model (those matching --restore)")]
    public string? InitFrom { get; set; }

    [CommandOption("--restore <REGEX>")]
    [Description("With --init-from: restore the parameters whose names match (default: all), e.g. 'hidden[[12]]'")]
    public string? Restore { get; set; }

    [CommandOption("--restore-map <MAP>")]
    [Description("With --init-from: rename file tensors first, old=new pairs separated by commas (e.g. hidden3=hidden2)")]
    public string? RestoreMap { get; set; }

    [CommandOption("--freeze <REGEX>")]
    [Description("Freeze the parameters whose names match, e.g. 'hidden[[12]]' (frozen BatchNorm runs in inference mode)")]
    public string? Freeze { get; set; }

    [CommandOption("--cache-frozen")]
    [Description("Compute the frozen lower layers' outputs once and train the upper layers on them")]
    public bool CacheFrozen { get; set; }

    [CommandOption("--resume <CHECKPOINT>")]
    [Description("Continue a run saved by --checkpoint-every (same data and seed), up to --epochs in all")]
    public string? Resume { get; set; }

    [CommandOption("--checkpoint-every <N>")]
    [Description("Save the model and training state to --out every N epochs")]
    public int? CheckpointEvery { get; set; }

    // ---- seeing ----
    [CommandOption("--plot <DIR>")]
    [Description("Write learning curves (loss, accuracy, learning rate) as PNG files to DIR")]
    public string? Plot { get; set; }

    [CommandOption("--diagnose")]
    [Description("Record per-layer statistics while training and end with a verdict per layer")]
    public bool Diagnose { get; set; }

    [CommandOption("--report <DIR>")]
    [Description("Write a self-contained HTML report (figures, plots, diagnostics) to DIR/index.html")]
    public string? Report { get; set; }

    [CommandOption("--sync-batch-norm")]
    [Description("Data-parallel runs (mpirun/srun): BatchNorm statistics over the global batch instead of each process's slice")]
    public bool SyncBatchNorm { get; set; }

    [CommandOption("--quiet")]
    [Description("No progress output")]
    public bool Quiet { get; set; }

    /// <summary>A copy of these settings (for commands that vary one option).</summary>
    public TrainSettings Copy() => (TrainSettings)MemberwiseClone();
}
