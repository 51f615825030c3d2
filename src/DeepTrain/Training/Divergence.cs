using DeepTrain.Layers;

namespace DeepTrain.Training;

/// <summary>
/// Finds where a step went non-finite, for the message of <see cref="TrainingDivergedException"/>: parameters
/// already non-finite (an earlier update blew up), else the first layer whose output is non-finite in the
/// forward pass, and the first layer (from the top) whose weight gradient is non-finite in the backward pass.
/// </summary>
internal static class Divergence
{
    public static string Locate(Module model, Tensor x, ReadOnlySpan<int> labels, Loss loss)
    {
        foreach (var (name, p) in model.NamedParameters())
            if (!p.AllFinite()) return $"parameter {name} already holds non-finite values (an earlier update blew up)";
        string? firstOutput = null;
        var parts = new List<string>();
        if (model is Sequential s)
        {
            var previous = s.LayerObserver;
            s.LayerObserver = (layer, output) => { if (firstOutput is null && !output.AllFinite()) firstOutput = layer.Name; };
            try
            {
                foreach (var p in model.Parameters()) p.ZeroGrad();
                var again = loss.Compute(s.Forward(x), x, labels);
                if (again.RequiresGrad) again.Backward();
            }
            finally { s.LayerObserver = previous; }
            parts.Add(firstOutput is null ? "every layer's output is finite (the loss itself overflowed)" : $"first non-finite output in the forward pass: layer {firstOutput}");
            var named = model.NamedParameters().ToList();
            for (int i = named.Count - 1; i >= 0; i--)
                if (named[i].Value.HasGrad && !AllFinite(named[i].Value.Grad))
                {
                    parts.Add($"first non-finite gradient in the backward pass: {named[i].Name}");
                    break;
                }
            foreach (var p in model.Parameters()) p.ZeroGrad();
        }
        return string.Join("; ", parts);
    }

    private static bool AllFinite(ReadOnlySpan<float> d)
    {
        foreach (var v in d) if (!float.IsFinite(v)) return false;
        return true;
    }
}
