using DeepTrain.Init;
using DeepTrain.Layers;

namespace DeepTrain.Pretraining;

/// <summary>
/// Turns a pretrained stack into a classifier for supervised fine-tuning, which is then plain <c>Fit</c>.
/// </summary>
public static class FineTuning
{
    /// <summary>
    /// A new model: copies of the stack's Dense layers (same names, <c>hidden1..N</c>, same configuration, the
    /// pretrained weights copied) followed by a new linear Dense layer named <c>output</c> of
    /// <paramref name="classes"/> units (logits), Glorot-uniform initialized from <paramref name="seed"/>. The
    /// pretrained stack itself is left untouched, so it can be fine-tuned more than once.
    /// </summary>
    /// <param name="encoder">The pretrained stack (<see cref="PretrainResult.Encoder"/>); Dense layers only.</param>
    /// <param name="classes">The number of outputs, ≥ 1.</param>
    /// <param name="seed">The seed of the output layer's initialization (and of the new model).</param>
    /// <param name="freezeLowest">
    /// How many of the lowest layers to freeze (their parameters get <see cref="Tensors.Tensor.Trainable"/> = false,
    /// so the optimizer skips them); 0 fine-tunes everything.
    /// </param>
    /// <exception cref="ArgumentException">The stack holds a layer other than Dense, or an argument is out of range.</exception>
    public static Sequential WithOutput(Sequential encoder, int classes, ulong seed = 0, int freezeLowest = 0)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        if (classes < 1) throw new ArgumentOutOfRangeException(nameof(classes), $"classes must be >= 1: got {classes}");
        if (freezeLowest < 0 || freezeLowest > encoder.Layers.Count)
            throw new ArgumentOutOfRangeException(nameof(freezeLowest), $"freezeLowest must be in [0, {encoder.Layers.Count}]: got {freezeLowest}");
        var model = new Sequential(encoder.InputFeatures, seed);
        foreach (var layer in encoder.Layers)
        {
            if (layer is not Dense d)
                throw new ArgumentException($"WithOutput copies Dense layers only: layer '{layer.Name}' is a {layer.Kind}");
            var copy = new Dense(d.Units, d.Activation, d.KernelInitializer, d.BiasInitializer, d.UseBias, d.Name, d.KernelRegularizer, d.KernelConstraint);
            model.Add(copy);
            copy.Weight.CopyFrom(d.Weight);
            if (d.Bias is not null) copy.Bias!.CopyFrom(d.Bias);
        }
        model.Add(new Dense(classes, null, Initializer.GlorotUniform, name: "output"));
        Freeze(model, freezeLowest);
        return model;
    }

    /// <summary>
    /// Freezes the parameters of the lowest <paramref name="count"/> layers of <paramref name="model"/>
    /// (<see cref="Tensors.Tensor.Trainable"/> = false, and no gradient computed for them) and unfreezes the others.
    /// </summary>
    public static void Freeze(Sequential model, int count)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (count < 0 || count > model.Layers.Count)
            throw new ArgumentOutOfRangeException(nameof(count), $"count must be in [0, {model.Layers.Count}]: got {count}");
        for (int i = 0; i < model.Layers.Count; i++)
            foreach (var (_, p) in model.Layers[i].NamedParameters()) Checkpoints.Freezing.SetFrozen(p, frozen: i < count);
    }
}
