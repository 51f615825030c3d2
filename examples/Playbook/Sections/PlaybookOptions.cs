namespace Playbook;

/// <summary>What every section of the playbook takes: which data, how big a run, where to write.</summary>
public sealed class PlaybookOptions
{
    /// <summary>"digits" (bundled, default) or "fashion-mnist" (or a directory of IDX files).</summary>
    public string Data { get; init; } = "digits";

    /// <summary>Tiny subsets, one or two epochs, narrow layers: a smoke run of a few seconds (used by the tests).</summary>
    public bool Small { get; init; }

    /// <summary>Where the section prints its results.</summary>
    public TextWriter Output { get; init; } = Console.Out;

    /// <summary>Where model files go.</summary>
    public string WorkDirectory { get; init; } = Path.Combine(Path.GetTempPath(), "deeptrain-playbook");

    /// <summary>The seed of every model and split.</summary>
    public int Seed { get; init; } = 42;

    /// <summary><paramref name="full"/> for a normal run, <paramref name="small"/> for a smoke run.</summary>
    public T Pick<T>(T full, T small) => Small ? small : full;
}

/// <summary>The figures a section measured, by name (what the tests check and the guide quotes).</summary>
public sealed class Figures : Dictionary<string, double>
{
}
