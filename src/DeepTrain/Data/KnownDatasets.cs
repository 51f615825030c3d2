namespace DeepTrain.Data;

/// <summary>
/// Resolves the <c>--data</c> value of the command line to a (train, test) pair of datasets:
/// <list type="bullet">
/// <item><c>digits</c> (the default): 10,000 real MNIST digits bundled with DeepTrain (8,000 train, 2,000 test), found
/// in <c>data/digits</c> next to the program or in a parent directory (see <see cref="FindDigitsDirectory"/>);</item>
/// <item><c>fashion-mnist</c>: Fashion-MNIST (60,000 + 10,000) from Debian's <c>dataset-fashion-mnist</c> package in
/// <see cref="FashionMnistDirectory"/>;</item>
/// <item>a directory: the four standard IDX files in it (see <see cref="LoadIdxDirectory"/>).</item>
/// </list>
/// Names are matched case-insensitively and take precedence over a directory of the same name (write <c>./digits</c>
/// for the directory).
/// </summary>
public static class KnownDatasets
{
    /// <summary>The dataset used when none is named: the bundled digits.</summary>
    public const string DefaultName = "digits";

    /// <summary>The name of Fashion-MNIST.</summary>
    public const string FashionMnistName = "fashion-mnist";

    /// <summary>Where Debian's <c>dataset-fashion-mnist</c> package installs the files.</summary>
    public const string FashionMnistDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>The bundled digits' directory relative to the program or a parent directory.</summary>
    public static readonly string DigitsRelativeDirectory = Path.Combine("data", "digits");

    /// <summary>The known dataset names.</summary>
    public static IReadOnlyList<string> Names { get; } = [DefaultName, FashionMnistName];

    /// <summary>Fashion-MNIST's ten class names, by label.</summary>
    public static IReadOnlyList<string> FashionMnistClassNames { get; } =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>The standard IDX file names, without the optional <c>.gz</c>: train images, train labels, test images, test labels.</summary>
    public static IReadOnlyList<string> IdxFileNames { get; } =
        ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];

    /// <summary>Loads the training and test sets named by a <c>--data</c> value.</summary>
    /// <param name="data">A known name (<see cref="Names"/>), a directory of IDX files, or <c>null</c>/empty for <see cref="DefaultName"/>.</param>
    /// <returns>The training and the test set.</returns>
    /// <exception cref="DatasetNotFoundException">The dataset is not installed, the directory lacks a file, or the value is neither a name nor a directory.</exception>
    /// <exception cref="DataFormatException">A file is malformed.</exception>
    public static (Dataset Train, Dataset Test) Load(string? data = null)
    {
        if (string.IsNullOrWhiteSpace(data) || data.Equals(DefaultName, StringComparison.OrdinalIgnoreCase))
            return LoadIdxDirectory(FindDigitsDirectory());
        if (data.Equals(FashionMnistName, StringComparison.OrdinalIgnoreCase))
        {
            string? missing = IdxFileNames.FirstOrDefault(name => FindIdxFile(FashionMnistDirectory, name) is null);
            if (missing is not null)
                throw new DatasetNotFoundException(
                    $"Fashion-MNIST is not installed: {Path.Combine(FashionMnistDirectory, missing)}.gz is missing. " +
                    "Install it with: apt-get install dataset-fashion-mnist");
            return LoadIdxDirectory(FashionMnistDirectory, FashionMnistClassNames);
        }
        if (Directory.Exists(data))
            return LoadIdxDirectory(data);
        if (File.Exists(data))
            throw new DatasetNotFoundException(
                $"'{data}' is a file; --data takes a dataset name ({string.Join(", ", Names)}) or a directory holding the four IDX files ({string.Join(", ", IdxFileNames)}, each optionally .gz)");
        throw new DatasetNotFoundException(
            $"'{data}' is neither a known dataset ({string.Join(", ", Names)}) nor an existing directory (full path: {Path.GetFullPath(data)})");
    }

    /// <summary>
    /// Loads <c>train-images-idx3-ubyte</c>, <c>train-labels-idx1-ubyte</c>, <c>t10k-images-idx3-ubyte</c> and
    /// <c>t10k-labels-idx1-ubyte</c> from a directory, each as <c>.gz</c> (preferred when both exist) or raw.
    /// </summary>
    /// <param name="directory">The directory.</param>
    /// <param name="classNames">Optional class names for both sets.</param>
    /// <returns>The training and the test set; both get the larger of their class counts.</returns>
    /// <exception cref="DatasetNotFoundException">The directory or one of the files is missing.</exception>
    /// <exception cref="DataFormatException">A file is malformed.</exception>
    public static (Dataset Train, Dataset Test) LoadIdxDirectory(string directory, IReadOnlyList<string>? classNames = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (!Directory.Exists(directory))
            throw new DatasetNotFoundException($"dataset directory '{directory}' does not exist");
        var paths = new string[IdxFileNames.Count];
        for (int i = 0; i < paths.Length; i++)
            paths[i] = FindIdxFile(directory, IdxFileNames[i])
                ?? throw new DatasetNotFoundException(
                    $"{Path.Combine(directory, IdxFileNames[i])}[.gz] not found; an IDX dataset directory needs {string.Join(", ", IdxFileNames)} (each optionally .gz)");
        Dataset train = Dataset.FromIdx(paths[0], paths[1], classNames);
        Dataset test = Dataset.FromIdx(paths[2], paths[3], classNames);
        if (train.Features != test.Features)
            throw new DataFormatException(paths[2], $"test images have {test.Features} values each but the training images ({paths[0]}) have {train.Features}");
        if (classNames is null && train.Classes != test.Classes)
        {
            // A class may be missing from one set (say, a small test set): give both the same number of classes.
            int classes = Math.Max(train.Classes, test.Classes);
            train = train.WithClasses(classes);
            test = test.WithClasses(classes);
        }
        return (train, test);
    }

    /// <summary>
    /// Finds the directory of the bundled digits: first <c>data/digits</c> under <see cref="AppContext.BaseDirectory"/>
    /// (where the build copies it), then <c>data/digits</c> in each parent of the current directory and of
    /// <see cref="AppContext.BaseDirectory"/> (for runs from a source checkout).
    /// </summary>
    /// <returns>The directory holding <c>train-images-idx3-ubyte.gz</c>.</returns>
    /// <exception cref="DatasetNotFoundException">No such directory was found.</exception>
    public static string FindDigitsDirectory()
    {
        const string marker = "train-images-idx3-ubyte.gz";
        string besideProgram = Path.Combine(AppContext.BaseDirectory, DigitsRelativeDirectory);
        if (File.Exists(Path.Combine(besideProgram, marker)))
            return besideProgram;
        foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (DirectoryInfo? dir = new(start); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, DigitsRelativeDirectory);
                if (File.Exists(Path.Combine(candidate, marker)))
                    return candidate;
            }
        }
        throw new DatasetNotFoundException(
            $"the bundled digits ({Path.Combine(DigitsRelativeDirectory, marker)}) were not found: not in {besideProgram}, " +
            $"nor under any parent of {Directory.GetCurrentDirectory()} or {AppContext.BaseDirectory}. " +
            "Run from the source tree, regenerate them with data/digits/make_digits.js, or pass --data <directory>");
    }

    private static string? FindIdxFile(string directory, string name)
    {
        string gz = Path.Combine(directory, name + ".gz");
        if (File.Exists(gz))
            return gz;
        string raw = Path.Combine(directory, name);
        return File.Exists(raw) ? raw : null;
    }
}
