using System.Text;
using DeepTrain.Checkpoints;

namespace DeepTrain.Tests.Checkpoints;

/// <summary>
/// Interoperability with the safetensors reference implementation (huggingface/safetensors), through the byte
/// vectors published in its Rust test suite (safetensors/src/tensor.rs: test_serialization,
/// test_serialization_forced_alignement, test_empty, test_deserialization, test_empty_shapes_allowed and the
/// rejection tests), and through a fixture written independently in Python (tests/reference/make_safetensors_fixture.py).
/// </summary>
public class SafetensorsInteropTests
{
    private static byte[] Write(IEnumerable<(string, int[], ReadOnlyMemory<float>)> tensors, Dictionary<string, string>? metadata = null)
    {
        var ms = new MemoryStream();
        SafetensorsWriter.Write(ms, tensors, metadata);
        return ms.ToArray();
    }

    private static readonly float[] s_zeroToFive = [0, 1, 2, 3, 4, 5];

    [Fact]
    public void WritesTheReferenceBytesForOneF32Tensor()
    {
        // test_serialization: "attn.0", F32, shape [1, 2, 3], values 0..5, no metadata.
        byte[] expected =
        [
            64, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 46, 48, 34, 58, 123, 34, 100,
            116, 121, 112, 101, 34, 58, 34, 70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34,
            58, 91, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102, 115,
            101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 0, 0, 0, 0, 0, 0, 128, 63,
            0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64,
        ];
        Assert.Equal(expected, Write([("attn.0", [1, 2, 3], s_zeroToFive)]));
        var file = SafetensorsFile.Parse(expected);
        Assert.Equal([1L, 2, 3], file["attn.0"].Shape);
        Assert.Equal(s_zeroToFive, file.ReadFloats("attn.0"));
    }

    [Fact]
    public void PadsTheHeaderWithSpacesLikeTheReference()
    {
        // test_serialization_forced_alignement: "attn0", shape [1, 1, 2, 3]; the header is padded to 72 bytes.
        byte[] expected =
        [
            72, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 48, 34, 58, 123, 34, 100, 116,
            121, 112, 101, 34, 58, 34, 70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34, 58,
            91, 49, 44, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102,
            115, 101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 32, 32, 32, 32, 32,
            32, 32, 0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0,
            160, 64,
        ];
        Assert.Equal(expected, Write([("attn0", [1, 1, 2, 3], s_zeroToFive)]));
        Assert.Equal(s_zeroToFive, SafetensorsFile.Parse(expected).ReadFloats("attn0"));
    }

    [Fact]
    public void WritesTheReferenceBytesForAnEmptyFileWithAndWithoutMetadata()
    {
        // test_empty.
        Assert.Equal([8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32], Write([]));
        byte[] withMetadata =
        [
            40, 0, 0, 0, 0, 0, 0, 0, 123, 34, 95, 95, 109, 101, 116, 97, 100, 97, 116, 97, 95,
            95, 34, 58, 123, 34, 102, 114, 97, 109, 101, 119, 111, 114, 107, 34, 58, 34, 112,
            116, 34, 125, 125, 32, 32, 32, 32, 32,
        ];
        Assert.Equal(withMetadata, Write([], new Dictionary<string, string> { ["framework"] = "pt" }));
        var file = SafetensorsFile.Parse(withMetadata);
        Assert.Empty(file.Tensors);
        Assert.Equal("pt", file.Metadata["framework"]);
    }

    private static byte[] B(string s) => Encoding.Latin1.GetBytes(s);

    [Fact]
    public void ReadsTheReferenceDeserializationExamples()
    {
        // test_deserialization and test_empty_shapes_allowed: I32 tensors (read raw; DeepTrain converts only floats).
        var file = SafetensorsFile.Parse(B("<\0\0\0\0\0\0\0{\"test\":{\"dtype\":\"I32\",\"shape\":[2,2],\"data_offsets\":[0,16]}}" + new string('\0', 16)));
        Assert.Equal("I32", file["test"].Dtype);
        Assert.Equal([2L, 2], file["test"].Shape);
        Assert.Equal(16, file.RawBytes("test").Length);
        Assert.Contains("only floating-point", Assert.Throws<ModelFileException>(() => file.ReadFloats("test")).Message);

        var scalar = SafetensorsFile.Parse(B("8\0\0\0\0\0\0\0{\"test\":{\"dtype\":\"I32\",\"shape\":[],\"data_offsets\":[0,4]}}\0\0\0\0"));
        Assert.Empty(scalar["test"].Shape);
        Assert.Equal(1, scalar["test"].ElementCount);

        var zero = SafetensorsFile.Parse(B("<\0\0\0\0\0\0\0{\"test\":{\"dtype\":\"I32\",\"shape\":[2,0],\"data_offsets\":[0, 0]}}"));
        Assert.Equal(0, zero["test"].ElementCount);

        // JSON whitespace before and after the header object is allowed.
        Assert.Empty(SafetensorsFile.Parse(B("\x06\0\0\0\0\0\0\0{}\x0D\x20\x09\x0A")).Tensors);
        Assert.Empty(SafetensorsFile.Parse(B("\x06\0\0\0\0\0\0\0\x09\x0A{}\x0D\x20")).Tensors);
    }

    [Theory]
    [InlineData("<\0\0\0\0\0\0\0{\"test\":{\"dtype\":\"I32\",\"shape\":[2,2],\"data_offsets\":[0,16]}}\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0extra_bogus_data_for_polyglot_file", "unexpected bytes")]
    [InlineData("<\0\0\0\0\0\0\0{\"test\":{\"dtype\":\"I32\",\"shape\":[2,2],\"data_offsets\":[0,16]}}\0\0\0\0\0\0\0\0\0\0\0\0\0\0", "truncated")]
    [InlineData("<\0\0\0\0\xff\xff\xff{\"test\":{\"dtype\":\"I32\",\"shape\":[2,2],\"data_offsets\":[0,16]}}\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", "limit")]
    [InlineData("", "shorter than the 8-byte")]
    [InlineData("<\0\0\0\0\0\0\0", "truncated")]
    [InlineData("\x01\0\0\0\0\0\0\0\xff", "not valid")]
    [InlineData("\x01\0\0\0\0\0\0\0{", "not valid")]
    [InlineData("<\0\0\0\0\0\0\0{\"test\":{\"dtype\":\"I32\",\"shape\":[2,2],\"data_offsets\":[0, 4]}}", "needs 16")]
    [InlineData("O\0\0\0\0\0\0\0{\"test\":{\"dtype\":\"I32\",\"shape\":[2,18446744073709551614],\"data_offsets\":[0,16]}}\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", "not a non-negative integer")]
    [InlineData("N\0\0\0\0\0\0\0{\"test\":{\"dtype\":\"I32\",\"shape\":[2,9223372036854775807],\"data_offsets\":[0,16]}}\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", "overflows")]
    public void RejectsWhatTheReferenceRejects(string bytes, string expected)
    {
        var ex = Assert.Throws<ModelFileException>(() => SafetensorsFile.Parse(B(bytes), "case.safetensors"));
        Assert.Contains(expected, ex.Message);
        Assert.Contains("case.safetensors", ex.Message);
    }

    [Fact]
    public void ReadsAFileWrittenIndependentlyInPython()
    {
        var path = TestUtil.FindRepoFile(Path.Combine("tests", "DeepTrain.Tests", "Checkpoints", "Fixtures", "reference.safetensors"));
        Assert.NotNull(path);
        var file = SafetensorsFile.Read(path!);
        Assert.Equal("make_safetensors_fixture.py", file.Metadata["producer"]);
        Assert.Equal("ünïcode ✓", file.Metadata["note"]);
        Assert.Equal(Enumerable.Range(0, 12).Select(i => i * 0.25f - 1).ToArray(), file.ReadFloats("dense.weight"));
        Assert.Equal([3L, 4], file["dense.weight"].Shape);
        Assert.Equal([0.5f, -1.25f, 3f, 1e-7f], file.ReadFloats("dense.bias"));
        Assert.Equal([2.5f], file.ReadFloats("scalar"));
        Assert.Empty(file["scalar"].Shape);
        Assert.Equal([1f, -2f, 0.1f, 1e30f], file.ReadFloats("double"));
        Assert.Equal([1f, -0.5f, 65504f, (float)(Half)6e-5f], file.ReadFloats("half"));
        Assert.Equal([1f, -2.5f, 3.140625f], file.ReadFloats("brain"));
        Assert.Empty(file.ReadFloats("empty"));
        Assert.Equal([0L, 3], file["empty"].Shape);
    }
}
