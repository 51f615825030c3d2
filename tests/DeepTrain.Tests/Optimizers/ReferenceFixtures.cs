using System.Text.Json;

namespace DeepTrain.Tests.Optimizers;

/// <summary>
/// The JSON fixtures made by tests/reference/make_optimizer_fixtures.py with PyTorch, found by walking up from the
/// test binary to the repository's tests/DeepTrain.Tests/Optimizers/Fixtures folder.
/// </summary>
internal static class ReferenceFixtures
{
    public const string Folder = "tests/DeepTrain.Tests/Optimizers/Fixtures";

    public static string Directory =>
        TestUtil.FindRepoFile(Folder)
        ?? throw new DirectoryNotFoundException($"cannot find {Folder} above {AppContext.BaseDirectory}; regenerate with tests/reference/make_optimizer_fixtures.py");

    public static IEnumerable<string> OptimizerFixtureNames() =>
        System.IO.Directory.GetFiles(Directory, "*.json")
            .Select(Path.GetFileNameWithoutExtension)
            .Where(n => n != "schedules")
            .Select(n => n!)
            .Order(StringComparer.Ordinal);

    public static JsonDocument Load(string name) => JsonDocument.Parse(File.ReadAllText(Path.Combine(Directory, name + ".json")));

    public static float[] Floats(JsonElement array)
    {
        var r = new float[array.GetArrayLength()];
        int i = 0;
        foreach (var v in array.EnumerateArray()) r[i++] = v.GetSingle();
        return r;
    }

    public static double[] Doubles(JsonElement array)
    {
        var r = new double[array.GetArrayLength()];
        int i = 0;
        foreach (var v in array.EnumerateArray()) r[i++] = v.GetDouble();
        return r;
    }

    public static int[] Ints(JsonElement array)
    {
        var r = new int[array.GetArrayLength()];
        int i = 0;
        foreach (var v in array.EnumerateArray()) r[i++] = v.GetInt32();
        return r;
    }
}
