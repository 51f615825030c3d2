using System.Text.Json;

namespace DeepTrain.Tests;

/// <summary>Reads the JSON reference fixtures copied next to the test assembly.</summary>
internal static class Fixture
{
    public static JsonElement Load(params string[] relative)
    {
        var path = Path.Combine([AppContext.BaseDirectory, .. relative]);
        if (!File.Exists(path)) path = TestUtil.FindRepoFile(Path.Combine(["tests", "DeepTrain.Tests", .. relative])) ?? path;
        return JsonDocument.Parse(File.ReadAllText(path)).RootElement;
    }

    public static float[] Floats(this JsonElement e, string name) => e.GetProperty(name).EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();
}
