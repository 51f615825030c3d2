namespace DeepTrain.Data;

/// <summary>
/// A dataset named by the user (a known name such as <c>fashion-mnist</c>, or a directory) is not there.
/// The message names what was looked for, where, and how to get it (e.g. <c>apt-get install dataset-fashion-mnist</c>).
/// </summary>
public sealed class DatasetNotFoundException : Exception
{
    /// <summary>Creates the exception with a message that says what is missing and how to get it.</summary>
    /// <param name="message">The full explanation.</param>
    public DatasetNotFoundException(string message) : base(message)
    {
    }
}
