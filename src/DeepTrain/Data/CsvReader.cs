using System.Globalization;
using System.Text;

namespace DeepTrain.Data;

/// <summary>How <see cref="CsvReader"/> reads a file. All properties are optional.</summary>
public sealed class CsvOptions
{
    /// <summary>
    /// The label column by its header name (the file must then have a header). Takes precedence over
    /// <see cref="LabelColumnIndex"/>. Default: not set.
    /// </summary>
    public string? LabelColumn { get; init; }

    /// <summary>
    /// The label column by its 0-based index; a negative index counts from the end (-1 is the last column).
    /// Default: the last column.
    /// </summary>
    public int? LabelColumnIndex { get; init; }

    /// <summary>
    /// Whether the first row is a header. <c>null</c> (the default) detects it: the first row is a header when one of
    /// its feature cells is not a number. Naming the label column by <see cref="LabelColumn"/> implies a header.
    /// </summary>
    public bool? HasHeader { get; init; }

    /// <summary>The field separator. Default: a comma.</summary>
    public char Separator { get; init; } = ',';
}

/// <summary>A numeric CSV file as read by <see cref="CsvReader"/>: float32 features and class-index labels.</summary>
public sealed class CsvData
{
    internal CsvData(float[] features, int featureCount, int[] labels, int classes, string[]? classNames, string[] featureNames, string labelName)
    {
        Features = features;
        FeatureCount = featureCount;
        Labels = labels;
        Classes = classes;
        ClassNames = classNames;
        FeatureNames = featureNames;
        LabelName = labelName;
    }

    /// <summary>The features, <see cref="Rows"/> × <see cref="FeatureCount"/>, row-major.</summary>
    public float[] Features { get; }

    /// <summary>The number of data rows (examples).</summary>
    public int Rows => Labels.Length;

    /// <summary>The number of feature columns (all columns but the label).</summary>
    public int FeatureCount { get; }

    /// <summary>The class index of each row, in [0, <see cref="Classes"/>).</summary>
    public int[] Labels { get; }

    /// <summary>The number of classes.</summary>
    public int Classes { get; }

    /// <summary>
    /// The original label value of each class index when the labels were mapped (strings, or integers that are not
    /// exactly 0..K-1); <c>null</c> when the file's labels already were the class indices 0..K-1.
    /// </summary>
    public IReadOnlyList<string>? ClassNames { get; }

    /// <summary>The feature columns' names: from the header, or <c>column0</c>, <c>column1</c>, ... without one.</summary>
    public IReadOnlyList<string> FeatureNames { get; }

    /// <summary>The label column's name: from the header, or <c>columnN</c> without one.</summary>
    public string LabelName { get; }
}

/// <summary>
/// Reads numeric CSV files for classification: every column but one holds a number (invariant culture,
/// <c>1.5e-3</c> style), the label column holds the class. Blank lines are skipped; fields may be quoted.
/// </summary>
/// <remarks>
/// Labels become class indices 0..K-1. If the labels are integers forming exactly the set {0, ..., K-1} they are
/// used as they are. Otherwise (other integers, like 1..3, or strings, like <c>setosa</c>) the distinct values are
/// sorted (numerically for numbers, ordinally for strings), numbered 0..K-1, and kept as
/// <see cref="CsvData.ClassNames"/>. A numeric label that is not an integer (<c>2.5</c>) is an error.
/// Every problem is a <see cref="DataFormatException"/> naming the file and line.
/// </remarks>
public static class CsvReader
{
    /// <summary>Reads a CSV file.</summary>
    /// <param name="path">The file.</param>
    /// <param name="options">Label column, header and separator; <c>null</c> for the defaults (label in the last column, header detected, comma).</param>
    /// <returns>The features and labels.</returns>
    /// <exception cref="DataFormatException">The file is empty, ragged, has a non-numeric or non-finite feature cell, a non-integer numeric label, or the label column is not found.</exception>
    public static CsvData Read(string path, CsvOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= new CsvOptions();
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);

        int lineNo = 0;
        string[]? first = NextRow(reader, path, options.Separator, ref lineNo);
        if (first is null)
            throw new DataFormatException(path, "empty file: no rows");
        int firstLine = lineNo;
        int columns = first.Length;
        if (columns < 2)
            throw new DataFormatException(path, $"a row needs at least 2 columns (features and a label) but this one has {columns}", firstLine);

        bool hasHeader = options.HasHeader ?? (options.LabelColumn is not null || LooksLikeHeader(first, LabelIndexWithoutHeader(options, columns, path, firstLine)));
        int label = ResolveLabelColumn(options, first, hasHeader, path, firstLine);
        string[] names = hasHeader ? first : Enumerable.Range(0, columns).Select(i => $"column{i}").ToArray();

        var features = new List<float>();
        var labelCells = new List<string>();
        var labelLines = new List<int>();
        if (!hasHeader)
            AddRow(first, firstLine);
        string[]? row;
        while ((row = NextRow(reader, path, options.Separator, ref lineNo)) is not null)
        {
            if (row.Length != columns)
                throw new DataFormatException(path, $"ragged row: expected {columns} columns (as in line {firstLine}) but found {row.Length}", lineNo);
            AddRow(row, lineNo);
        }
        if (labelCells.Count == 0)
            throw new DataFormatException(path, "no data rows after the header");

        (int[] labels, int classes, string[]? classNames) = MapLabels(labelCells, labelLines, path);
        string[] featureNames = names.Where((_, i) => i != label).ToArray();
        return new CsvData(features.ToArray(), columns - 1, labels, classes, classNames, featureNames, names[label]);

        void AddRow(string[] cells, int line)
        {
            for (int c = 0; c < cells.Length; c++)
            {
                if (c == label)
                {
                    if (cells[c].Length == 0)
                        throw new DataFormatException(path, $"empty label in column {c} ('{names[c]}')", line);
                    labelCells.Add(cells[c]);
                    labelLines.Add(line);
                    continue;
                }
                string cell = cells[c];
                if (cell.Length == 0)
                    throw new DataFormatException(path, $"empty cell in column {c} ('{names[c]}')", line);
                if (!float.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out float value))
                    throw new DataFormatException(path, $"column {c} ('{names[c]}'): '{cell}' is not a number", line);
                if (!float.IsFinite(value))
                    throw new DataFormatException(path, $"column {c} ('{names[c]}'): '{cell}' is not a finite float32 number", line);
                features.Add(value);
            }
        }
    }

    private static int LabelIndexWithoutHeader(CsvOptions options, int columns, string path, int line)
    {
        if (options.LabelColumnIndex is not int index)
            return columns - 1;
        int resolved = index < 0 ? columns + index : index;
        if (resolved < 0 || resolved >= columns)
            throw new DataFormatException(path, $"label column index {index} is out of range: the file has {columns} columns", line);
        return resolved;
    }

    private static int ResolveLabelColumn(CsvOptions options, string[] first, bool hasHeader, string path, int line)
    {
        if (options.LabelColumn is not string name)
            return LabelIndexWithoutHeader(options, first.Length, path, line);
        if (!hasHeader)
            throw new DataFormatException(path, $"the label column is given by name ('{name}') but the file has no header", line);
        int found = Array.IndexOf(first, name);
        if (found < 0)
            throw new DataFormatException(path, $"no column named '{name}' in the header; the columns are: {string.Join(", ", first.Select(c => $"'{c}'"))}", line);
        return found;
    }

    private static bool LooksLikeHeader(string[] cells, int label)
    {
        for (int c = 0; c < cells.Length; c++)
            if (c != label && !float.TryParse(cells[c], NumberStyles.Float, CultureInfo.InvariantCulture, out _))
                return true;
        return false;
    }

    private static (int[] Labels, int Classes, string[]? ClassNames) MapLabels(List<string> cells, List<int> lines, string path)
    {
        int n = cells.Count;
        var numbers = new double[n];
        bool numeric = true;
        for (int i = 0; i < n && numeric; i++)
            numeric = double.TryParse(cells[i], NumberStyles.Float, CultureInfo.InvariantCulture, out numbers[i]);

        var labels = new int[n];
        if (!numeric)
        {
            string[] names = cells.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
            var index = new Dictionary<string, int>(StringComparer.Ordinal);
            for (int k = 0; k < names.Length; k++)
                index[names[k]] = k;
            for (int i = 0; i < n; i++)
                labels[i] = index[cells[i]];
            return (labels, names.Length, names);
        }

        var values = new long[n];
        for (int i = 0; i < n; i++)
        {
            double v = numbers[i];
            if (!double.IsFinite(v) || v != Math.Floor(v) || Math.Abs(v) > int.MaxValue)
                throw new DataFormatException(path, $"label '{cells[i]}' is not an integer class", lines[i]);
            values[i] = (long)v;
        }
        long[] distinct = values.Distinct().Order().ToArray();
        bool identity = distinct[0] == 0 && distinct[^1] == distinct.Length - 1;
        if (identity)
        {
            for (int i = 0; i < n; i++)
                labels[i] = (int)values[i];
            return (labels, distinct.Length, null);
        }
        var map = new Dictionary<long, int>();
        for (int k = 0; k < distinct.Length; k++)
            map[distinct[k]] = k;
        for (int i = 0; i < n; i++)
            labels[i] = map[values[i]];
        return (labels, distinct.Length, distinct.Select(v => v.ToString(CultureInfo.InvariantCulture)).ToArray());
    }

    // Returns the next non-blank row split into trimmed cells, or null at the end of the file.
    private static string[]? NextRow(StreamReader reader, string path, char separator, ref int lineNo)
    {
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNo++;
            if (!string.IsNullOrWhiteSpace(line))
                return Split(line, separator, path, lineNo);
        }
        return null;
    }

    // Splits one line; a field may be quoted ("a,b"), with "" standing for a quote inside it.
    private static string[] Split(string line, char separator, string path, int lineNo)
    {
        var cells = new List<string>();
        var cell = new StringBuilder();
        int i = 0;
        while (true)
        {
            cell.Clear();
            while (i < line.Length && line[i] != separator && char.IsWhiteSpace(line[i]))
                i++;
            if (i < line.Length && line[i] == '"')
            {
                i++;
                while (true)
                {
                    if (i >= line.Length)
                        throw new DataFormatException(path, "unterminated quoted field", lineNo);
                    if (line[i] == '"')
                    {
                        if (i + 1 < line.Length && line[i + 1] == '"')
                        {
                            cell.Append('"');
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    cell.Append(line[i++]);
                }
                while (i < line.Length && line[i] != separator)
                {
                    if (!char.IsWhiteSpace(line[i]))
                        throw new DataFormatException(path, $"unexpected '{line[i]}' after a quoted field", lineNo);
                    i++;
                }
                cells.Add(cell.ToString());
            }
            else
            {
                int start = i;
                while (i < line.Length && line[i] != separator)
                    i++;
                cells.Add(line[start..i].Trim());
            }
            if (i >= line.Length)
                return cells.ToArray();
            i++; // skip the separator
        }
    }
}
