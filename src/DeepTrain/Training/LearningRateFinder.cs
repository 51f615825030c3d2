using DeepTrain.Data;
using DeepTrain.Layers;
using DeepTrain.Optimizers;
using DeepTrain.Tensors;

namespace DeepTrain.Training;

/// <summary>What a <see cref="LearningRateFinder"/> run found.</summary>
/// <param name="Rates">The learning rate of each step.</param>
/// <param name="Losses">The smoothed (bias-corrected) loss after each step.</param>
/// <param name="SuggestedRate">The rate at which the smoothed loss fell fastest (steepest descent per log-rate).</param>
/// <param name="MinLossRate">The rate at which the smoothed loss was lowest.</param>
/// <param name="StoppedEarly">True when the loss exploded before the top of the range.</param>
public sealed record LearningRateFinderResult(IReadOnlyList<double> Rates, IReadOnlyList<double> Losses, double SuggestedRate, double MinLossRate, bool StoppedEarly);

/// <summary>
/// The learning-rate range test (Smith 2017): one short run in which the rate rises exponentially from
/// <see cref="MinRate"/> to <see cref="MaxRate"/>, recording an exponentially smoothed loss, stopping when it
/// exceeds <see cref="DivergeFactor"/> times its best. It suggests the rate where the smoothed loss falls fastest
/// against log(rate). The model's weights and buffers are put back afterwards; the optimizer's state is not
/// (pass a fresh one).
/// </summary>
public sealed class LearningRateFinder
{
    /// <summary>Makes a finder.</summary>
    public LearningRateFinder(double minRate = 1e-7, double maxRate = 10, int steps = 100, double smoothing = 0.9, double divergeFactor = 4)
    {
        if (!(minRate > 0 && maxRate > minRate)) throw new ArgumentException($"the rate range must satisfy 0 < min < max: got [{minRate}, {maxRate}]");
        if (steps < 5) throw new ArgumentException($"steps must be >= 5: got {steps}");
        if (!(smoothing >= 0 && smoothing < 1)) throw new ArgumentException($"smoothing must be in [0, 1): got {smoothing}");
        if (!(divergeFactor > 1)) throw new ArgumentException($"the divergence factor must be > 1: got {divergeFactor}");
        MinRate = minRate; MaxRate = maxRate; Steps = steps; Smoothing = smoothing; DivergeFactor = divergeFactor;
    }

    /// <summary>The first rate.</summary>
    public double MinRate { get; }
    /// <summary>The last rate.</summary>
    public double MaxRate { get; }
    /// <summary>Steps from the first to the last rate.</summary>
    public int Steps { get; }
    /// <summary>β of the loss's exponential smoothing.</summary>
    public double Smoothing { get; }
    /// <summary>The run stops when the smoothed loss exceeds this many times its best.</summary>
    public double DivergeFactor { get; }

    /// <summary>Runs the range test on <paramref name="model"/> and restores its weights.</summary>
    public LearningRateFinderResult Run(Module model, Dataset train, Optimizer optimizer, Loss? loss = null, int batchSize = 64, int seed = 0)
    {
        loss ??= Loss.SparseCategoricalCrossEntropy;
        var state = model.NamedParameters().Concat(model.NamedBuffers()).Select(p => (p.Value, Saved: p.Value.ToArray())).ToList();
        var rates = new List<double>(); var losses = new List<double>();
        bool stoppedEarly = false;
        bool wasTraining = model.IsTraining;
        model.Train();
        try
        {
            var iterator = new BatchIterator(train.Count, batchSize, shuffle: true, seed);
            var scope = new StepScope();
            var labels = new int[batchSize];
            double avg = 0, best = double.PositiveInfinity;
            int step = 0;
            while (step < Steps)
            {
                foreach (var batch in iterator.NextEpoch())
                {
                    if (step >= Steps) break;
                    double rate = MinRate * Math.Pow(MaxRate / MinRate, (double)step / (Steps - 1));
                    optimizer.LearningRate = (float)rate;
                    float value;
                    using (scope.Open())
                    {
                        var x = Tensor.Empty(new Shape(batch.Length, train.Features));
                        var y = labels.AsSpan(0, batch.Length);
                        train.GetBatch(batch, x.Data, y);
                        var l = loss.Compute(model.Forward(x), x, y);
                        value = l.ToScalar();
                        if (float.IsFinite(value)) l.Backward();
                    }
                    if (!float.IsFinite(value)) { stoppedEarly = true; step = Steps; break; }
                    optimizer.Step();
                    optimizer.ZeroGrad();
                    avg = Smoothing * avg + (1 - Smoothing) * value;
                    double smoothed = avg / (1 - Math.Pow(Smoothing, step + 1));
                    rates.Add(rate); losses.Add(smoothed);
                    best = Math.Min(best, smoothed);
                    step++;
                    if (smoothed > DivergeFactor * best) { stoppedEarly = true; step = Steps; break; }
                }
            }
        }
        finally
        {
            foreach (var (t, saved) in state) saved.CopyTo(t.Data);
            foreach (var p in model.Parameters()) p.ZeroGrad();
            if (!wasTraining) model.Eval();
        }
        if (rates.Count < 3) throw new InvalidOperationException($"the loss diverged after {rates.Count} steps at rate {MinRate:G3}: lower the minimum rate");
        int minAt = 0;
        for (int i = 1; i < losses.Count; i++) if (losses[i] < losses[minAt]) minAt = i;
        // Steepest descent of the smoothed loss against log(rate), where the loss is still falling (before its
        // minimum). Slopes are taken over a window of about 5% of the run, after the first 10% (where the
        // bias-corrected average is still settling), so one noisy batch does not decide.
        int window = Math.Max(1, losses.Count / 20), skip = Math.Max(window, losses.Count / 10);
        int steepest = Math.Min(skip, minAt);
        double slope = double.PositiveInfinity;
        for (int i = skip; i <= minAt; i++)
        {
            double s = (losses[i] - losses[i - window]) / (Math.Log(rates[i]) - Math.Log(rates[i - window]));
            if (s < slope) { slope = s; steepest = i; }
        }
        return new LearningRateFinderResult(rates, losses, rates[steepest], rates[minAt], stoppedEarly);
    }
}
