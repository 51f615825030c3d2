using System.Runtime.InteropServices;

namespace DeepTrain.Distributed;

/// <summary>The two ABIs of the MPI libraries found on Linux.</summary>
public enum MpiFlavor
{
    /// <summary>Open MPI (<c>libmpi.so.40</c>): handles are addresses of exported globals (<c>ompi_mpi_comm_world</c> ...).</summary>
    OpenMpi,
    /// <summary>The MPICH family (MPICH, Intel MPI, MVAPICH: <c>libmpich.so.12</c>, <c>libmpi.so.12</c>): handles are fixed integers.</summary>
    Mpich,
}

/// <summary>
/// The system's MPI library, loaded with <see cref="NativeLibrary"/>, and the handful of entry points and
/// handles DeepTrain uses, as unmanaged function pointers (no marshalling: every argument is a pointer or an
/// integer). Nothing here is touched unless a data-parallel run asks for it.
/// </summary>
/// <remarks>
/// Handles are carried as <see cref="nint"/> for both flavors: Open MPI's <c>MPI_Comm</c> is a pointer, MPICH's an
/// <c>int</c>; on the 64-bit Linux ABIs an <c>int</c> argument is read from the low half of its register, so an
/// <see cref="nint"/> holding the value is passed correctly. Out-parameters of type <c>MPI_Request*</c> point at
/// zeroed 8-byte slots, so MPICH's 4-byte requests read back correctly too.
/// Constants were checked against Open MPI 4.1's and MPICH 4.0's <c>mpi.h</c>.
/// </remarks>
internal sealed unsafe class MpiLibrary
{
    /// <summary>The environment variable that picks the library: <c>openmpi</c>, <c>mpich</c>, or a path.</summary>
    public const string Variable = "DEEPTRAIN_MPI";

    private static readonly string[] OpenMpiNames = ["libmpi.so.40", "libmpi.so"];
    private static readonly string[] MpichNames = ["libmpich.so.12", "libmpi.so.12", "libmpich.so"];

    public string Path { get; }
    public MpiFlavor Flavor { get; }
    public nint CommWorld { get; }
    public nint Float { get; }
    public nint Double { get; }
    public nint Int { get; }
    public nint OpSum { get; }
    public nint OpMax { get; }
    public nint OpMin { get; }
    /// <summary>MPI_IN_PLACE: (void*)1 in Open MPI, (void*)-1 in MPICH.</summary>
    public void* InPlace { get; }
    /// <summary>MPI_STATUS_IGNORE: null in Open MPI, (MPI_Status*)1 in MPICH.</summary>
    public nint StatusIgnore { get; }

    public readonly delegate* unmanaged<int*, nint, int, int*, int> InitThread;
    public readonly delegate* unmanaged<int*, int> Initialized;
    public readonly delegate* unmanaged<int*, int> Finalized;
    public readonly delegate* unmanaged<int> Finalize;
    public readonly delegate* unmanaged<nint, int*, int> CommRank;
    public readonly delegate* unmanaged<nint, int*, int> CommSize;
    public readonly delegate* unmanaged<nint, int> Barrier;
    public readonly delegate* unmanaged<void*, int, nint, int, nint, int> Bcast;
    public readonly delegate* unmanaged<void*, void*, int, nint, nint, nint, int> Allreduce;
    public readonly delegate* unmanaged<void*, void*, int, nint, nint, nint, nint*, int> Iallreduce;
    public readonly delegate* unmanaged<nint*, nint, int> Wait;
    public readonly delegate* unmanaged<nint, int, int> Abort;
    public readonly delegate* unmanaged<byte*, int*, int> GetLibraryVersion;
    public readonly delegate* unmanaged<int, byte*, int*, int> ErrorString;

    private MpiLibrary(string path, nint handle, MpiFlavor flavor)
    {
        Path = path;
        Flavor = flavor;
        if (flavor == MpiFlavor.OpenMpi)
        {
            CommWorld = Export(handle, "ompi_mpi_comm_world");
            Float = Export(handle, "ompi_mpi_float");
            Double = Export(handle, "ompi_mpi_double");
            Int = Export(handle, "ompi_mpi_int");
            OpSum = Export(handle, "ompi_mpi_op_sum");
            OpMax = Export(handle, "ompi_mpi_op_max");
            OpMin = Export(handle, "ompi_mpi_op_min");
            InPlace = (void*)1;
            StatusIgnore = 0;
        }
        else
        {
            CommWorld = 0x44000000;
            Float = 0x4c00040a;
            Double = 0x4c00080b;
            Int = 0x4c000405;
            OpMax = 0x58000001;
            OpMin = 0x58000002;
            OpSum = 0x58000003;
            InPlace = (void*)-1;
            StatusIgnore = 1;
        }
        InitThread = (delegate* unmanaged<int*, nint, int, int*, int>)Export(handle, "MPI_Init_thread");
        Initialized = (delegate* unmanaged<int*, int>)Export(handle, "MPI_Initialized");
        Finalized = (delegate* unmanaged<int*, int>)Export(handle, "MPI_Finalized");
        Finalize = (delegate* unmanaged<int>)Export(handle, "MPI_Finalize");
        CommRank = (delegate* unmanaged<nint, int*, int>)Export(handle, "MPI_Comm_rank");
        CommSize = (delegate* unmanaged<nint, int*, int>)Export(handle, "MPI_Comm_size");
        Barrier = (delegate* unmanaged<nint, int>)Export(handle, "MPI_Barrier");
        Bcast = (delegate* unmanaged<void*, int, nint, int, nint, int>)Export(handle, "MPI_Bcast");
        Allreduce = (delegate* unmanaged<void*, void*, int, nint, nint, nint, int>)Export(handle, "MPI_Allreduce");
        Iallreduce = (delegate* unmanaged<void*, void*, int, nint, nint, nint, nint*, int>)Export(handle, "MPI_Iallreduce");
        Wait = (delegate* unmanaged<nint*, nint, int>)Export(handle, "MPI_Wait");
        Abort = (delegate* unmanaged<nint, int, int>)Export(handle, "MPI_Abort");
        GetLibraryVersion = (delegate* unmanaged<byte*, int*, int>)Export(handle, "MPI_Get_library_version");
        ErrorString = (delegate* unmanaged<int, byte*, int*, int>)Export(handle, "MPI_Error_string");
    }

    /// <summary>The implementation's name for messages.</summary>
    public string Name => Flavor == MpiFlavor.OpenMpi ? "Open MPI" : "MPICH";

    /// <summary>
    /// Loads the MPI library: the one <c>DEEPTRAIN_MPI</c> names, else the one matching <paramref name="preferred"/>
    /// (the launcher's family), else whichever of Open MPI and MPICH loads first.
    /// </summary>
    /// <exception cref="MpiException">No MPI library could be loaded; the message lists what was tried.</exception>
    public static MpiLibrary Load(MpiFlavor? preferred = null)
    {
        string? choice = Environment.GetEnvironmentVariable(Variable);
        var tried = new List<string>();
        if (!string.IsNullOrWhiteSpace(choice))
        {
            choice = choice.Trim();
            if (choice.Equals("openmpi", StringComparison.OrdinalIgnoreCase)) return LoadFirst(OpenMpiNames, tried) ?? throw NotFound(tried, choice);
            if (choice.Equals("mpich", StringComparison.OrdinalIgnoreCase)) return LoadFirst(MpichNames, tried) ?? throw NotFound(tried, choice);
            if (choice.Contains('/') || choice.EndsWith(".so", StringComparison.Ordinal) || choice.Contains(".so.", StringComparison.Ordinal))
                return LoadFirst([choice], tried) ?? throw NotFound(tried, choice);
            throw new MpiException($"{Variable} must be openmpi, mpich or the path of an MPI library: got '{choice}'");
        }
        string[][] order = preferred == MpiFlavor.Mpich ? [MpichNames, OpenMpiNames] : [OpenMpiNames, MpichNames];
        foreach (var names in order)
            if (LoadFirst(names, tried) is { } lib) return lib;
        throw NotFound(tried, null);
    }

    /// <summary>Whether an MPI library can be loaded (it is loaded, not initialized); <paramref name="reason"/> says why not.</summary>
    public static bool TryProbe(out string reason)
    {
        try
        {
            var lib = Load();
            reason = $"{lib.Name} at {lib.Path}";
            return true;
        }
        catch (MpiException e)
        {
            reason = e.Message;
            return false;
        }
    }

    private static MpiLibrary? LoadFirst(IEnumerable<string> names, List<string> tried)
    {
        foreach (var name in names)
        {
            if (!NativeLibrary.TryLoad(name, out var handle))
            {
                tried.Add(name);
                continue;
            }
            // The ABI is told by the library, not by its name: Open MPI exports its predefined handles.
            var flavor = NativeLibrary.TryGetExport(handle, "ompi_mpi_comm_world", out _) ? MpiFlavor.OpenMpi : MpiFlavor.Mpich;
            if (!NativeLibrary.TryGetExport(handle, "MPI_Init_thread", out _))
            {
                tried.Add($"{name} (loads, but exports no MPI_Init_thread)");
                continue;
            }
            return new MpiLibrary(name, handle, flavor);
        }
        return null;
    }

    private static MpiException NotFound(List<string> tried, string? choice) => new(
        $"no MPI library could be loaded{(choice is null ? "" : $" for {Variable}={choice}")} (tried {string.Join(", ", tried)}); " +
        "install Open MPI (Debian: apt-get install openmpi-bin) or MPICH, or point DEEPTRAIN_MPI at the library");

    private static nint Export(nint handle, string name) =>
        NativeLibrary.TryGetExport(handle, name, out var address)
            ? address
            : throw new MpiException($"the MPI library does not export {name}; it is too old or not an MPI-3 library");
}
