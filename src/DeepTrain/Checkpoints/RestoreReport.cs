using System.Text;

namespace DeepTrain.Checkpoints;

/// <summary>One tensor copied from a file into a model.</summary>
/// <param name="FileName">Its name in the file.</param>
/// <param name="ModelName">The parameter or buffer it went into.</param>
/// <param name="Shape">Its shape, as <c>[784, 300]</c>.</param>
public sealed record RestoredTensor(string FileName, string ModelName, string Shape);

/// <summary>A file tensor that a partial restore did not use, and why.</summary>
/// <param name="FileName">Its name in the file.</param>
/// <param name="MappedName">Its name after the mapping.</param>
/// <param name="Reason">Why it was not used (outside the pattern, or no such parameter in the model).</param>
public sealed record UnusedTensor(string FileName, string MappedName, string Reason);

/// <summary>What <see cref="ModelFile.Restore"/> did: the tensors restored, the model's tensors left as they were, and the file's tensors not used.</summary>
public sealed class RestoreReport
{
    internal RestoreReport(string path, string pattern, IReadOnlyList<RestoredTensor> restored, IReadOnlyList<string> notRestored, IReadOnlyList<UnusedTensor> unused)
    {
        Path = path; Pattern = pattern; Restored = restored; NotRestored = notRestored; Unused = unused;
    }

    /// <summary>The file restored from.</summary>
    public string Path { get; }

    /// <summary>The name pattern used.</summary>
    public string Pattern { get; }

    /// <summary>The tensors copied into the model.</summary>
    public IReadOnlyList<RestoredTensor> Restored { get; }

    /// <summary>The model's parameters and buffers left at their values (their initial values in a new model).</summary>
    public IReadOnlyList<string> NotRestored { get; }

    /// <summary>The file's tensors that were not used (optimizer state is not listed).</summary>
    public IReadOnlyList<UnusedTensor> Unused { get; }

    /// <summary>The report as a table-like text.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.AppendLine($"restore from '{Path}' with pattern '{Pattern}': {Restored.Count} restored, {NotRestored.Count} left as they were, {Unused.Count} unused in the file");
        int w = Math.Max(10, Restored.Select(r => r.ModelName.Length).Concat(NotRestored.Select(n => n.Length)).Concat(Unused.Select(u => u.FileName.Length)).DefaultIfEmpty(0).Max());
        sb.AppendLine($"  {"status",-10} {"name".PadRight(w)}  detail");
        foreach (var r in Restored)
            sb.AppendLine($"  {"restored",-10} {r.ModelName.PadRight(w)}  {r.Shape}{(r.FileName != r.ModelName ? $" from '{r.FileName}'" : "")}");
        foreach (var n in NotRestored)
            sb.AppendLine($"  {"initial",-10} {n.PadRight(w)}  not restored");
        foreach (var u in Unused)
            sb.AppendLine($"  {"unused",-10} {u.FileName.PadRight(w)}  {u.Reason}{(u.MappedName != u.FileName ? $" (mapped to '{u.MappedName}')" : "")}");
        return sb.ToString();
    }
}
