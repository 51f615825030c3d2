namespace DeepTrain;
/// <summary>Version information.</summary>
public static class Info { /// <summary>The library version.</summary>
 public const string Version = "0.1.0"; }
