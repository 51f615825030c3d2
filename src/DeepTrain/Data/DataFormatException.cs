namespace DeepTrain.Data;

/// <summary>
/// A data file (IDX, CSV) is malformed: truncated, wrong magic number, unsupported type, ragged rows,
/// non-numeric cells and the like. The message always starts with the file's path (and the line, for text
/// files) and then says what is wrong, for instance
/// <c>train-images-idx3-ubyte.gz: truncated: header says 60000 images of 28x28 (47040000 bytes) but the file holds 1234 bytes of data</c>.
/// </summary>
public sealed class DataFormatException : Exception
{
    /// <summary>Creates the exception for a problem in <paramref name="filePath"/>.</summary>
    /// <param name="filePath">The file that is malformed, as the caller named it.</param>
    /// <param name="problem">What is wrong, e.g. <c>wrong magic number 0x12345678</c>.</param>
    /// <param name="line">The 1-based line of a text file where the problem is, or <c>null</c>.</param>
    /// <param name="innerException">The underlying error (e.g. a gzip decoding error), or <c>null</c>.</param>
    public DataFormatException(string filePath, string problem, int? line = null, Exception? innerException = null)
        : base(Format(filePath, problem, line), innerException)
    {
        FilePath = filePath;
        Problem = problem;
        Line = line;
    }

    /// <summary>The path of the malformed file, as given by the caller.</summary>
    public string FilePath { get; }

    /// <summary>What is wrong with the file, without the file name.</summary>
    public string Problem { get; }

    /// <summary>The 1-based line number for text formats, or <c>null</c> when the problem is not tied to a line.</summary>
    public int? Line { get; }

    private static string Format(string filePath, string problem, int? line) =>
        line is int l ? $"{filePath}:{l}: {problem}" : $"{filePath}: {problem}";
}
