namespace DeepTrain.Distributed;

/// <summary>
/// How this process was started, as told by the environment that MPI launchers and Slurm set: Open MPI's
/// <c>mpirun</c> (<c>OMPI_COMM_WORLD_SIZE</c>), MPICH's Hydra (<c>PMI_SIZE</c>), Slurm's <c>srun</c>
/// (<c>SLURM_STEP_NUM_TASKS</c>, with PMI or PMIx). Reading it loads nothing.
/// </summary>
/// <param name="Size">The number of processes the launcher started.</param>
/// <param name="Rank">This process's rank.</param>
/// <param name="LocalSize">Processes on this machine (to divide its cores between them).</param>
/// <param name="Launcher">The launcher, for messages (<c>Open MPI mpirun</c>, <c>MPICH hydra</c>, <c>Slurm srun</c>).</param>
/// <param name="Flavor">The MPI family the launcher belongs to, when it tells (Slurm does not).</param>
public sealed record MpiLaunch(int Size, int Rank, int LocalSize, string Launcher, MpiFlavor? Flavor)
{
    /// <summary>The launch this process belongs to, or null when no launcher started it.</summary>
    public static MpiLaunch? Detect() => Detect(Environment.GetEnvironmentVariable);

    /// <summary>The launch described by an environment (for tests).</summary>
    /// <param name="env">Looks up one environment variable (null when unset).</param>
    public static MpiLaunch? Detect(Func<string, string?> env)
    {
        ArgumentNullException.ThrowIfNull(env);
        int? Int(string name) => int.TryParse(env(name), out int v) ? v : null;
        if (Int("OMPI_COMM_WORLD_SIZE") is { } ompi)
            return new MpiLaunch(ompi, Int("OMPI_COMM_WORLD_RANK") ?? 0, Int("OMPI_COMM_WORLD_LOCAL_SIZE") ?? ompi, "Open MPI mpirun", MpiFlavor.OpenMpi);
        if (Int("SLURM_STEP_NUM_TASKS") is { } slurm && (env("SLURM_PROCID") is not null))
        {
            int local = ParseTasksPerNode(env("SLURM_STEP_TASKS_PER_NODE")) ?? slurm;
            return new MpiLaunch(slurm, Int("SLURM_PROCID") ?? 0, local, "Slurm srun", null);
        }
        if (Int("PMI_SIZE") is { } pmi)
            return new MpiLaunch(pmi, Int("PMI_RANK") ?? 0, Int("MPI_LOCALNRANKS") ?? pmi, "MPICH hydra", MpiFlavor.Mpich);
        if (env("PMIX_RANK") is not null && Int("PMIX_SIZE") is { } pmix)
            return new MpiLaunch(pmix, Int("PMIX_RANK") ?? 0, Int("PMIX_LOCAL_SIZE") ?? pmix, "PMIx launcher", null);
        return null;
    }

    // Slurm writes "4(x2),3" or "2": the first count is this kind of node's (good enough to divide cores).
    private static int? ParseTasksPerNode(string? spec)
    {
        if (string.IsNullOrEmpty(spec)) return null;
        int end = 0;
        while (end < spec.Length && char.IsAsciiDigit(spec[end])) end++;
        return int.TryParse(spec.AsSpan(0, end), out int v) && v > 0 ? v : null;
    }
}
