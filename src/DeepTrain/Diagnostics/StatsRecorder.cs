using System.Diagnostics;
using DeepTrain.Layers;
using DeepTrain.Tensors;
using DeepTrain.Training;

namespace DeepTrain.Diagnostics;

/// <summary>
/// Records per-layer activation and gradient statistics (<see cref="LayerStats"/>) at chosen steps of a fit.
/// Off unless added to <see cref="FitOptions.Callbacks"/>; on the steps it does not record it costs nothing but a
/// modulo. <see cref="MillisecondsPerRecordedStep"/> measures what a recorded step costs.
/// </summary>
public sealed class StatsRecorder : Callback
{
    private readonly Sequential _model;
    private readonly List<LayerStats> _records = new();
    private readonly List<Group> _groups;
    private readonly Dictionary<Module, Tensor> _outputs = new();
    private readonly Stopwatch _cost = new();
    private bool _recording;
    private long _recordedSteps;
    private List<LayerStats>? _pending;
    private float[][]? _before;

    /// <summary>Makes a recorder for <paramref name="model"/> that records every <paramref name="every"/>-th step (and the first).</summary>
    public StatsRecorder(Sequential model, int every = 100, bool keepActivations = false)
    {
        if (every < 1) throw new ArgumentException($"every must be >= 1: got {every}");
        _model = model; Every = every; KeepActivations = keepActivations;
        _groups = Groups(model);
        if (_groups.Count == 0) throw new ArgumentException("the model has no Dense layer to record");
    }

    /// <summary>Records every this many steps.</summary>
    public int Every { get; }
    /// <summary>Whether each record keeps a copy of the activations (for histograms).</summary>
    public bool KeepActivations { get; }

    /// <summary>
    /// Where training-time warnings go (a ReLU-family layer with more than <see cref="Verdict.DeadThreshold"/> of its
    /// units dead), once per layer; null (the default) for none. The warnings are also kept in <see cref="Warnings"/>.
    /// </summary>
    public TextWriter? WarningOutput { get; set; }

    /// <summary>The warnings issued so far.</summary>
    public IReadOnlyList<string> Warnings => _warnings;

    private readonly List<string> _warnings = new();
    private readonly HashSet<string> _warned = new();
    /// <summary>Everything recorded, in step order, bottom layer first within a step.</summary>
    public IReadOnlyList<LayerStats> Records => _records;
    /// <summary>The average time a recorded step spent in the recorder, in milliseconds.</summary>
    public double MillisecondsPerRecordedStep => _recordedSteps == 0 ? 0 : _cost.Elapsed.TotalMilliseconds / _recordedSteps;

    /// <inheritdoc/>
    public override void OnStepBegin(TrainingContext context)
    {
        _recording = context.Step % Every == 0;
        if (!_recording) return;
        _cost.Start();
        _outputs.Clear();
        _model.LayerObserver = (layer, output) => _outputs[layer] = output;
        _cost.Stop();
    }

    /// <inheritdoc/>
    public override void OnBackwardEnd(TrainingContext context)
    {
        if (!_recording) return;
        _cost.Start();
        _model.LayerObserver = null;
        _pending = Measure(context.Step);
        _before = _groups.Select(g => g.Dense.Weight.ToArray()).ToArray();
        _cost.Stop();
    }

    /// <inheritdoc/>
    public override void OnBatchEnd(TrainingContext context, int batch, float loss)
    {
        if (!_recording || _pending is null || _before is null) return;
        _cost.Start();
        for (int i = 0; i < _groups.Count; i++)
        {
            var w = _groups[i].Dense.Weight.Data;
            double diff = 0, norm = 0;
            for (int j = 0; j < w.Length; j++) { double d = w[j] - _before[i][j]; diff += d * d; norm += (double)_before[i][j] * _before[i][j]; }
            _records.Add(_pending[i] with { UpdateRatio = norm == 0 ? double.NaN : Math.Sqrt(diff / norm) });
            WarnIfDead(_pending[i]);
        }
        _pending = null; _before = null; _recording = false;
        _recordedSteps++;
        _cost.Stop();
    }

    private void WarnIfDead(LayerStats s)
    {
        if (s.DeadFraction <= Verdict.DeadThreshold || !s.Activation.Contains("relu") || !_warned.Add(s.Layer)) return;
        string w = $"warning: step {s.Step}: {s.Layer} has {s.DeadFraction * 100:F0}% dead units (output 0 for every example of the batch); try leaky ReLU, ELU or a lower learning rate";
        _warnings.Add(w);
        WarningOutput?.WriteLine(w);
    }

    /// <summary>
    /// The statistics of one forward and backward pass of <paramref name="model"/> on a batch, without updating
    /// anything (the gradients are left zeroed). For <c>deeptrain diagnose</c> and tests.
    /// </summary>
    public static IReadOnlyList<LayerStats> Analyze(Sequential model, Tensor x, ReadOnlySpan<int> labels, Loss? loss = null, long step = 0, bool keepActivations = false)
    {
        var recorder = new StatsRecorder(model, 1, keepActivations);
        foreach (var p in model.Parameters()) p.ZeroGrad();
        var scope = new StepScope();
        using (scope.Open())
        {
            model.LayerObserver = (layer, output) => recorder._outputs[layer] = output;
            try
            {
                var l = (loss ?? Loss.SparseCategoricalCrossEntropy).Compute(model.Forward(x), x, labels);
                l.Backward();
            }
            finally { model.LayerObserver = null; }
            var stats = recorder.Measure(step);
            foreach (var p in model.Parameters()) p.ZeroGrad();
            return stats;
        }
    }

    private List<LayerStats> Measure(long step)
    {
        var list = new List<LayerStats>(_groups.Count);
        for (int i = 0; i < _groups.Count; i++)
        {
            var g = _groups[i];
            var output = _outputs.TryGetValue(g.Last, out var o) ? o : null;
            double mean = 0, std = 0, saturated = 0, dead = 0, ogNorm = 0, ogRms = 0, ogStd = 0;
            float[]? copy = null;
            if (output is not null)
            {
                var d = output.Data;
                (mean, std) = MeanStd(d);
                saturated = Saturated(d, g.ActivationKind);
                dead = DeadUnits(d, output.Shape.Last);
                if (output.HasGrad)
                {
                    var og = output.Grad;
                    double ss = 0; foreach (var v in og) ss += (double)v * v;
                    ogNorm = Math.Sqrt(ss); ogRms = Math.Sqrt(ss / Math.Max(1, og.Length)); ogStd = MeanStd(og).Std;
                }
                if (KeepActivations) copy = d.ToArray();
            }
            double wgNorm = 0, wgStd = 0;
            var w = g.Dense.Weight;
            if (w.HasGrad)
            {
                double ss = 0; foreach (var v in w.Grad) ss += (double)v * v;
                wgNorm = Math.Sqrt(ss); wgStd = MeanStd(w.Grad).Std;
            }
            list.Add(new LayerStats
            {
                Layer = g.Dense.Name, Depth = i + 1, Activation = g.ActivationName, Step = step,
                ActivationMean = mean, ActivationStd = std, SaturatedFraction = saturated, DeadFraction = dead,
                WeightGradNorm = wgNorm, WeightGradStd = wgStd, OutputGradNorm = ogNorm, OutputGradRms = ogRms, OutputGradStd = ogStd,
                Activations = copy,
            });
        }
        return list;
    }

    private static (double Mean, double Std) MeanStd(ReadOnlySpan<float> d)
    {
        if (d.Length == 0) return (0, 0);
        double s = 0, ss = 0;
        foreach (var v in d) { s += v; ss += (double)v * v; }
        double m = s / d.Length;
        return (m, Math.Sqrt(Math.Max(0, ss / d.Length - m * m)));
    }

    /// <summary>Within this distance of an asymptote, a logistic or tanh unit counts as saturated.</summary>
    public const float SaturationMargin = 1e-2f;

    private static double Saturated(ReadOnlySpan<float> d, Kernels.ActivationKind kind)
    {
        if (kind is not (Kernels.ActivationKind.Sigmoid or Kernels.ActivationKind.Tanh) || d.Length == 0) return 0;
        float lo = kind == Kernels.ActivationKind.Sigmoid ? 0f : -1f;
        long n = 0;
        foreach (var v in d) if (v - lo < SaturationMargin || 1f - v < SaturationMargin) n++;
        return (double)n / d.Length;
    }

    private static double DeadUnits(ReadOnlySpan<float> d, int units)
    {
        if (units == 0 || d.Length == 0) return 0;
        int rows = d.Length / units, dead = 0;
        for (int j = 0; j < units; j++)
        {
            bool allZero = true;
            for (int r = 0; r < rows && allZero; r++) allZero = d[r * units + j] == 0f;
            if (allZero) dead++;
        }
        return (double)dead / units;
    }

    private sealed record Group(Dense Dense, Module Last, string ActivationName, Kernels.ActivationKind ActivationKind);

    private static List<Group> Groups(Sequential model)
    {
        var groups = new List<Group>();
        var layers = model.Layers;
        for (int i = 0; i < layers.Count; i++)
        {
            if (layers[i] is not Dense d) continue;
            Module last = d;
            var act = d.Activation;
            for (int j = i + 1; j < layers.Count && layers[j] is not Dense; j++)
            {
                last = layers[j];
                if (layers[j] is ActivationLayer a) act = a.Activation;
                if (layers[j] is PReLU) act = Activation.Custom("prelu", z => z);
            }
            groups.Add(new Group(d, last, act.Name, act.Kind));
        }
        return groups;
    }
}
