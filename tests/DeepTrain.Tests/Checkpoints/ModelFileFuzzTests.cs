using System.Diagnostics;
using System.Text;
using DeepTrain.Checkpoints;
using DeepTrain.Layers;
using DeepTrain.Optimizers;
using Xunit.Abstractions;

namespace DeepTrain.Tests.Checkpoints;

/// <summary>Damaged model files only ever load or fail with a <see cref="ModelFileException"/>: never a crash, a hang or a huge allocation.</summary>
public class ModelFileFuzzTests(ITestOutputHelper output)
{
    [Fact]
    public void MutatedFilesLoadOrFailWithModelFileException()
    {
        var dir = CheckpointTestData.TempDir();
        var path = Path.Combine(dir, "seed.safetensors");
        var model = new Sequential(6, seed: 1)
        {
            new Dense(5, Activation.Elu(), name: "hidden1"),
            new BatchNorm(name: "bn1"),
            new Dropout(0.1f, name: "drop1"),
            new PReLU(name: "prelu1"),
            new Dense(3, name: "output"),
        };
        var sgd = new Sgd(model.Parameters(), 0.1f, momentum: 0.9f);
        foreach (var p in model.Parameters()) { p.EnsureGrad().AsSpan().Fill(0.5f); }
        sgd.Step();
        ModelFile.Save(path, model, TrainingCheckpoint.Capture(model, sgd, 1, 3));
        byte[] original = File.ReadAllBytes(path);
        int headerEnd = 8 + (int)BitConverter.ToUInt64(original, 0);
        ModelFile.LoadWithTraining(path);

        var rng = new Random(1234);
        var clock = Stopwatch.StartNew();
        int cases = 0, loaded = 0, rejected = 0;
        var target = Path.Combine(dir, "case.safetensors");
        string[] edits = ["\"F32\"", "\"shape\"", "[", "]", ",", ":", "\"", "0", "1", "9", "{", "}", "\\", "-", "e", "\"units\"", "Dense", "true", "null"];
        while (clock.Elapsed.TotalSeconds < 8 && cases < 3000)
        {
            byte[] bytes = (byte[])original.Clone();
            int kind = rng.Next(6);
            switch (kind)
            {
                case 0: // bit flips anywhere
                    for (int k = rng.Next(1, 4); k > 0; k--) bytes[rng.Next(bytes.Length)] ^= (byte)(1 << rng.Next(8));
                    break;
                case 1: // truncation
                    Array.Resize(ref bytes, rng.Next(bytes.Length));
                    break;
                case 2: // byte insertion
                {
                    int at = rng.Next(bytes.Length + 1);
                    var ins = new byte[rng.Next(1, 9)];
                    rng.NextBytes(ins);
                    bytes = [.. bytes.AsSpan(0, at), .. ins, .. bytes.AsSpan(at)];
                    break;
                }
                case 3: // header edits: replace a run of header bytes with a JSON-ish token (keeping or fixing N)
                {
                    int at = rng.Next(8, headerEnd);
                    int len = rng.Next(0, Math.Min(6, headerEnd - at));
                    var token = Encoding.UTF8.GetBytes(edits[rng.Next(edits.Length)]);
                    bytes = [.. bytes.AsSpan(0, at), .. token, .. bytes.AsSpan(at + len)];
                    if (rng.Next(2) == 0) BitConverter.TryWriteBytes(bytes.AsSpan(0, 8), (ulong)(headerEnd - 8 + token.Length - len));
                    break;
                }
                case 4: // the header length field
                    BitConverter.TryWriteBytes(bytes.AsSpan(0, 8), rng.Next(3) switch { 0 => (ulong)rng.NextInt64(), 1 => (ulong)rng.Next(bytes.Length + 16), _ => ulong.MaxValue - (ulong)rng.Next(100) });
                    break;
                default: // digits inside the header changed (offsets, shapes, units, numbers in metadata)
                {
                    for (int k = 0; k < 20; k++)
                    {
                        int at = rng.Next(8, headerEnd);
                        if (bytes[at] is >= (byte)'0' and <= (byte)'9') { bytes[at] = (byte)('0' + rng.Next(10)); break; }
                    }
                    break;
                }
            }
            File.WriteAllBytes(target, bytes);
            cases++;
            try
            {
                var m = ModelFile.LoadWithTraining(target);
                ModelFile.Read(target);
                ModelFile.Restore(m.Model, target);
                loaded++;
            }
            catch (ModelFileException ex)
            {
                Assert.Contains(target, ex.Message);
                rejected++;
            }
        }
        output.WriteLine($"{cases} mutated files in {clock.Elapsed.TotalSeconds:F1} s: {loaded} loaded, {rejected} rejected with ModelFileException");
        Assert.True(cases >= 1000, $"only {cases} cases ran");
        Assert.True(rejected > cases / 2);
        Directory.Delete(dir, true);
    }
}
