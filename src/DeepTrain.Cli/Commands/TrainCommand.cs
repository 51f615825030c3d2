using System.Globalization;
using Spectre.Console.Cli;
using DeepTrain.Training;

namespace DeepTrain.Cli.Commands;

/// <summary><c>deeptrain train</c>: build, train, evaluate, save.</summary>
public sealed class TrainCommand : Command<TrainSettings>
{
    /// <inheritdoc/>
    public override int Execute(CommandContext context, TrainSettings s, CancellationToken cancellationToken)
    {
        TrainingSetup.ApplyThreads(s);
        var data = TrainingSetup.LoadData(s);
        var model = TrainingSetup.BuildModel(s, data.Train.Features, Math.Max(data.Train.Classes, data.Test.Classes));
        var optimizer = TrainingSetup.BuildOptimizer(s, model.Parameters());
        var fit = TrainingSetup.BuildFitOptions(s, optimizer, data, CliApp.Interrupt.Token);
        Console.WriteLine($"data: {s.Data}: {data.Train.Count:N0} training, {data.Validation?.Count ?? 0:N0} validation, {data.Test.Count:N0} test examples, {data.Train.Features} features, {data.Train.Classes} classes");
        Console.WriteLine($"model: {data.Train.Features}-{s.Hidden.Replace(',', '-')}-{model.OutputFeatures}, {s.Activation}, {s.Init}{(s.BatchNorm ? ", batch norm" : "")}{(s.Dropout > 0 ? $", dropout {s.Dropout}" : "")}; optimizer {s.Optimizer} (lr {optimizer.LearningRate.ToString("G4", CultureInfo.InvariantCulture)}){(s.Schedule is null ? "" : $", schedule {s.Schedule}")}");
        var history = model.Fit(data.Train, data.Validation, fit);
        if (history.StopReason != "completed") Console.WriteLine($"stopped: {history.StopReason}");
        var test = model.Evaluate(data.Test);
        if (s.Out is not null)
        {
            Checkpoints.ModelFile.Save(s.Out, model);
            Console.WriteLine($"saved model to {s.Out}");
        }
        Console.WriteLine($"test loss: {test.Loss.ToString("F4", CultureInfo.InvariantCulture)}");
        Console.WriteLine($"test accuracy: {test.Accuracy.ToString("F4", CultureInfo.InvariantCulture)}");
        return 0;
    }
}
