namespace DeepTrain.Checkpoints;

/// <summary>
/// A model file that cannot be read or written: truncated, corrupt, of another format version, or not matching
/// the model it is loaded into. The message names the file, what is wrong and how to recover.
/// </summary>
public sealed class ModelFileException : Exception
{
    /// <summary>Makes the exception for the file at <paramref name="path"/>.</summary>
    /// <param name="path">The file (or a description of the source, such as <c>(in memory)</c>).</param>
    /// <param name="problem">What is wrong, and how to recover.</param>
    /// <param name="inner">The underlying error, if any.</param>
    public ModelFileException(string path, string problem, Exception? inner = null)
        : base($"model file '{path}': {problem}", inner)
    {
        Path = path;
        Problem = problem;
    }

    /// <summary>The file the problem is in.</summary>
    public string Path { get; }

    /// <summary>The problem alone, without the file name.</summary>
    public string Problem { get; }
}
