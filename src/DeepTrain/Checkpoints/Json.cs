using System.Text.Json.Nodes;

namespace DeepTrain.Checkpoints;

/// <summary>Typed reads from a parsed JSON object whose failures name the file, the layer and the key.</summary>
internal static class Json
{
    private static JsonValue Value(JsonObject o, string key, string where, string source) =>
        o[key] as JsonValue ?? throw new ModelFileException(source, $"{where}: \"{key}\" is missing or not a value");

    private static T Get<T>(JsonObject o, string key, string where, string source, string what)
    {
        try
        {
            if (Value(o, key, where, source).TryGetValue<T>(out var v)) return v;
        }
        catch (Exception ex) when (ex is FormatException or InvalidOperationException or OverflowException) { }
        throw new ModelFileException(source, $"{where}: \"{key}\" is not {what}: {o[key]?.ToJsonString() ?? "null"}");
    }

    public static string String(JsonObject o, string key, string where, string source) => Get<string>(o, key, where, source, "a string");
    public static float Float(JsonObject o, string key, string where, string source) => Get<float>(o, key, where, source, "a number");
    public static double Double(JsonObject o, string key, string where, string source) => Get<double>(o, key, where, source, "a number");
    public static int Int(JsonObject o, string key, string where, string source) => Get<int>(o, key, where, source, "an integer");
    public static long Long(JsonObject o, string key, string where, string source) => Get<long>(o, key, where, source, "an integer");
    public static ulong ULong(JsonObject o, string key, string where, string source) => Get<ulong>(o, key, where, source, "an unsigned integer");
    public static bool Bool(JsonObject o, string key, string where, string source) => Get<bool>(o, key, where, source, "true or false");

    public static JsonObject Object(JsonObject o, string key, string where, string source) =>
        o[key] as JsonObject ?? throw new ModelFileException(source, $"{where}: \"{key}\" is missing or not an object");

    public static JsonArray Array(JsonObject o, string key, string where, string source) =>
        o[key] as JsonArray ?? throw new ModelFileException(source, $"{where}: \"{key}\" is missing or not an array");

    /// <summary>Parses a JSON object held in a metadata string.</summary>
    public static JsonObject ParseObject(string json, string what, string source)
    {
        try
        {
            return JsonNode.Parse(json, documentOptions: new System.Text.Json.JsonDocumentOptions { MaxDepth = 32 }) as JsonObject
                ?? throw new ModelFileException(source, $"the {what} in the metadata is not a JSON object");
        }
        catch (System.Text.Json.JsonException ex)
        {
            throw new ModelFileException(source, $"the {what} in the metadata is not valid JSON ({ex.Message}); the file is damaged: restore it from a backup or save the model again", ex);
        }
    }
}
