namespace DeepTrain.Distributed;

/// <summary>MPI is missing, failed, or was used wrongly (the message says which and what to do).</summary>
public class MpiException : Exception
{
    /// <summary>Makes the exception.</summary>
    /// <param name="message">What went wrong.</param>
    public MpiException(string message) : base(message) { }
}

/// <summary>
/// The processes of a data-parallel run disagree (a different model, data or setting on some of them). Every
/// process detects it at the same collective and throws the same message, so the run ends cleanly on all of them.
/// </summary>
public sealed class DistributedMismatchException : MpiException
{
    /// <summary>Makes the exception.</summary>
    /// <param name="message">What differs, with the values seen.</param>
    public DistributedMismatchException(string message) : base(message) { }
}
