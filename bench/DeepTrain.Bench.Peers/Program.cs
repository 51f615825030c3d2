using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DeepTrain.Bench.Peers;

/// <summary>
/// The TorchSharp peer of <c>bench train</c>: the seed network (784-300-100-10 ELU, or with BatchNorm before each
/// hidden activation and bias-free Linear layers below it), He-normal hidden weights, Glorot-uniform output, zero
/// biases, Adam 0.001, shuffled mini-batches, written the way a TorchSharp user would. Prints one line
/// <c>RESULT framework=torchsharp form=... samples_per_s=... test_acc=... rss_mb=...</c>.
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        string form = "bn", dataDir = "/usr/share/datasets/fashion-mnist";
        int epochs = 5, batch = 64, threads = 2, trainCount = 55_000, seed = 42;
        int[] hidden = [300, 100];
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--form": form = args[++i]; break;
                case "--epochs": epochs = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--batch": batch = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--threads": threads = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--train": trainCount = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--hidden": hidden = args[++i].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray(); break;
                case "--data": dataDir = args[++i]; break;
                case "--seed": seed = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                default: Console.Error.WriteLine($"unknown option '{args[i]}'"); return 2;
            }
        }
        if (form is not ("plain" or "bn")) { Console.Error.WriteLine($"--form must be plain or bn: got '{form}'"); return 2; }

        torch.set_num_threads(threads);
        torch.manual_seed(seed);
        var (trainX, trainY) = Load(dataDir, "train", trainCount);
        var (testX, testY) = Load(dataDir, "t10k", int.MaxValue);
        int n = (int)trainX.shape[0];

        var layers = new List<(string, nn.Module<Tensor, Tensor>)>();
        int fin = 784;
        for (int l = 0; l < hidden.Length; l++)
        {
            bool bn = form == "bn";
            var lin = nn.Linear(fin, hidden[l], hasBias: !bn);
            using (no_grad())
            {
                nn.init.kaiming_normal_(lin.weight, mode: nn.init.FanInOut.FanIn, nonlinearity: nn.init.NonlinearityType.ReLU);
                if (lin.bias is not null) nn.init.zeros_(lin.bias);
            }
            layers.Add(($"hidden{l + 1}", lin));
            if (bn) layers.Add(($"bn{l + 1}", nn.BatchNorm1d(hidden[l], eps: 1e-3, momentum: 0.01)));
            layers.Add(($"act{l + 1}", nn.ELU()));
            fin = hidden[l];
        }
        var output = nn.Linear(fin, 10);
        using (no_grad())
        {
            nn.init.xavier_uniform_(output.weight);
            nn.init.zeros_(output.bias);
        }
        layers.Add(("output", output));
        var model = nn.Sequential(layers.ToArray());
        var optimizer = optim.Adam(model.parameters(), lr: 0.001);

        var epochSeconds = new List<double>();
        for (int e = 0; e < epochs; e++)
        {
            model.train();
            var clock = Stopwatch.StartNew();
            using (var epochScope = NewDisposeScope())
            {
                var perm = randperm(n);
                for (int start = 0; start < n; start += batch)
                {
                    using var step = NewDisposeScope();
                    var idx = perm.narrow(0, start, Math.Min(batch, n - start));
                    var x = trainX.index_select(0, idx).to_type(ScalarType.Float32).div_(255f);
                    var y = trainY.index_select(0, idx);
                    optimizer.zero_grad();
                    var loss = nn.functional.cross_entropy(model.call(x), y);
                    loss.backward();
                    optimizer.step();
                }
            }
            epochSeconds.Add(clock.Elapsed.TotalSeconds);
        }

        model.eval();
        long correct = 0;
        using (no_grad())
        using (var scope = NewDisposeScope())
        {
            int m = (int)testX.shape[0];
            for (int start = 0; start < m; start += 1000)
            {
                int len = Math.Min(1000, m - start);
                var x = testX.narrow(0, start, len).to_type(ScalarType.Float32).div_(255f);
                var pred = model.call(x).argmax(1);
                correct += pred.eq(testY.narrow(0, start, len)).sum().item<long>();
            }
        }
        double acc = (double)correct / testX.shape[0];
        var steady = epochSeconds.Count > 1 ? epochSeconds.Skip(1).ToList() : epochSeconds;
        steady.Sort();
        double med = steady.Count % 2 == 1 ? steady[steady.Count / 2] : (steady[steady.Count / 2 - 1] + steady[steady.Count / 2]) / 2;
        double rss = Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024.0);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"RESULT framework=torchsharp form={form} batch={batch} threads={threads} hidden={string.Join(",", hidden)} epochs={epochs} " +
            $"samples_per_s={n / med:F0} epoch_s={string.Join(",", epochSeconds.Select(s => s.ToString("F3", CultureInfo.InvariantCulture)))} " +
            $"test_acc={acc:F4} rss_mb={rss:F0} version=TorchSharp-{typeof(torch).Assembly.GetName().Version}"));
        return 0;
    }

    // Reads an IDX image file and its label file (gzip) into a uint8 [n, 784] and an int64 [n] tensor.
    private static (Tensor X, Tensor Y) Load(string dir, string prefix, int limit)
    {
        byte[] images = Gunzip(Path.Combine(dir, $"{prefix}-images-idx3-ubyte.gz"));
        byte[] labels = Gunzip(Path.Combine(dir, $"{prefix}-labels-idx1-ubyte.gz"));
        int count = Math.Min(limit, BigEndian(images, 4));
        int rows = BigEndian(images, 8), cols = BigEndian(images, 12);
        var x = tensor(images.AsSpan(16, count * rows * cols).ToArray(), [count, rows * cols], ScalarType.Byte);
        var y = tensor(labels.AsSpan(8, count).ToArray().Select(b => (long)b).ToArray(), [count]);
        return (x, y);
    }

    private static byte[] Gunzip(string path)
    {
        using var input = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var ms = new MemoryStream();
        input.CopyTo(ms);
        return ms.ToArray();
    }

    private static int BigEndian(byte[] b, int at) => (b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3];
}
