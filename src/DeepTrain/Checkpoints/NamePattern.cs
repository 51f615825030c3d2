using System.Text.RegularExpressions;

namespace DeepTrain.Checkpoints;

/// <summary>
/// A regular expression over full parameter names (<c>hidden1.weight</c>), as freezing and partial restore use
/// it: it must match the whole name, or the whole of a leading part that ends at a dot. So <c>hidden[123]</c>
/// selects every parameter of layers hidden1 to hidden3 (but not hidden10), <c>hidden1\.weight</c> selects one
/// parameter, and <c>.*</c> selects everything.
/// </summary>
public sealed class NamePattern
{
    private readonly Regex _regex;

    /// <summary>Compiles <paramref name="pattern"/>; an invalid expression is an <see cref="ArgumentException"/>.</summary>
    public NamePattern(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        Pattern = pattern;
        try { _regex = new Regex($"^(?:{pattern})(?:\\..*)?$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)); }
        catch (ArgumentException ex) { throw new ArgumentException($"'{pattern}' is not a valid regular expression: {ex.Message}", nameof(pattern), ex); }
    }

    /// <summary>The expression as given.</summary>
    public string Pattern { get; }

    /// <summary>True when <paramref name="name"/> is selected.</summary>
    public bool IsMatch(string name) => _regex.IsMatch(name);

    /// <inheritdoc/>
    public override string ToString() => Pattern;
}
