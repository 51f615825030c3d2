using DeepTrain.Layers;

namespace DeepTrain.Checkpoints;

/// <summary>A model read from a model file, with the training state saved beside it (null when there was none).</summary>
/// <param name="Model">The rebuilt model with the saved weights, buffers and frozen flags.</param>
/// <param name="Training">The saved training state, its optimizer rebuilt over <paramref name="Model"/>'s parameters; or null.</param>
public sealed record LoadedModel(Sequential Model, TrainingCheckpoint? Training);
