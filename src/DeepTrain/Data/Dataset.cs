using DeepTrain.Kernels;

namespace DeepTrain.Data;

/// <summary>
/// A classification dataset: <see cref="Count"/> examples of <see cref="Features"/> features, each with a class
/// index in [0, <see cref="Classes"/>).
/// </summary>
/// <remarks>
/// The data stays in its compact form: one byte per feature for IDX images (converted as <c>byte / 255</c>), or
/// float32 for CSV and arrays. <see cref="GetBatch"/> converts only the requested rows into a caller-owned float32
/// buffer, applying the attached <see cref="Standardizer"/> if any, without allocating.
/// Datasets are immutable except for the attached standardizer (<see cref="Standardize"/>); subsets copy the rows
/// they keep. Reading batches from several threads at once is safe.
/// </remarks>
public sealed unsafe class Dataset
{
    private readonly byte[]? _bytes;
    private readonly float[]? _floats;
    private readonly int[] _labels;
    private readonly string[]? _classNames;

    private Dataset(byte[]? bytes, float[]? floats, int[] labels, int features, int classes, string[]? classNames, Standardizer? standardizer)
    {
        _bytes = bytes;
        _floats = floats;
        _labels = labels;
        Features = features;
        Classes = classes;
        _classNames = classNames;
        Standardizer = standardizer;
    }

    /// <summary>The number of examples.</summary>
    public int Count => _labels.Length;

    /// <summary>The number of features per example (784 for MNIST).</summary>
    public int Features { get; }

    /// <summary>The number of classes; every label is in [0, Classes).</summary>
    public int Classes { get; }

    /// <summary>The name of each class (e.g. <c>Ankle boot</c>), or <c>null</c> when the classes are just numbered.</summary>
    public IReadOnlyList<string>? ClassNames => _classNames;

    /// <summary>The label (class index) of each example.</summary>
    public ReadOnlySpan<int> Labels => _labels;

    /// <summary>Whether the features are stored as bytes (scaled by 1/255 on conversion) rather than float32.</summary>
    public bool IsCompact => _bytes is not null;

    /// <summary>The standardization applied by <see cref="GetBatch"/>, or <c>null</c> for none.</summary>
    public Standardizer? Standardizer { get; private set; }

    /// <summary>Loads an IDX image file and its label file (raw or gzip), keeping the pixels as bytes.</summary>
    /// <param name="imagesPath">The images, e.g. <c>train-images-idx3-ubyte.gz</c>.</param>
    /// <param name="labelsPath">The labels, e.g. <c>train-labels-idx1-ubyte.gz</c>.</param>
    /// <param name="classNames">Optional class names; when given, their count is the number of classes.</param>
    /// <returns>The dataset; without class names, <see cref="Classes"/> is the largest label + 1.</returns>
    /// <exception cref="DataFormatException">A file is malformed, the counts differ, or a label is not below the number of class names.</exception>
    public static Dataset FromIdx(string imagesPath, string labelsPath, IReadOnlyList<string>? classNames = null)
    {
        (IdxArray images, byte[] labelBytes) = IdxReader.ReadImagesAndLabels(imagesPath, labelsPath);
        var labels = new int[labelBytes.Length];
        for (int i = 0; i < labels.Length; i++)
            labels[i] = labelBytes[i];
        if (classNames is not null)
        {
            int bad = Array.FindIndex(labels, l => l >= classNames.Count);
            if (bad >= 0)
                throw new DataFormatException(labelsPath, $"label {labels[bad]} of example {bad} is not below the {classNames.Count} known classes");
        }
        return Create(images.Data, null, labels, images.ItemSize, classNames?.Count, classNames);
    }

    /// <summary>Loads a numeric CSV file (see <see cref="CsvReader"/>), keeping float32 features.</summary>
    /// <param name="path">The file.</param>
    /// <param name="options">Label column, header and separator; <c>null</c> for the defaults.</param>
    /// <returns>The dataset, with the class names of the file when its labels were mapped.</returns>
    /// <exception cref="DataFormatException">The file is malformed.</exception>
    public static Dataset FromCsv(string path, CsvOptions? options = null)
    {
        CsvData csv = CsvReader.Read(path, options);
        return Create(null, csv.Features, csv.Labels, csv.FeatureCount, csv.Classes, csv.ClassNames);
    }

    /// <summary>Wraps float32 features (not copied: do not modify the arrays afterwards).</summary>
    /// <param name="x">The features, <c>y.Length</c> × <paramref name="features"/>, row-major.</param>
    /// <param name="y">The class index of each example.</param>
    /// <param name="features">The number of features per example.</param>
    /// <param name="classes">The number of classes; <c>null</c> for the class-name count, else the largest label + 1.</param>
    /// <param name="classNames">Optional class names.</param>
    /// <returns>The dataset.</returns>
    /// <exception cref="ArgumentException">The sizes disagree or a label is out of range.</exception>
    public static Dataset FromArrays(float[] x, int[] y, int features, int? classes = null, IReadOnlyList<string>? classNames = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Create(null, x, y, features, classes, classNames);
    }

    /// <summary>Wraps byte features, converted as <c>byte / 255</c> (not copied: do not modify the arrays afterwards).</summary>
    /// <param name="x">The features, <c>y.Length</c> × <paramref name="features"/>, row-major.</param>
    /// <param name="y">The class index of each example.</param>
    /// <param name="features">The number of features per example.</param>
    /// <param name="classes">The number of classes; <c>null</c> for the class-name count, else the largest label + 1.</param>
    /// <param name="classNames">Optional class names.</param>
    /// <returns>The dataset.</returns>
    /// <exception cref="ArgumentException">The sizes disagree or a label is out of range.</exception>
    public static Dataset FromBytes(byte[] x, int[] y, int features, int? classes = null, IReadOnlyList<string>? classNames = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Create(x, null, y, features, classes, classNames);
    }

    private static Dataset Create(byte[]? bytes, float[]? floats, int[] y, int features, int? classes, IReadOnlyList<string>? classNames)
    {
        ArgumentNullException.ThrowIfNull(y);
        ArgumentOutOfRangeException.ThrowIfLessThan(features, 1);
        long length = bytes?.LongLength ?? floats!.LongLength;
        if (length != (long)y.Length * features)
            throw new ArgumentException($"the features must hold labels × features = {y.Length} × {features} = {(long)y.Length * features} values: got {length}", nameof(y));
        if (classes is int c && classNames is not null && c != classNames.Count)
            throw new ArgumentException($"classes ({c}) and the number of class names ({classNames.Count}) differ", nameof(classNames));
        int max = -1;
        for (int i = 0; i < y.Length; i++)
        {
            if (y[i] < 0)
                throw new ArgumentException($"labels must be class indices >= 0: label {i} is {y[i]}", nameof(y));
            max = Math.Max(max, y[i]);
        }
        int k = classes ?? classNames?.Count ?? max + 1;
        if (max >= k)
            throw new ArgumentException($"labels must be below the number of classes ({k}): found {max}", nameof(y));
        return new Dataset(bytes, floats, y, features, k, classNames?.ToArray(), null);
    }

    /// <summary>
    /// Converts the examples at <paramref name="indices"/> into float32 rows and copies their labels; applies the
    /// attached <see cref="Standardizer"/> if any. Allocates nothing.
    /// </summary>
    /// <param name="indices">The examples to fetch, each in [0, <see cref="Count"/>).</param>
    /// <param name="x">Destination, exactly <c>indices.Length</c> × <see cref="Features"/> floats, row-major.</param>
    /// <param name="labels">Destination, exactly <c>indices.Length</c> labels.</param>
    /// <exception cref="ArgumentException">A destination has the wrong length.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An index is out of range.</exception>
    public void GetBatch(ReadOnlySpan<int> indices, Span<float> x, Span<int> labels)
    {
        int f = Features;
        if (x.Length != (long)indices.Length * f)
            throw new ArgumentException($"x must hold indices × features = {indices.Length} × {f} = {(long)indices.Length * f} floats: got {x.Length}", nameof(x));
        if (labels.Length != indices.Length)
            throw new ArgumentException($"labels must hold {indices.Length} values (one per index): got {labels.Length}", nameof(labels));
        for (int j = 0; j < indices.Length; j++)
        {
            int i = indices[j];
            if ((uint)i >= (uint)_labels.Length)
                throw new ArgumentOutOfRangeException(nameof(indices), $"index {i} (position {j}) is outside [0, {_labels.Length})");
            labels[j] = _labels[i];
        }
        // A batch is a few hundred kilobytes of rows scattered over the dataset: worth both cores when it is large.
        int parts = (long)indices.Length * f >= ParallelBatchFloats ? Math.Min(Gemm.MaxThreads, indices.Length) : 1;
        fixed (int* pi = indices)
        fixed (float* px = x)
        {
            var job = t_batchJob ??= new BatchJob();
            job.Source = this; job.Indices = pi; job.Count = indices.Length; job.X = px;
            try
            {
                ParallelWorker.Run(job, parts);
            }
            finally
            {
                job.Source = null; job.Indices = null; job.X = null;
            }
        }
    }

    /// <summary>Batches of at least this many floats are converted on all the kernel threads.</summary>
    internal static int ParallelBatchFloats { get; set; } = 1 << 14;

    [ThreadStatic] private static BatchJob? t_batchJob;

    // Rows [Count·part/parts, Count·(part+1)/parts) of a batch: each row is converted by one thread, so the result does
    // not depend on the split.
    private sealed class BatchJob : ParallelJob
    {
        public Dataset? Source;
        public int* Indices;
        public int Count;
        public float* X;

        public override void Execute(int part, int parts)
        {
            int f = Source!.Features;
            int begin = Count * part / parts, end = Count * (part + 1) / parts;
            for (int j = begin; j < Math.Min(end, begin + PrefetchRows); j++) Source.PrefetchRow(Indices[j]);
            for (int j = begin; j < end; j++)
            {
                if (j + PrefetchRows < end) Source.PrefetchRow(Indices[j + PrefetchRows]);
                var row = new Span<float>(X + (long)j * f, f);
                Source.ReadRawRow(Indices[j], row);
                Source.Standardizer?.ApplyRow(row);
            }
        }
    }

    // How many rows ahead of the one being converted a batch job asks for (ConvertKernels.Prefetch).
    private const int PrefetchRows = 4;

    private void PrefetchRow(int index)
    {
        long f = Features;
        if (_bytes is not null)
            fixed (byte* p = _bytes) Kernels.ConvertKernels.Prefetch(p + index * f, f);
        else
            fixed (float* p = _floats) Kernels.ConvertKernels.Prefetch(p + index * f, f * sizeof(float));
    }

    // Bytes become byte / 255 exactly (ConvertKernels.BytesToUnit), matching the usual `pixels.float() / 255`.
    internal void ReadRawRow(int index, Span<float> row)
    {
        int f = Features;
        if (_bytes is not null)
        {
            Kernels.ConvertKernels.BytesToUnit(_bytes.AsSpan(index * f, f), row);
        }
        else
        {
            _floats.AsSpan(index * f, f).CopyTo(row);
        }
    }

    /// <summary>Counts the examples of each class.</summary>
    /// <returns>An array of <see cref="Classes"/> counts.</returns>
    public int[] CountPerClass()
    {
        var counts = new int[Classes];
        foreach (int label in _labels)
            counts[label]++;
        return counts;
    }

    /// <summary>A new dataset of the given examples, in the given order (rows are copied, the storage form is kept).</summary>
    /// <param name="indices">Examples to keep, each in [0, <see cref="Count"/>); repeats are allowed.</param>
    /// <returns>The subset, with the same classes, class names and standardizer.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An index is out of range.</exception>
    public Dataset Subset(ReadOnlySpan<int> indices) => Gather(indices, null, Classes, _classNames);

    // Copies the rows at `indices`; labels go through `relabel` (old class -> new class) when it is given.
    private Dataset Gather(ReadOnlySpan<int> indices, int[]? relabel, int classes, string[]? classNames)
    {
        int f = Features;
        var labels = new int[indices.Length];
        byte[]? bytes = _bytes is null ? null : new byte[(long)indices.Length * f];
        float[]? floats = _floats is null ? null : new float[(long)indices.Length * f];
        for (int j = 0; j < indices.Length; j++)
        {
            int i = indices[j];
            if ((uint)i >= (uint)_labels.Length)
                throw new ArgumentOutOfRangeException(nameof(indices), $"index {i} (position {j}) is outside [0, {_labels.Length})");
            if (bytes is not null)
                _bytes.AsSpan(i * f, f).CopyTo(bytes.AsSpan(j * f, f));
            else
                _floats.AsSpan(i * f, f).CopyTo(floats.AsSpan(j * f, f));
            labels[j] = relabel is null ? _labels[i] : relabel[_labels[i]];
        }
        return new Dataset(bytes, floats, labels, f, classes, classNames, Standardizer);
    }

    /// <summary>
    /// Splits off a random validation set of <c>round(Count × validationFraction)</c> examples; the rest is the
    /// training set. Both keep the original order of their examples.
    /// </summary>
    /// <param name="validationFraction">The fraction in [0, 1] that goes to validation.</param>
    /// <param name="seed">The seed of the shuffle; the same seed gives the same split.</param>
    /// <returns>The training and the validation set.</returns>
    public (Dataset Train, Dataset Validation) Split(double validationFraction, int seed) => Split(validationFraction, new Random(seed));

    /// <summary>Like <see cref="Split(double, int)"/>, drawing from <paramref name="random"/>.</summary>
    /// <param name="validationFraction">The fraction in [0, 1] that goes to validation.</param>
    /// <param name="random">The generator of the shuffle.</param>
    /// <returns>The training and the validation set.</returns>
    public (Dataset Train, Dataset Validation) Split(double validationFraction, Random random)
    {
        if (!(validationFraction >= 0 && validationFraction <= 1))
            throw new ArgumentOutOfRangeException(nameof(validationFraction), $"validationFraction must be in [0, 1]: got {validationFraction}");
        return Split((int)Math.Round(Count * validationFraction, MidpointRounding.AwayFromZero), random);
    }

    /// <summary>
    /// Splits off a random validation set of exactly <paramref name="validationCount"/> examples; the rest is the
    /// training set. Both keep the original order of their examples.
    /// </summary>
    /// <param name="validationCount">How many examples go to validation, in [0, <see cref="Count"/>].</param>
    /// <param name="seed">The seed of the shuffle; the same seed gives the same split.</param>
    /// <returns>The training and the validation set.</returns>
    public (Dataset Train, Dataset Validation) Split(int validationCount, int seed) => Split(validationCount, new Random(seed));

    /// <summary>Like <see cref="Split(int, int)"/>, drawing from <paramref name="random"/>.</summary>
    /// <param name="validationCount">How many examples go to validation, in [0, <see cref="Count"/>].</param>
    /// <param name="random">The generator of the shuffle.</param>
    /// <returns>The training and the validation set.</returns>
    public (Dataset Train, Dataset Validation) Split(int validationCount, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        if (validationCount < 0 || validationCount > Count)
            throw new ArgumentOutOfRangeException(nameof(validationCount), $"validationCount must be in [0, {Count}]: got {validationCount}");
        int[] order = Identity(Count);
        BatchIterator.ShuffleInPlace(order, random);
        int[] validation = order[..validationCount];
        int[] train = order[validationCount..];
        Array.Sort(validation);
        Array.Sort(train);
        return (Subset(train), Subset(validation));
    }

    /// <summary>
    /// Keeps at most <paramref name="perClass"/> randomly chosen examples of each class (all of a class that has
    /// fewer), in their original order.
    /// </summary>
    /// <param name="perClass">How many examples to keep per class, at least 1.</param>
    /// <param name="seed">The seed of the choice.</param>
    /// <returns>The reduced dataset.</returns>
    public Dataset TakePerClass(int perClass, int seed) => TakePerClass(perClass, new Random(seed));

    /// <summary>Like <see cref="TakePerClass(int, int)"/>, drawing from <paramref name="random"/>.</summary>
    /// <param name="perClass">How many examples to keep per class, at least 1.</param>
    /// <param name="random">The generator of the choice.</param>
    /// <returns>The reduced dataset.</returns>
    public Dataset TakePerClass(int perClass, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        if (perClass < 1)
            throw new ArgumentOutOfRangeException(nameof(perClass), $"perClass must be at least 1: got {perClass}");
        var keep = new List<int>();
        int[] counts = CountPerClass();
        for (int c = 0; c < Classes; c++)
        {
            var members = new int[counts[c]];
            int m = 0;
            for (int i = 0; i < _labels.Length; i++)
                if (_labels[i] == c)
                    members[m++] = i;
            BatchIterator.ShuffleInPlace(members, random);
            keep.AddRange(members.Take(perClass));
        }
        int[] indices = keep.ToArray();
        Array.Sort(indices);
        return Subset(indices);
    }

    /// <summary>
    /// Keeps only the examples of the given classes, in their original order. With <paramref name="relabel"/>,
    /// class <c>classes[k]</c> becomes class <c>k</c> (so classes 5..9 become 0..4) and the dataset has
    /// <c>classes.Length</c> classes; without it the labels and the class count are unchanged.
    /// </summary>
    /// <param name="classes">Distinct classes, each in [0, <see cref="Classes"/>).</param>
    /// <param name="relabel">Whether to renumber the kept classes 0..classes.Length-1.</param>
    /// <returns>The filtered dataset.</returns>
    /// <exception cref="ArgumentException">A class is out of range or repeated.</exception>
    public Dataset FilterClasses(int[] classes, bool relabel)
    {
        ArgumentNullException.ThrowIfNull(classes);
        var newLabel = new int[Classes];
        Array.Fill(newLabel, -1);
        for (int k = 0; k < classes.Length; k++)
        {
            int c = classes[k];
            if (c < 0 || c >= Classes)
                throw new ArgumentException($"class {c} is outside [0, {Classes})", nameof(classes));
            if (newLabel[c] >= 0)
                throw new ArgumentException($"class {c} is listed twice", nameof(classes));
            newLabel[c] = relabel ? k : c;
        }
        var indices = new List<int>();
        for (int i = 0; i < _labels.Length; i++)
            if (newLabel[_labels[i]] >= 0)
                indices.Add(i);
        if (!relabel)
            return Subset(indices.ToArray());
        string[]? names = _classNames is null ? null : classes.Select(c => _classNames[c]).ToArray();
        return Gather(indices.ToArray(), newLabel, classes.Length, names);
    }

    /// <summary>
    /// Measures each feature's mean and standard deviation on this dataset (as converted, e.g. <c>byte / 255</c>),
    /// attaches the result so that <see cref="GetBatch"/> standardizes from now on, and returns it so that it can be
    /// applied to validation and test sets with <see cref="WithStandardizer"/>. Any previous standardizer is ignored
    /// while measuring and then replaced.
    /// </summary>
    /// <returns>The standardizer fitted on this dataset.</returns>
    /// <exception cref="InvalidOperationException">The dataset is empty.</exception>
    public Standardizer Standardize()
    {
        Standardizer fitted = Standardizer.Fit(this);
        Standardizer = fitted;
        return fitted;
    }

    /// <summary>The same examples (storage shared, not copied) with another standardizer attached.</summary>
    /// <param name="standardizer">The standardizer to apply in <see cref="GetBatch"/>, typically fitted on the training set; <c>null</c> for none.</param>
    /// <returns>The new dataset.</returns>
    /// <exception cref="ArgumentException">The standardizer has a different number of features.</exception>
    public Dataset WithStandardizer(Standardizer? standardizer)
    {
        if (standardizer is not null && standardizer.Features != Features)
            throw new ArgumentException($"the standardizer has {standardizer.Features} features but the dataset has {Features}", nameof(standardizer));
        return new Dataset(_bytes, _floats, _labels, Features, Classes, _classNames, standardizer);
    }

    // The same examples with a larger class count (a class absent from this set but present in its sibling).
    internal Dataset WithClasses(int classes)
    {
        if (classes < Classes)
            throw new ArgumentOutOfRangeException(nameof(classes), $"classes can only grow: {Classes} -> {classes}");
        return new Dataset(_bytes, _floats, _labels, Features, classes, _classNames, Standardizer);
    }

    private static int[] Identity(int n)
    {
        var order = new int[n];
        for (int i = 0; i < n; i++)
            order[i] = i;
        return order;
    }
}
