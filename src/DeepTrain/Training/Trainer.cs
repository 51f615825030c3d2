using System.Diagnostics;
using DeepTrain.Autograd;
using DeepTrain.Data;
using DeepTrain.Layers;
using DeepTrain.Regularization;
using DeepTrain.Tensors;

namespace DeepTrain.Training;

/// <summary>The result of <see cref="Trainer.Evaluate"/>: the mean loss and each metric.</summary>
/// <param name="Loss">The mean loss over the data.</param>
/// <param name="Metrics">Each metric by name.</param>
public sealed record EvaluationResult(double Loss, IReadOnlyDictionary<string, double> Metrics)
{
    /// <summary>The accuracy, or NaN when it was not measured.</summary>
    public double Accuracy => Metrics.TryGetValue("accuracy", out var a) ? a : double.NaN;
}

/// <summary>
/// The fit loop and its kin, as extension methods on a model: <see cref="Fit"/> (training mode),
/// <see cref="Evaluate"/> and <c>Predict</c> (inference mode). Each training step runs in a
/// <see cref="StepScope"/>, so a steady-state step allocates nothing.
/// </summary>
public static class Trainer
{
    // Evaluate and Predict reuse one scope per thread, so validating every epoch does not rebuild its buffer pool.
    [ThreadStatic] private static StepScope? t_inferenceScope;

    /// <summary>Trains <paramref name="model"/> on <paramref name="train"/>, validating on <paramref name="validation"/> after each epoch.</summary>
    public static History Fit(this Module model, Dataset train, Dataset? validation, FitOptions options)
    {
        options.Validate();
        CheckFeatures(model, train, "training data");
        if (validation is not null) CheckFeatures(model, validation, "validation data");
        var optimizer = options.Optimizer!;
        var history = new History();
        var iterator = new BatchIterator(train.Count, options.BatchSize, options.Shuffle, options.Seed);
        var context = new TrainingContext(model, optimizer, history, options, iterator.BatchesPerEpoch);
        model.Rng = new Rng((ulong)(uint)options.Seed * 0x9E3779B97F4A7C15UL + 0x632BE59BD9B4E019UL);
        if (options.InitialRngState is { } rngState) model.Rng.SetState(rngState); // resuming: the generator as it was after InitialEpoch epochs
        var penalties = Collect<Regularizer>(model, d => d.KernelRegularizer);
        var constraints = Collect<MaxNorm>(model, d => d.KernelConstraint);
        for (int e = 0; e < options.InitialEpoch; e++) iterator.NextEpoch(); // same shuffles as an uninterrupted run
        using var progress = ProgressReporter.Create(options);
        options.Distributed?.BeginFit(context, train, validation);
        foreach (var cb in options.Callbacks) cb.OnTrainBegin(context);
        try
        {
            progress.Run(() => Loop(model, train, validation, options, context, iterator, penalties, constraints, progress));
        }
        finally
        {
            options.Distributed?.EndFit(context);
            history.StopReason = context.StopReason ?? "completed";
            foreach (var cb in options.Callbacks) cb.OnTrainEnd(context);
            model.Train();
        }
        return history;
    }

    private static void Loop(Module model, Dataset train, Dataset? validation, FitOptions o, TrainingContext context, BatchIterator iterator,
                             List<(Regularizer Rule, Tensor Weight)> penalties, List<(MaxNorm Rule, Tensor Weight)> constraints, ProgressReporter progress)
    {
        var optimizer = o.Optimizer!;
        var dp = o.Distributed; // data-parallel hooks, or null
        var metrics = o.Metrics.ToArray();
        var callbacks = o.Callbacks.ToArray();
        var scope = new StepScope();
        var labels = new int[o.BatchSize];
        int features = train.Features;
        for (int epoch = o.InitialEpoch; epoch < o.Epochs && !context.StopRequested; epoch++)
        {
            context.Epoch = epoch;
            model.Train();
            foreach (var m in metrics) m.Reset();
            if (o.Schedule is not null && o.ScheduleUnit == ScheduleUnit.Epoch) optimizer.LearningRate = o.Schedule.Rate(epoch);
            foreach (var cb in callbacks) cb.OnEpochBegin(context);
            progress.BeginEpoch(epoch, o.Epochs, iterator.BatchesPerEpoch);
            var clock = Stopwatch.StartNew();
            double lossSum = 0;
            long seen = 0;
            int batchIndex = 0;
            foreach (var globalBatch in iterator.NextEpoch())
            {
                var batch = dp is null ? globalBatch : dp.Slice(globalBatch); // this process's rows
                if (dp is null && o.Cancellation.IsCancellationRequested) // data-parallel: agreed in AfterBackward
                {
                    context.StopRequested = true;
                    context.StopReason = "cancelled";
                    break;
                }
                if (o.Schedule is not null && o.ScheduleUnit == ScheduleUnit.Step) optimizer.LearningRate = o.Schedule.Rate(optimizer.Iterations);
                foreach (var cb in callbacks) cb.OnStepBegin(context);
                float lossValue;
                using (scope.Open())
                {
                    var x = Tensor.Empty(new Shape(batch.Length, features));
                    var y = labels.AsSpan(0, batch.Length);
                    train.GetBatch(batch, x.Data, y);
                    var output = model.Forward(x);
                    var loss = o.Loss.Compute(output, x, y);
                    foreach (var (rule, w) in penalties) loss = loss + rule.Penalty(w);
                    lossValue = loss.ToScalar();
                    if (!float.IsFinite(lossValue))
                        throw new TrainingDivergedException(
                            $"the loss became {lossValue} at step {optimizer.Iterations + 1} (epoch {epoch + 1}, batch {batchIndex + 1}); " +
                            Divergence.Locate(model, x, y, o.Loss) +
                            "; usual remedies: a lower learning rate, gradient clipping (--clip-global-norm 1), BatchNorm, or a better initialization (He for ReLU/ELU)",
                            optimizer.Iterations + 1);
                    loss.Backward();
                    dp?.AfterBackward(context); // gradients of the global batch
                    foreach (var cb in callbacks) cb.OnBackwardEnd(context);
                    foreach (var m in metrics) m.Update(output, y);
                }
                optimizer.Step();
                foreach (var (rule, w) in constraints) rule.Apply(w);
                optimizer.ZeroGrad();
                context.Step++;
                lossSum += (double)lossValue * batch.Length;
                seen += batch.Length;
                foreach (var cb in callbacks) cb.OnBatchEnd(context, batchIndex, lossValue);
                batchIndex++;
                progress.Batch(batchIndex, lossSum / seen, metrics, seen / Math.Max(1e-9, clock.Elapsed.TotalSeconds), optimizer.LearningRate);
                if (context.StopRequested) break;
            }
            dp?.EndEpochTraining(context);
            if (batchIndex < iterator.BatchesPerEpoch)
            {
                // Stopped inside the epoch (cancelled, or a callback asked for it after a batch): the epoch is not
                // recorded, so the history and any checkpoint hold complete epochs only, and a run resumed from
                // the last checkpoint does this epoch in full. The weights keep the batches done.
                context.StoppedInsideEpoch = batchIndex > 0;
                break;
            }
            if (seen == 0) break;
            double seconds = clock.Elapsed.TotalSeconds;
            var logs = new Dictionary<string, double> { ["loss"] = lossSum / seen };
            foreach (var m in metrics) logs[m.Name] = m.Result;
            if (validation is not null)
            {
                var ev = model.Evaluate(validation, o.Loss, metrics, Math.Max(o.BatchSize, 256));
                logs["val_loss"] = ev.Loss;
                foreach (var (k, v) in ev.Metrics) logs["val_" + k] = v;
            }
            logs["lr"] = optimizer.LearningRate;
            logs["seconds"] = seconds;
            logs["samples_per_second"] = seen / Math.Max(1e-9, seconds);
            dp?.ReduceLogs(logs, seen);
            context.History.Add(logs);
            foreach (var cb in callbacks) cb.OnEpochEnd(context, logs);
            progress.EndEpoch(epoch, o.Epochs, logs);
        }
    }

    /// <summary>The mean loss and metrics of <paramref name="model"/> on <paramref name="data"/>, in inference mode.</summary>
    public static EvaluationResult Evaluate(this Module model, Dataset data, Loss? loss = null, IEnumerable<Metric>? metrics = null, int batchSize = 256)
    {
        CheckFeatures(model, data, "evaluation data");
        loss ??= Loss.SparseCategoricalCrossEntropy;
        var ms = (metrics ?? [Metric.Accuracy()]).ToList();
        foreach (var m in ms) m.Reset();
        bool wasTraining = model.IsTraining;
        model.Eval();
        var scope = t_inferenceScope ??= new StepScope();
        var labels = new int[batchSize];
        double sum = 0;
        try
        {
            using var _ = GradMode.NoGrad();
            var iterator = new BatchIterator(data.Count, batchSize, shuffle: false, seed: 0);
            foreach (var batch in iterator.NextEpoch())
            {
                using (scope.Open())
                {
                    var x = Tensor.Empty(new Shape(batch.Length, data.Features));
                    var y = labels.AsSpan(0, batch.Length);
                    data.GetBatch(batch, x.Data, y);
                    var output = model.Forward(x);
                    sum += (double)loss.Compute(output, x, y).ToScalar() * batch.Length;
                    foreach (var m in ms) m.Update(output, y);
                }
            }
        }
        finally
        {
            if (wasTraining) model.Train();
        }
        return new EvaluationResult(data.Count == 0 ? double.NaN : sum / data.Count, ms.ToDictionary(m => m.Name, m => m.Result));
    }

    /// <summary>The model's outputs for every example of <paramref name="data"/>, in inference mode, as an [N, outputs] tensor.</summary>
    public static Tensor Predict(this Module model, Dataset data, int batchSize = 256)
    {
        CheckFeatures(model, data, "prediction data");
        bool wasTraining = model.IsTraining;
        model.Eval();
        var scope = t_inferenceScope ??= new StepScope();
        var labels = new int[batchSize];
        Tensor? result = null;
        int row = 0;
        try
        {
            using var _ = GradMode.NoGrad();
            var iterator = new BatchIterator(data.Count, batchSize, shuffle: false, seed: 0);
            foreach (var batch in iterator.NextEpoch())
            {
                using (scope.Open())
                {
                    var x = Tensor.Empty(new Shape(batch.Length, data.Features));
                    data.GetBatch(batch, x.Data, labels.AsSpan(0, batch.Length));
                    var output = model.Forward(x);
                    int width = output.Shape.Last;
                    result ??= Tensor.Zeros(data.Count, width).Keep();
                    output.Data.CopyTo(result.Data.Slice(row * width));
                    row += batch.Length;
                }
            }
        }
        finally
        {
            if (wasTraining) model.Train();
        }
        return result ?? Tensor.Zeros(0, 0);
    }

    /// <summary>The model's outputs for a batch tensor, in inference mode (a tensor outside any step scope).</summary>
    public static Tensor Predict(this Module model, Tensor input)
    {
        bool wasTraining = model.IsTraining;
        model.Eval();
        try
        {
            using var _ = GradMode.NoGrad();
            return model.Forward(input).Clone();
        }
        finally
        {
            if (wasTraining) model.Train();
        }
    }

    private static void CheckFeatures(Module model, Dataset data, string what)
    {
        if (model is Sequential s && s.InputFeatures != data.Features)
            throw new ArgumentException($"the model expects {s.InputFeatures} input features but the {what} has {data.Features}");
    }

    private static List<(T, Tensor)> Collect<T>(Module model, Func<Dense, T?> pick) where T : class
    {
        var list = new List<(T, Tensor)>();
        void Walk(Module m)
        {
            if (m is Dense d && pick(d) is { } rule) list.Add((rule, d.Weight));
            foreach (var c in m.Children) Walk(c);
        }
        Walk(model);
        return list;
    }
}
