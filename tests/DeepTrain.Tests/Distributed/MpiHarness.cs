using System.Diagnostics;
using System.Globalization;
using System.Text;
using DeepTrain.Distributed;

namespace DeepTrain.Tests.Distributed;

/// <summary>
/// Runs the built <c>deeptrain</c> CLI (DeepTrain.Cli.dll, copied next to the test assembly) alone or under
/// Open MPI's <c>mpirun</c>, and says why a test must skip when MPI is absent.
/// </summary>
internal static class MpiHarness
{
    public static string CliDll => Path.Combine(AppContext.BaseDirectory, "DeepTrain.Cli.dll");

    public static string Dotnet =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host
        : Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";

    /// <summary>Null when mpirun, an MPI library and the CLI are all here; otherwise why not.</summary>
    public static string? Missing()
    {
        if (FindOnPath("mpirun") is null) return "mpirun is not on PATH (install Open MPI: apt-get install openmpi-bin)";
        if (!MpiWorld.IsAvailable(out string reason)) return reason;
        if (!File.Exists(CliDll)) return $"the CLI was not built next to the tests: {CliDll}";
        return null;
    }

    public static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);

    public sealed record Outcome(int ExitCode, string Output, TimeSpan Elapsed, bool TimedOut);

    /// <summary>The mpirun arguments for <paramref name="np"/> processes of the CLI.</summary>
    public static List<string> MpirunArgs(int np, params string[] exported) =>
        ["--allow-run-as-root", "--oversubscribe", "-np", np.ToString(CultureInfo.InvariantCulture), .. exported.SelectMany(v => new[] { "-x", v }), Dotnet, CliDll];

    /// <summary>Starts a process with the output captured; <paramref name="onStarted"/> sees it while it runs.</summary>
    public static Outcome Run(string file, IEnumerable<string> args, TimeSpan timeout, IDictionary<string, string>? env = null, Action<Process, Func<string>>? onStarted = null)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["TERM"] = "dumb";
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        // the test host may itself run under a launcher's variables: the child must not inherit them
        foreach (var key in psi.Environment.Keys.Where(k => k.StartsWith("OMPI_", StringComparison.Ordinal) || k.StartsWith("PMI", StringComparison.Ordinal) || k.StartsWith("SLURM_", StringComparison.Ordinal)).ToList())
            psi.Environment.Remove(key);
        // containers often forbid the cross-memory attach Open MPI's shared-memory transport uses for large messages
        psi.Environment["OMPI_MCA_btl_vader_single_copy_mechanism"] = "none";
        if (env is not null) foreach (var (k, v) in env) psi.Environment[k] = v;
        var output = new StringBuilder();
        var clock = Stopwatch.StartNew();
        using var p = new Process { StartInfo = psi };
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        p.Start();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        string Snapshot() { lock (output) return output.ToString(); }
        try
        {
            onStarted?.Invoke(p, Snapshot);
            bool exited = p.WaitForExit(timeout);
            if (!exited)
            {
                try { p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                p.WaitForExit(10_000);
                return new Outcome(-1, Snapshot(), clock.Elapsed, true);
            }
            p.WaitForExit(); // drains the output
            return new Outcome(p.ExitCode, Snapshot(), clock.Elapsed, false);
        }
        finally
        {
            if (!p.HasExited) try { p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        }
    }

    /// <summary>The rank processes mpirun started (its children with OMPI_COMM_WORLD_RANK in their environment), by rank.</summary>
    public static Dictionary<int, int> RankPids(int mpirunPid)
    {
        var result = new Dictionary<int, int>();
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid)) continue;
            try
            {
                string stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (int.Parse(fields[1], CultureInfo.InvariantCulture) != mpirunPid) continue;
                foreach (var entry in File.ReadAllText(Path.Combine(dir, "environ")).Split('\0'))
                    if (entry.StartsWith("OMPI_COMM_WORLD_RANK=", StringComparison.Ordinal))
                        result[int.Parse(entry["OMPI_COMM_WORLD_RANK=".Length..], CultureInfo.InvariantCulture)] = pid;
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
            catch (FormatException) { }
        }
        return result;
    }

    /// <summary>A small 3-class problem as CSV (features with a label in the last column).</summary>
    public static void WriteCsv(string path, int rows, int features, int seed)
    {
        var rng = new Random(seed);
        var sb = new StringBuilder();
        sb.AppendLine(string.Join(",", Enumerable.Range(0, features).Select(i => $"f{i}")) + ",label");
        for (int r = 0; r < rows; r++)
        {
            int label = r % 3;
            var values = Enumerable.Range(0, features).Select(i => (rng.NextDouble() * 2 - 1 + (i % 3 == label ? 1.5 : 0)).ToString("F4", CultureInfo.InvariantCulture));
            sb.AppendLine(string.Join(",", values) + "," + label.ToString(CultureInfo.InvariantCulture));
        }
        File.WriteAllText(path, sb.ToString());
    }
}
