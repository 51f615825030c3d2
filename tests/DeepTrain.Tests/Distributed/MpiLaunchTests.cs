using DeepTrain.Distributed;

namespace DeepTrain.Tests.Distributed;

/// <summary>Launcher detection from the environment (no MPI needed).</summary>
public class MpiLaunchTests
{
    private static MpiLaunch? Detect(params (string Key, string Value)[] vars)
    {
        var env = vars.ToDictionary(v => v.Key, v => v.Value);
        return MpiLaunch.Detect(k => env.TryGetValue(k, out var v) ? v : null);
    }

    [Fact]
    public void NoLauncherMeansSingleProcess() => Assert.Null(Detect(("PATH", "/usr/bin"), ("SLURM_NTASKS", "4")));

    [Fact]
    public void OpenMpiMpirun()
    {
        var l = Detect(("OMPI_COMM_WORLD_SIZE", "4"), ("OMPI_COMM_WORLD_RANK", "2"), ("OMPI_COMM_WORLD_LOCAL_SIZE", "2"));
        Assert.Equal(new MpiLaunch(4, 2, 2, "Open MPI mpirun", MpiFlavor.OpenMpi), l);
    }

    [Fact]
    public void MpichHydra()
    {
        var l = Detect(("PMI_SIZE", "3"), ("PMI_RANK", "1"), ("MPI_LOCALNRANKS", "3"));
        Assert.Equal(new MpiLaunch(3, 1, 3, "MPICH hydra", MpiFlavor.Mpich), l);
    }

    [Fact]
    public void SlurmSrun()
    {
        var l = Detect(("SLURM_STEP_NUM_TASKS", "8"), ("SLURM_PROCID", "5"), ("SLURM_STEP_TASKS_PER_NODE", "4(x2)"), ("PMI_SIZE", "8"));
        Assert.Equal(new MpiLaunch(8, 5, 4, "Slurm srun", null), l);
    }
}
