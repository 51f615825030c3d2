namespace Playbook;

/// <summary>The sections, in the guide's order, by sub-command name.</summary>
public static class Catalog
{
    /// <summary>Sub-command name, one-line description, and the section's entry point.</summary>
    public static IReadOnlyList<(string Name, string Description, Func<PlaybookOptions, Figures> Run)> Sections { get; } =
    [
        ("gradients", "1. unstable gradients: per-layer statistics and verdicts", S01Gradients.Run),
        ("init", "2. Glorot and He initialization", S02Initialization.Run),
        ("activations", "3. nonsaturating activations", S03Activations.Run),
        ("batchnorm", "4. Batch Normalization", S04BatchNorm.Run),
        ("clipping", "5. gradient clipping", S05Clipping.Run),
        ("reuse", "6. reusing a pretrained model", S06Reuse.Run),
        ("freezing", "7. freezing lower layers, caching their outputs", S07Freezing.Run),
        ("pretraining", "8. unsupervised pretraining (autoencoders, RBMs)", S08Pretraining.Run),
        ("optimizers", "9. fast optimizers", S09Optimizers.Run),
        ("schedules", "10. learning-rate schedules and the rate finder", S10Schedules.Run),
        ("overfitting", "11. early stopping, L1/L2, dropout, max-norm", S11Overfitting.Run),
        ("transfer-story", "the worked example: classes 0-4, then 5-9 from 100 labels per class", S12TransferStory.Run),
    ];
}
