using System.Globalization;
using DeepTrain.Data;
using DeepTrain.Init;
using DeepTrain.Kernels;
using DeepTrain.Layers;
using DeepTrain.Optimizers;
using DeepTrain.Regularization;
using DeepTrain.Schedules;
using DeepTrain.Training;
using DeepTrain.Tensors;

namespace DeepTrain.Cli.Commands;

/// <summary>Turns <see cref="TrainSettings"/> into data, a model, an optimizer and fit options (shared by the training commands).</summary>
internal static class TrainingSetup
{
    /// <summary>The data a run uses.</summary>
    public sealed record Splits(Dataset Train, Dataset? Validation, Dataset Test);

    public static void ApplyThreads(TrainSettings s)
    {
        if (s.Threads is { } t)
        {
            if (t < 1 || t > Environment.ProcessorCount) throw new CliException($"--threads must be in [1, {Environment.ProcessorCount}]: got {t}");
            Gemm.MaxThreads = t;
        }
    }

    public static Splits LoadData(TrainSettings s)
    {
        Dataset train, test;
        if (s.Data.EndsWith(".csv", StringComparison.OrdinalIgnoreCase))
        {
            if (!File.Exists(s.Data)) throw new CliException($"data file not found: {s.Data}");
            var options = CsvOptionsFor(s.LabelColumn);
            var all = Dataset.FromCsv(s.Data, options);
            if (s.TestData is not null)
            {
                if (!File.Exists(s.TestData)) throw new CliException($"test data file not found: {s.TestData}");
                train = all;
                test = Dataset.FromCsv(s.TestData, options);
            }
            else
            {
                if (!(s.TestFraction > 0 && s.TestFraction < 1)) throw new CliException($"--test-fraction must be in (0, 1): got {s.TestFraction}");
                (train, test) = all.Split(s.TestFraction, s.Seed);
            }
        }
        else
        {
            if (s.LabelColumn is not null || s.TestData is not null) throw new CliException("--label-column and --test-data apply to CSV data only");
            (train, test) = KnownDatasets.Load(s.Data);
        }
        if (s.Classes is not null)
        {
            var classes = ParseClasses(s.Classes, train.Classes);
            train = train.FilterClasses(classes, relabel: true);
            test = test.FilterClasses(classes, relabel: true);
        }
        Dataset? validation = null;
        if (s.ValidationFraction > 0)
        {
            if (!(s.ValidationFraction < 1)) throw new CliException($"--validation-fraction must be in [0, 1): got {s.ValidationFraction}");
            (train, validation) = train.Split(s.ValidationFraction, s.Seed);
        }
        if (s.LabelsPerClass is { } n)
        {
            if (n < 1) throw new CliException($"--labels-per-class must be >= 1: got {n}");
            train = train.TakePerClass(n, s.Seed);
        }
        if (s.Standardize)
        {
            var st = train.Standardize();
            test = test.WithStandardizer(st);
            validation = validation?.WithStandardizer(st);
        }
        return new Splits(train, validation, test);
    }

    private static CsvOptions CsvOptionsFor(string? labelColumn)
    {
        if (labelColumn is null) return new CsvOptions();
        return int.TryParse(labelColumn, NumberStyles.Integer, CultureInfo.InvariantCulture, out int index)
            ? new CsvOptions { LabelColumnIndex = index }
            : new CsvOptions { LabelColumn = labelColumn };
    }

    /// <summary>"0,1,2" or "5-9" or a mix.</summary>
    public static int[] ParseClasses(string spec, int classCount)
    {
        var result = new List<int>();
        foreach (var part in spec.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var range = part.Split('-');
            if (range.Length == 2 && int.TryParse(range[0], out int a) && int.TryParse(range[1], out int b) && a <= b)
                for (int c = a; c <= b; c++) result.Add(c);
            else if (int.TryParse(part, out int c)) result.Add(c);
            else throw new CliException($"--classes: '{part}' is not a class number or range");
        }
        foreach (var c in result)
            if (c < 0 || c >= classCount) throw new CliException($"--classes: class {c} is outside [0, {classCount})");
        if (result.Count < 2) throw new CliException("--classes needs at least two classes");
        return result.Distinct().ToArray();
    }

    public static int[] ParseSizes(string spec, string option)
    {
        var parts = spec.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var sizes = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out sizes[i]) || sizes[i] <= 0)
                throw new CliException($"{option}: '{parts[i]}' is not a positive integer");
        return sizes;
    }

    public static Sequential BuildModel(TrainSettings s, int inputs, int classes)
    {
        if (s.Dropout < 0 || s.Dropout >= 1) throw new CliException($"--dropout must be in [0, 1): got {s.Dropout}");
        var builder = new MlpBuilder
        {
            Hidden = ParseSizes(s.Hidden, "--hidden"),
            Activation = Activation.Parse(s.Activation),
            Initializer = Initializer.Parse(s.Init),
            BatchNorm = s.BatchNorm,
            BatchNormMomentum = s.BnMomentum,
            Dropout = s.Dropout,
            Regularizer = s.L1 != 0 || s.L2 != 0 ? new Regularizer(s.L1, s.L2) : null,
            MaxNorm = s.MaxNorm is { } c ? new MaxNorm(c) : null,
        };
        return builder.Build(inputs, classes, (ulong)s.Seed);
    }

    public static Optimizer BuildOptimizer(TrainSettings s, IEnumerable<Tensor> parameters)
    {
        var optimizer = OptimizerFactory.Create(s.Optimizer, parameters, new OptimizerOptions
        {
            LearningRate = s.LearningRate, Momentum = s.Momentum, Beta1 = s.Beta1, Beta2 = s.Beta2, Epsilon = s.Epsilon,
            Rho = s.Rho, WeightDecay = s.WeightDecay, Centered = s.Centered, AmsGrad = s.AmsGrad,
        });
        int clips = (s.ClipValue is null ? 0 : 1) + (s.ClipNorm is null ? 0 : 1) + (s.ClipGlobalNorm is null ? 0 : 1);
        if (clips > 1) throw new CliException("give at most one of --clip-value, --clip-norm, --clip-global-norm");
        if (s.ClipValue is { } v) optimizer.Clipping = new GradientClipping(ClipMode.Value, v);
        if (s.ClipNorm is { } n) optimizer.Clipping = new GradientClipping(ClipMode.Norm, n);
        if (s.ClipGlobalNorm is { } g) optimizer.Clipping = new GradientClipping(ClipMode.GlobalNorm, g);
        return optimizer;
    }

    /// <summary>The schedule names <c>--schedule</c> accepts.</summary>
    public static readonly string[] ScheduleNames = ["piecewise", "exponential", "power", "performance", "cosine", "onecycle"];

    /// <summary>Fills the fit options' schedule (or adds the performance callback).</summary>
    public static void ApplySchedule(TrainSettings s, FitOptions fit, Optimizer optimizer, int batchesPerEpoch)
    {
        if (s.Schedule is null) return;
        var unit = s.ScheduleUnit.ToLowerInvariant() switch
        {
            "step" => ScheduleUnit.Step,
            "epoch" => ScheduleUnit.Epoch,
            _ => throw new CliException($"--schedule-unit must be step or epoch: got '{s.ScheduleUnit}'"),
        };
        long unitsTotal = unit == ScheduleUnit.Step ? (long)batchesPerEpoch * s.Epochs : s.Epochs;
        long decaySteps = s.DecaySteps ?? (unit == ScheduleUnit.Step ? batchesPerEpoch : 1);
        float lr0 = optimizer.LearningRate;
        fit.ScheduleUnit = unit;
        switch (s.Schedule.ToLowerInvariant())
        {
            case "piecewise":
                if (s.Boundaries is null || s.Values is null) throw new CliException("--schedule piecewise needs --boundaries and --values");
                fit.Schedule = new PiecewiseConstant(
                    s.Boundaries.Split(',').Select(b => long.Parse(b.Trim(), CultureInfo.InvariantCulture)).ToArray(),
                    s.Values.Split(',').Select(v => float.Parse(v.Trim(), CultureInfo.InvariantCulture)).ToArray());
                break;
            case "exponential": fit.Schedule = new ExponentialDecay(lr0, decaySteps, s.DecayRate, s.Staircase); break;
            case "power": fit.Schedule = new PowerDecay(lr0, decaySteps, s.Power); break;
            case "cosine": fit.Schedule = new CosineDecay(lr0, unitsTotal, s.WarmupSteps, s.MinLr); break;
            case "onecycle": fit.Schedule = new OneCycle(lr0, unitsTotal); break;
            case "performance":
                fit.Callbacks.Add(new PerformanceScheduling(new PerformanceSchedule(lr0, s.LrFactor, s.LrPatience, s.MinLr)));
                break;
            default: throw new CliException($"unknown schedule '{s.Schedule}'; valid names: {string.Join(", ", ScheduleNames)}");
        }
    }

    public static FitOptions BuildFitOptions(TrainSettings s, Optimizer optimizer, Splits data, CancellationToken cancel)
    {
        var fit = new FitOptions
        {
            Optimizer = optimizer,
            Epochs = s.Epochs,
            BatchSize = s.BatchSize,
            Seed = s.Seed,
            Progress = s.Quiet ? ProgressMode.None : ProgressMode.Auto,
            Cancellation = cancel,
        };
        if (s.Epochs < 1) throw new CliException($"--epochs must be >= 1: got {s.Epochs}");
        if (s.BatchSize < 1) throw new CliException($"--batch-size must be >= 1: got {s.BatchSize}");
        int batches = (data.Train.Count + s.BatchSize - 1) / s.BatchSize;
        ApplySchedule(s, fit, optimizer, batches);
        if (s.EarlyStopping is { } patience)
        {
            if (data.Validation is null) throw new CliException("--early-stopping needs validation data (--validation-fraction > 0)");
            fit.Callbacks.Add(new EarlyStopping("val_loss", patience));
        }
        return fit;
    }
}
