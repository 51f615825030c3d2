namespace DeepTrain.Optimizers;

/// <summary>Eager validation of hyper-parameters, with the option's name and the bad value in the message.</summary>
internal static class Check
{
    public static void NonNegative(float v, string name)
    {
        if (!(v >= 0) || !float.IsFinite(v)) throw new ArgumentException($"{name} must be a finite number >= 0: got {v}");
    }

    public static void Positive(float v, string name)
    {
        if (!(v > 0) || !float.IsFinite(v)) throw new ArgumentException($"{name} must be a finite number > 0: got {v}");
    }

    /// <summary>v in [0, 1).</summary>
    public static void UnitInterval(float v, string name)
    {
        if (!(v >= 0 && v < 1)) throw new ArgumentException($"{name} must be in [0, 1): got {v}");
    }
}
