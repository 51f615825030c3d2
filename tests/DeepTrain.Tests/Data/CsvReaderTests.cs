using DeepTrain.Data;

namespace DeepTrain.Tests.Data;

public class CsvReaderTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void ReadsHeaderFeaturesAndLabelInLastColumn()
    {
        string path = _dir.WriteText("a.csv", "x1,x2,label\n1.5,-2,0\n3e-1,4,2\n\n5,6.25,1\n");

        CsvData csv = CsvReader.Read(path);

        Assert.Equal(3, csv.Rows);
        Assert.Equal(2, csv.FeatureCount);
        Assert.Equal([1.5f, -2f, 0.3f, 4f, 5f, 6.25f], csv.Features);
        Assert.Equal([0, 2, 1], csv.Labels);
        Assert.Equal(3, csv.Classes);
        Assert.Null(csv.ClassNames);
        Assert.Equal(["x1", "x2"], csv.FeatureNames);
        Assert.Equal("label", csv.LabelName);
    }

    [Fact]
    public void DetectsAMissingHeader()
    {
        string path = _dir.WriteText("b.csv", "1,2,0\n3,4,1\n");

        CsvData csv = CsvReader.Read(path);

        Assert.Equal(2, csv.Rows);
        Assert.Equal(["column0", "column1"], csv.FeatureNames);
    }

    [Fact]
    public void StringLabelsWithoutHeaderAreNotMistakenForAHeader()
    {
        string path = _dir.WriteText("iris.csv", "5.1,3.5,setosa\n6.2,2.9,versicolor\n4.9,3.0,setosa\n");

        CsvData csv = CsvReader.Read(path);

        Assert.Equal(3, csv.Rows);
        Assert.Equal(["setosa", "versicolor"], csv.ClassNames!);
        Assert.Equal([0, 1, 0], csv.Labels);
    }

    [Fact]
    public void LabelColumnByNameOrIndex()
    {
        string path = _dir.WriteText("c.csv", "a,target,b\n1,1,2\n3,0,4\n");

        CsvData byName = CsvReader.Read(path, new CsvOptions { LabelColumn = "target" });
        CsvData byIndex = CsvReader.Read(path, new CsvOptions { LabelColumnIndex = 1 });
        CsvData fromEnd = CsvReader.Read(path, new CsvOptions { LabelColumnIndex = -2 });

        foreach (CsvData csv in new[] { byName, byIndex, fromEnd })
        {
            Assert.Equal([1f, 2f, 3f, 4f], csv.Features);
            Assert.Equal([1, 0], csv.Labels);
            Assert.Equal(["a", "b"], csv.FeatureNames);
            Assert.Equal("target", csv.LabelName);
        }
    }

    [Fact]
    public void HeaderCanBeForced()
    {
        // A numeric first row would be data by detection; HasHeader = true makes it the header.
        string path = _dir.WriteText("d.csv", "10,20,30\n1,2,0\n");
        CsvData csv = CsvReader.Read(path, new CsvOptions { HasHeader = true });
        Assert.Equal(1, csv.Rows);
        Assert.Equal(["10", "20"], csv.FeatureNames);
    }

    [Fact]
    public void IntegerLabelsOtherThanZeroToKAreMappedSorted()
    {
        string path = _dir.WriteText("e.csv", "f,y\n0.5,3\n0.25,1\n0.75,10\n0.1,3\n");

        CsvData csv = CsvReader.Read(path);

        Assert.Equal(3, csv.Classes);
        Assert.Equal(["1", "3", "10"], csv.ClassNames!);
        Assert.Equal([1, 0, 2, 1], csv.Labels);
    }

    [Fact]
    public void QuotedFieldsAndSeparators()
    {
        string path = _dir.WriteText("f.tsv", "\"width\"\t\"class; kind\"\n 1.5 \t\"a \"\"big\"\" one\"\n2\tsmall\n");

        CsvData csv = CsvReader.Read(path, new CsvOptions { Separator = '\t' });

        Assert.Equal([1.5f, 2f], csv.Features);
        Assert.Equal(["a \"big\" one", "small"], csv.ClassNames!);
        Assert.Equal("class; kind", csv.LabelName);
    }

    [Fact]
    public void NonNumericCellNamesFileLineAndColumn()
    {
        string path = _dir.WriteText("g.csv", "x1,x2,label\n1,2,0\n\n3,abc,1\n");

        var e = Assert.Throws<DataFormatException>(() => CsvReader.Read(path));

        Assert.StartsWith(path + ":4: ", e.Message);
        Assert.Equal(4, e.Line);
        Assert.Contains("column 1 ('x2'): 'abc' is not a number", e.Message);
    }

    [Fact]
    public void NonFiniteCellIsRejected()
    {
        string path = _dir.WriteText("nan.csv", "1,2,0\n3,NaN,1\n");
        var e = Assert.Throws<DataFormatException>(() => CsvReader.Read(path));
        Assert.StartsWith(path + ":2: ", e.Message);
        Assert.Contains("not a finite", e.Message);
    }

    [Fact]
    public void EmptyCellIsRejected()
    {
        string path = _dir.WriteText("hole.csv", "1,2,0\n3,,1\n");
        var e = Assert.Throws<DataFormatException>(() => CsvReader.Read(path));
        Assert.StartsWith(path + ":2: ", e.Message);
        Assert.Contains("empty cell in column 1", e.Message);
    }

    [Fact]
    public void RaggedRowIsRejected()
    {
        string path = _dir.WriteText("h.csv", "a,b,y\n1,2,0\n3,1\n");

        var e = Assert.Throws<DataFormatException>(() => CsvReader.Read(path));

        Assert.StartsWith(path + ":3: ", e.Message);
        Assert.Contains("expected 3 columns (as in line 1) but found 2", e.Message);
    }

    [Fact]
    public void EmptyFileIsRejected()
    {
        string path = _dir.WriteText("empty.csv", "\n  \n");
        var e = Assert.Throws<DataFormatException>(() => CsvReader.Read(path));
        Assert.StartsWith(path + ": ", e.Message);
        Assert.Contains("empty file", e.Message);
    }

    [Fact]
    public void HeaderWithoutRowsIsRejected()
    {
        string path = _dir.WriteText("header.csv", "a,b,label\n");
        var e = Assert.Throws<DataFormatException>(() => CsvReader.Read(path));
        Assert.Contains("no data rows", e.Message);
    }

    [Fact]
    public void NonIntegerNumericLabelIsRejected()
    {
        string path = _dir.WriteText("i.csv", "a,label\n1,0\n2,1\n3,2.5\n");

        var e = Assert.Throws<DataFormatException>(() => CsvReader.Read(path));

        Assert.StartsWith(path + ":4: ", e.Message);
        Assert.Contains("label '2.5' is not an integer class", e.Message);
    }

    [Fact]
    public void UnknownLabelColumnNameListsTheColumns()
    {
        string path = _dir.WriteText("j.csv", "a,b\n1,0\n");
        var e = Assert.Throws<DataFormatException>(() => CsvReader.Read(path, new CsvOptions { LabelColumn = "class" }));
        Assert.StartsWith(path + ":1: ", e.Message);
        Assert.Contains("no column named 'class'", e.Message);
        Assert.Contains("'a', 'b'", e.Message);
    }

    [Fact]
    public void LabelColumnIndexOutOfRangeIsRejected()
    {
        string path = _dir.WriteText("k.csv", "1,0\n");
        var e = Assert.Throws<DataFormatException>(() => CsvReader.Read(path, new CsvOptions { LabelColumnIndex = 5 }));
        Assert.Contains("label column index 5 is out of range: the file has 2 columns", e.Message);
    }

    [Fact]
    public void UnterminatedQuoteIsRejected()
    {
        string path = _dir.WriteText("q.csv", "1,\"0\n");
        var e = Assert.Throws<DataFormatException>(() => CsvReader.Read(path));
        Assert.StartsWith(path + ":1: ", e.Message);
        Assert.Contains("unterminated", e.Message);
    }

    [Fact]
    public void DatasetFromCsvKeepsClassNames()
    {
        string path = _dir.WriteText("l.csv", "f1,f2,kind\n1,2,dog\n3,4,cat\n5,6,dog\n");

        Dataset data = Dataset.FromCsv(path);

        Assert.Equal(3, data.Count);
        Assert.Equal(2, data.Features);
        Assert.Equal(2, data.Classes);
        Assert.False(data.IsCompact);
        Assert.Equal(["cat", "dog"], data.ClassNames!);
        var x = new float[6];
        var y = new int[3];
        data.GetBatch([2, 0, 1], x, y);
        Assert.Equal([5f, 6f, 1f, 2f, 3f, 4f], x);
        Assert.Equal([1, 1, 0], y);
    }
}
