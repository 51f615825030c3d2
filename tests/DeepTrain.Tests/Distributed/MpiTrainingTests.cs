using System.Diagnostics;
using DeepTrain.Checkpoints;

namespace DeepTrain.Tests.Distributed;

/// <summary>The MPI tests run one after another: each starts several processes on a small machine.</summary>
[CollectionDefinition("mpi", DisableParallelization = true)]
public sealed class MpiCollection;

/// <summary>
/// Data-parallel training end to end: the built CLI under <c>mpirun -np 2</c> (Open MPI), against the same CLI as
/// one process. Skips, saying why, where mpirun or an MPI library is missing.
/// </summary>
[Collection("mpi")]
public sealed class MpiTrainingTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("deeptrain-mpi-").FullName;
    private readonly List<int> _stopped = new();

    public void Dispose()
    {
        foreach (int pid in _stopped) // processes this test stopped, in case the launcher left them behind
            try { using var p = Process.GetProcessById(pid); p.Kill(); } catch (ArgumentException) { } catch (InvalidOperationException) { }
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private static void SkipWithoutMpi()
    {
        string? missing = MpiHarness.Missing();
        Skip.If(missing is not null, $"MPI tests need Open MPI: {missing}");
    }

    private string[] TrainArgs(string csv, string output, params string[] extra) =>
    [
        "train", "--data", csv, "--test-fraction", "0.2", "--validation-fraction", "0", "--hidden", "16,8",
        "--optimizer", "sgd", "--lr", "0.05", "--momentum", "0.9", "--batch-size", "21", "--epochs", "3",
        "--seed", "5", "--quiet", "--out", output, .. extra,
    ];

    [SkippableTheory]
    [InlineData("plain")]
    [InlineData("sync-batch-norm")]
    public void TwoProcessesTakeTheStepsOfOneProcessOnTheSameGlobalBatches(string variant)
    {
        SkipWithoutMpi();
        string csv = Path.Combine(_dir, "data.csv");
        MpiHarness.WriteCsv(csv, rows: 120, features: 12, seed: 11); // 96 training rows: batches of 21 split 10/11, the last 12 split 6/6
        string[] extra = variant == "plain" ? [] : ["--batch-norm", "--sync-batch-norm"];
        string one = Path.Combine(_dir, "one.dtm"), two = Path.Combine(_dir, "two.dtm");

        var single = MpiHarness.Run(MpiHarness.Dotnet, [MpiHarness.CliDll, .. TrainArgs(csv, one, variant == "plain" ? [] : ["--batch-norm"])], TimeSpan.FromSeconds(120));
        Assert.True(single.ExitCode == 0, $"single process failed:\n{single.Output}");
        var parallel = MpiHarness.Run("mpirun", [.. MpiHarness.MpirunArgs(2), .. TrainArgs(csv, two, extra)], TimeSpan.FromSeconds(180));
        Assert.True(parallel.ExitCode == 0, $"mpirun failed:\n{parallel.Output}");
        Assert.StartsWith("data-parallel over 2 processes (Open MPI)", parallel.Output.TrimStart());

        var a = ModelFile.Load(one);
        var b = ModelFile.Load(two);
        var stateA = a.NamedParameters().Concat(a.NamedBuffers()).ToList();
        var stateB = b.NamedParameters().Concat(b.NamedBuffers()).ToDictionary(p => p.Name, p => p.Value);
        Assert.Equal(stateA.Count, stateB.Count);
        foreach (var (name, ta) in stateA)
        {
            var da = ta.Data; var db = stateB[name].Data;
            Assert.Equal(da.Length, db.Length);
            for (int i = 0; i < da.Length; i++)
                Assert.True(MathF.Abs(da[i] - db[i]) <= 1e-5f, $"{variant}: {name}[{i}]: one process {da[i]}, two processes {db[i]}");
        }
    }

    [SkippableFact]
    public void AKilledProcessEndsTheWholeRunWithinAMinute()
    {
        SkipWithoutMpi();
        int? killed = null;
        var outcome = MpiHarness.Run("mpirun", [.. MpiHarness.MpirunArgs(2), "train", "--epochs", "200", "--hidden", "64"], TimeSpan.FromSeconds(240),
            env: null,
            onStarted: (mpirun, output) =>
            {
                var clock = Stopwatch.StartNew();
                while (!output().Contains("epoch 1/") && clock.Elapsed < TimeSpan.FromSeconds(120) && !mpirun.HasExited) Thread.Sleep(200);
                if (mpirun.HasExited) return;
                if (MpiHarness.RankPids(mpirun.Id).TryGetValue(1, out int pid))
                {
                    killed = pid;
                    using var victim = Process.GetProcessById(pid);
                    victim.Kill();
                }
            });
        Assert.True(killed is not null, $"rank 1 was never seen training:\n{outcome.Output}");
        Assert.False(outcome.TimedOut, $"the run did not end after rank 1 was killed:\n{outcome.Output}");
        Assert.NotEqual(0, outcome.ExitCode);
        Assert.Contains("process rank 1", outcome.Output); // Open MPI's mpirun names the dead process
        Assert.DoesNotContain("epoch 200/", outcome.Output);
    }

    [SkippableFact]
    public void AHungProcessIsCaughtByTheWatchdog()
    {
        SkipWithoutMpi();
        var clock = new Stopwatch();
        var outcome = MpiHarness.Run("mpirun", [.. MpiHarness.MpirunArgs(2, "DEEPTRAIN_MPI_TIMEOUT"), "train", "--epochs", "200", "--hidden", "64"],
            TimeSpan.FromSeconds(240),
            env: new Dictionary<string, string> { ["DEEPTRAIN_MPI_TIMEOUT"] = "5" },
            onStarted: (mpirun, output) =>
            {
                var wait = Stopwatch.StartNew();
                while (!output().Contains("epoch 1/") && wait.Elapsed < TimeSpan.FromSeconds(120) && !mpirun.HasExited) Thread.Sleep(200);
                if (mpirun.HasExited || !MpiHarness.RankPids(mpirun.Id).TryGetValue(1, out int pid)) return;
                _stopped.Add(pid);
                Process.Start("kill", ["-STOP", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
                clock.Start();
            });
        Assert.True(_stopped.Count == 1, $"rank 1 was never seen training:\n{outcome.Output}");
        Assert.False(outcome.TimedOut, $"the run did not end after rank 1 hung:\n{outcome.Output}");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"the run took {clock.Elapsed.TotalSeconds:F0} s to end after rank 1 hung");
        Assert.NotEqual(0, outcome.ExitCode);
        Assert.Contains("error: process 0 of 2: MPI_", outcome.Output);
        Assert.Contains("waited 5 s for the other processes", outcome.Output);
    }

    [SkippableFact]
    public void ProcessesWithDifferentModelsStopWithOneError()
    {
        SkipWithoutMpi();
        // MPMD: one process builds 784-32-10, the other 784-33-10
        List<string> args = ["--allow-run-as-root", "--oversubscribe",
            "-np", "1", MpiHarness.Dotnet, MpiHarness.CliDll, "train", "--epochs", "1", "--hidden", "32", ":",
            "-np", "1", MpiHarness.Dotnet, MpiHarness.CliDll, "train", "--epochs", "1", "--hidden", "33"];
        var outcome = MpiHarness.Run("mpirun", args, TimeSpan.FromSeconds(120));
        Assert.False(outcome.TimedOut, outcome.Output);
        Assert.NotEqual(0, outcome.ExitCode);
        const string message = "error: the 2 processes disagree on the number of parameters";
        Assert.Contains(message, outcome.Output);
        Assert.Equal(1, outcome.Output.Split(message).Length - 1);
        Assert.DoesNotContain("epoch 1/", outcome.Output);
    }
}
