using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace DeepTrain.Distributed;

/// <summary>A reduction of MPI's allreduce.</summary>
public enum MpiOp
{
    /// <summary>Element-wise sum.</summary>
    Sum,
    /// <summary>Element-wise maximum.</summary>
    Max,
    /// <summary>Element-wise minimum.</summary>
    Min,
}

/// <summary>
/// An allreduce in flight (<see cref="MpiWorld.StartAllReduce"/>): its buffer stays pinned until
/// <see cref="MpiWorld.Wait"/> completes it.
/// </summary>
public struct MpiRequest
{
    internal nint Handle;
    internal MemoryHandle Pin;
    internal bool Active;

    /// <summary>True while the operation has been started and not yet waited for.</summary>
    public readonly bool IsActive => Active;
}

/// <summary>
/// The processes of this MPI job (<c>MPI_COMM_WORLD</c>) and the collectives DeepTrain needs: barrier, broadcast,
/// allreduce in place (blocking, or started with <c>MPI_Iallreduce</c> and completed with <c>MPI_Wait</c>) on
/// float, double and int buffers, and abort. Buffers are passed as pinned pointers, never marshalled element by
/// element. Works with Open MPI and the MPICH family (see <see cref="MpiFlavor"/>).
/// </summary>
/// <remarks>
/// A watchdog thread guards every blocking call: when one has waited longer than <see cref="CollectiveTimeout"/>
/// (another process died without the launcher noticing, hangs, or runs different code), it prints one error line
/// and calls <c>MPI_Abort</c>, which ends every process of the job. Initialize once per process; after
/// <see cref="Dispose"/> (<c>MPI_Finalize</c>) MPI cannot be started again in that process.
/// <code>
/// using var world = MpiWorld.Initialize();
/// world.AllReduce(gradients);          // sums over all processes, in place
/// </code>
/// </remarks>
public sealed unsafe class MpiWorld : IDisposable
{
    /// <summary>The environment variable that sets <see cref="CollectiveTimeout"/> in seconds (0 switches the watchdog off).</summary>
    public const string TimeoutVariable = "DEEPTRAIN_MPI_TIMEOUT";

    /// <summary>The watchdog's timeout when <see cref="TimeoutVariable"/> is unset.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    private static readonly object s_gate = new();
    private static MpiWorld? s_current;

    private readonly MpiLibrary _lib;
    private readonly bool _ownsInit;
    private readonly Thread? _watchdog;
    private long _busySince;           // Stopwatch timestamp of the blocking call in progress, 0 when none
    private string _busyWhat = "";
    private volatile bool _disposed;

    private MpiWorld(MpiLibrary lib, bool ownsInit, int threadLevel)
    {
        _lib = lib;
        _ownsInit = ownsInit;
        ThreadLevel = threadLevel;
        int rank, size;
        Check(_lib.CommRank(_lib.CommWorld, &rank), "MPI_Comm_rank");
        Check(_lib.CommSize(_lib.CommWorld, &size), "MPI_Comm_size");
        Rank = rank;
        Size = size;
        LibraryVersion = ReadVersion();
        CollectiveTimeout = ReadTimeout();
        _watchdog = new Thread(Watch) { IsBackground = true, Name = "DeepTrain MPI watchdog" };
        _watchdog.Start();
    }

    /// <summary>This process's rank in the job, from 0.</summary>
    public int Rank { get; }

    /// <summary>The number of processes in the job.</summary>
    public int Size { get; }

    /// <summary>The implementation's family.</summary>
    public MpiFlavor Flavor => _lib.Flavor;

    /// <summary>"Open MPI" or "MPICH", for messages.</summary>
    public string Implementation => _lib.Name;

    /// <summary>The library file that was loaded.</summary>
    public string LibraryPath => _lib.Path;

    /// <summary>The library's own version line (<c>MPI_Get_library_version</c>), first line only.</summary>
    public string LibraryVersion { get; }

    /// <summary>The thread support MPI granted (0 single ... 3 multiple).</summary>
    public int ThreadLevel { get; }

    /// <summary>
    /// How long a blocking collective may wait before the watchdog aborts the job; <see cref="TimeSpan.Zero"/>
    /// switches the watchdog off. Set from <see cref="TimeoutVariable"/>, else <see cref="DefaultTimeout"/>.
    /// </summary>
    public TimeSpan CollectiveTimeout { get; set; }

    /// <summary>
    /// Loads the MPI library (see <see cref="MpiLibrary"/> for the choice and <c>DEEPTRAIN_MPI</c>) and initializes
    /// MPI with <c>MPI_Init_thread</c> asking for full thread support (the watchdog aborts from its own thread),
    /// unless the process already did. Returns the same world on later calls.
    /// </summary>
    /// <param name="preferred">The family to try first (the launcher's), or null.</param>
    /// <exception cref="MpiException">No MPI library loads, or MPI was already finalized in this process.</exception>
    public static MpiWorld Initialize(MpiFlavor? preferred = null)
    {
        lock (s_gate)
        {
            if (s_current is { _disposed: false } live) return live;
            var lib = MpiLibrary.Load(preferred);
            int flag;
            Require(lib.Finalized(&flag), "MPI_Finalized");
            if (flag != 0) throw new MpiException("MPI was already finalized in this process; it cannot be started twice");
            Require(lib.Initialized(&flag), "MPI_Initialized");
            bool owns = flag == 0;
            int provided = 3;
            if (owns)
            {
                int rc = lib.InitThread(null, 0, 3 /* MPI_THREAD_MULTIPLE */, &provided);
                if (rc != 0) throw new MpiException($"MPI_Init_thread failed with code {rc} ({lib.Name} at {lib.Path})");
            }
            return s_current = new MpiWorld(lib, owns, provided);
        }
    }

    /// <summary>Whether an MPI library can be loaded here (nothing is initialized); <paramref name="reason"/> names it or says why not.</summary>
    public static bool IsAvailable(out string reason) => MpiLibrary.TryProbe(out reason);

    /// <summary>Waits until every process has reached this call.</summary>
    public void Barrier()
    {
        Enter("MPI_Barrier");
        try { Check(_lib.Barrier(_lib.CommWorld), "MPI_Barrier"); }
        finally { Leave(); }
    }

    /// <summary>Copies <paramref name="buffer"/> of process <paramref name="root"/> into every process's buffer (same length everywhere).</summary>
    public void Broadcast(Span<float> buffer, int root = 0) { fixed (float* p = buffer) Bcast(p, buffer.Length, _lib.Float, root); }

    /// <summary>Copies <paramref name="buffer"/> of process <paramref name="root"/> into every process's buffer (same length everywhere).</summary>
    public void Broadcast(Span<double> buffer, int root = 0) { fixed (double* p = buffer) Bcast(p, buffer.Length, _lib.Double, root); }

    /// <summary>Copies <paramref name="buffer"/> of process <paramref name="root"/> into every process's buffer (same length everywhere).</summary>
    public void Broadcast(Span<int> buffer, int root = 0) { fixed (int* p = buffer) Bcast(p, buffer.Length, _lib.Int, root); }

    /// <summary>Replaces <paramref name="buffer"/> on every process with the element-wise reduction of all processes' buffers (<c>MPI_IN_PLACE</c>).</summary>
    public void AllReduce(Span<float> buffer, MpiOp op = MpiOp.Sum) { fixed (float* p = buffer) Reduce(p, buffer.Length, _lib.Float, op); }

    /// <summary>Replaces <paramref name="buffer"/> on every process with the element-wise reduction of all processes' buffers (<c>MPI_IN_PLACE</c>).</summary>
    public void AllReduce(Span<double> buffer, MpiOp op = MpiOp.Sum) { fixed (double* p = buffer) Reduce(p, buffer.Length, _lib.Double, op); }

    /// <summary>Replaces <paramref name="buffer"/> on every process with the element-wise reduction of all processes' buffers (<c>MPI_IN_PLACE</c>).</summary>
    public void AllReduce(Span<int> buffer, MpiOp op = MpiOp.Sum) { fixed (int* p = buffer) Reduce(p, buffer.Length, _lib.Int, op); }

    /// <summary>
    /// Starts an in-place allreduce of <paramref name="buffer"/> (<c>MPI_Iallreduce</c>) and returns at once; the
    /// buffer is pinned and must not be touched until <see cref="Wait"/> completes the request.
    /// </summary>
    public MpiRequest StartAllReduce(Memory<float> buffer, MpiOp op = MpiOp.Sum)
    {
        ThrowIfDisposed();
        var request = new MpiRequest { Pin = buffer.Pin(), Active = true };
        nint handle = 0;
        int rc = _lib.Iallreduce(_lib.InPlace, request.Pin.Pointer, buffer.Length, _lib.Float, OpHandle(op), _lib.CommWorld, &handle);
        if (rc != 0)
        {
            request.Pin.Dispose();
            Check(rc, "MPI_Iallreduce");
        }
        request.Handle = handle;
        return request;
    }

    /// <summary>Completes a request from <see cref="StartAllReduce"/> (<c>MPI_Wait</c>) and unpins its buffer; an inactive request returns at once.</summary>
    public void Wait(ref MpiRequest request)
    {
        if (!request.Active) return;
        Enter("MPI_Wait (allreduce)");
        try
        {
            nint handle = request.Handle;
            Check(_lib.Wait(&handle, _lib.StatusIgnore), "MPI_Wait");
        }
        finally
        {
            Leave();
            request.Pin.Dispose();
            request.Active = false;
        }
    }

    /// <summary>
    /// Ends every process of the job (<c>MPI_Abort</c>) after writing <paramref name="message"/> (when given) to
    /// standard error. Does not return.
    /// </summary>
    public void Abort(int errorCode, string? message = null)
    {
        if (message is not null) Console.Error.WriteLine(message);
        try { Console.Out.Flush(); Console.Error.Flush(); } catch (IOException) { }
        _lib.Abort(_lib.CommWorld, errorCode);
        Environment.Exit(errorCode); // MPI_Abort returned (it should not): end at least this process
    }

    /// <summary>Finalizes MPI (when this object initialized it) and stops the watchdog. Every process must call it.</summary>
    public void Dispose()
    {
        lock (s_gate)
        {
            if (_disposed) return;
            _disposed = true;
            int finalized;
            if (_ownsInit && _lib.Finalized(&finalized) == 0 && finalized == 0) _lib.Finalize();
        }
    }

    private void Bcast(void* p, int count, nint type, int root)
    {
        if ((uint)root >= (uint)Size) throw new ArgumentOutOfRangeException(nameof(root), $"root must be a rank in [0, {Size}): got {root}");
        Enter("MPI_Bcast");
        try { Check(_lib.Bcast(p, count, type, root, _lib.CommWorld), "MPI_Bcast"); }
        finally { Leave(); }
    }

    private void Reduce(void* p, int count, nint type, MpiOp op)
    {
        Enter("MPI_Allreduce");
        try { Check(_lib.Allreduce(_lib.InPlace, p, count, type, OpHandle(op), _lib.CommWorld), "MPI_Allreduce"); }
        finally { Leave(); }
    }

    private nint OpHandle(MpiOp op) => op switch
    {
        MpiOp.Sum => _lib.OpSum,
        MpiOp.Max => _lib.OpMax,
        MpiOp.Min => _lib.OpMin,
        _ => throw new ArgumentOutOfRangeException(nameof(op), $"unknown MPI operation {op}"),
    };

    private void Enter(string what)
    {
        ThrowIfDisposed();
        _busyWhat = what;
        Volatile.Write(ref _busySince, Stopwatch.GetTimestamp());
    }

    private void Leave() => Volatile.Write(ref _busySince, 0);

    private void ThrowIfDisposed()
    {
        if (_disposed) throw new ObjectDisposedException(nameof(MpiWorld), "MPI was finalized");
    }

    // Polls the blocking call in progress; aborting the job is the only way out of a collective whose partner is gone.
    private void Watch()
    {
        while (!_disposed)
        {
            Thread.Sleep(250);
            long since = Volatile.Read(ref _busySince);
            var timeout = CollectiveTimeout;
            if (since == 0 || timeout <= TimeSpan.Zero) continue;
            var waited = Stopwatch.GetElapsedTime(since);
            if (waited < timeout || Volatile.Read(ref _busySince) != since) continue;
            Abort(3, string.Create(CultureInfo.InvariantCulture,
                $"error: process {Rank} of {Size}: {_busyWhat} waited {waited.TotalSeconds:F0} s for the other processes " +
                $"({TimeoutVariable}={timeout.TotalSeconds:G}); one of them died, hangs, or runs different code; aborting all processes"));
        }
    }

    private static TimeSpan ReadTimeout()
    {
        string? v = Environment.GetEnvironmentVariable(TimeoutVariable);
        if (string.IsNullOrWhiteSpace(v)) return DefaultTimeout;
        if (!double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double s) || !(s >= 0) || double.IsInfinity(s))
            throw new MpiException($"{TimeoutVariable} must be a number of seconds >= 0 (0: no watchdog): got '{v}'");
        return TimeSpan.FromSeconds(s);
    }

    private string ReadVersion()
    {
        const int max = 8192; // MPICH's MPI_MAX_LIBRARY_VERSION_STRING (Open MPI's is 256)
        byte* buffer = stackalloc byte[max];
        int length = 0;
        if (_lib.GetLibraryVersion(buffer, &length) != 0) return _lib.Name;
        string text = Encoding.UTF8.GetString(buffer, Math.Clamp(length, 0, max)).TrimEnd('\0', ' ', '\n');
        int eol = text.IndexOfAny(['\n', ',']);
        return eol > 0 ? text[..eol].Trim() : text.Trim();
    }

    private void Check(int rc, string call)
    {
        if (rc == 0) return;
        throw new MpiException($"{call} failed on process {Rank} of {Size}: {ErrorText(_lib, rc)}");
    }

    private static void Require(int rc, string call)
    {
        if (rc != 0) throw new MpiException($"{call} failed with code {rc}");
    }

    private static string ErrorText(MpiLibrary lib, int rc)
    {
        byte* buffer = stackalloc byte[512];
        int length = 0;
        if (lib.ErrorString(rc, buffer, &length) != 0) return $"code {rc}";
        return $"{Encoding.UTF8.GetString(buffer, Math.Clamp(length, 0, 512))} (code {rc})";
    }
}
