using System.Globalization;
using DeepTrain.Distributed;
using DeepTrain.Kernels;

namespace DeepTrain.Cli.Commands;

/// <summary>
/// <c>deeptrain train</c> under <c>mpirun</c> or <c>srun</c>: one process per rank, each training on its slice of
/// every global batch (<see cref="DataParallel"/>). Rank 0 prints and writes files; an error on one process ends
/// every process (MPI_Abort) with one line on standard error; an error all processes agree on (a mismatch found at
/// the start) is printed once and they all exit with code 2.
/// </summary>
internal static class DataParallelTraining
{
    /// <summary>Trains data-parallel; returns the exit code.</summary>
    public static int Execute(TrainSettings s, MpiLaunch launch)
    {
        MpiWorld world;
        try { world = MpiWorld.Initialize(launch.Flavor); }
        catch (MpiException e)
        {
            // no MPI to abort through: every process prints its own error and exits non-zero, which ends the job
            Console.Error.WriteLine($"error: started by {launch.Launcher} as process {launch.Rank} of {launch.Size}, but MPI could not start: {e.Message}");
            return CliApp.BadInput;
        }
        try
        {
            if (world.Size != launch.Size)
                throw new MpiException($"{launch.Launcher} started {launch.Size} processes but {world.Implementation} ({world.LibraryPath}) sees {world.Size}: " +
                                       $"the launcher and the MPI library belong to different MPI installations; set {MpiLibraryVariable} to the launcher's library");
            if (s.Threads is null) // share the machine's cores between its processes
                Gemm.MaxThreads = Math.Clamp(Environment.ProcessorCount / Math.Max(1, launch.LocalSize), 1, Environment.ProcessorCount);
            else TrainingSetup.ApplyThreads(s);
            var dp = new DataParallel(world, new DataParallelOptions { SyncBatchNorm = s.SyncBatchNorm });
            var log = dp.IsPrimary ? Console.Out : TextWriter.Null;
            log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"data-parallel over {world.Size} processes ({world.Implementation}), {Gemm.MaxThreads} thread{(Gemm.MaxThreads == 1 ? "" : "s")} each; " +
                $"global batch {s.BatchSize}, about {s.BatchSize / world.Size} per process{(s.SyncBatchNorm ? "; BatchNorm synchronized" : "")}"));
            var data = TrainingSetup.LoadData(s);
            TrainCommand.Run(s, data, log, dp);
            world.Dispose();
            return 0;
        }
        catch (DistributedMismatchException e)
        {
            if (world.Rank == 0) Console.Error.WriteLine($"error: {e.Message}");
            world.Dispose();
            return CliApp.BadInput;
        }
        catch (Exception e)
        {
            // the others are (or soon will be) waiting in a collective for this process: end them all now
            string what = e is ArgumentException or IOException or CliException or Data.DataFormatException or Data.DatasetNotFoundException
                or MpiException or Checkpoints.ModelFileException or Training.TrainingDivergedException or UnauthorizedAccessException
                ? e.Message : e.ToString();
            world.Abort(CliApp.BadInput, $"error: process {world.Rank} of {world.Size}: {what}");
            return CliApp.BadInput;
        }
    }

    private const string MpiLibraryVariable = "DEEPTRAIN_MPI";
}
