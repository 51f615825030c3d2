namespace DeepTrain.Schedules;

/// <summary>Whether a watched metric improves by going down (a loss) or up (an accuracy).</summary>
public enum PlateauMode
{
    /// <summary>Lower is better.</summary>
    Min,
    /// <summary>Higher is better.</summary>
    Max,
}
