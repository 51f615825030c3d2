using System.Diagnostics;

namespace DeepTrain.Kernels;

/// <summary>
/// A unit of work that <see cref="ParallelWorker.Run"/> splits into parts. Kernels keep one
/// instance per calling thread and refill its fields before each call, so a parallel call
/// allocates nothing.
/// </summary>
internal abstract class ParallelJob
{
    /// <summary>Does part <paramref name="part"/> of <paramref name="parts"/>. Parts must not
    /// depend on which thread runs them (that keeps results deterministic).</summary>
    public abstract void Execute(int part, int parts);
}

/// <summary>
/// Dedicated background worker threads for kernels. <see cref="Run"/> runs part 0 of a job on
/// the calling thread and parts 1.. on workers. A worker spins for
/// <see cref="SpinMicroseconds"/> after finishing a part (so back-to-back kernel calls hand
/// over in well under a microsecond), then blocks on a monitor, so it burns no core while idle.
/// Unlike Parallel.For this has no per-call allocation or scheduling start-up cost, which
/// dominates GEMMs under ~100 µs.
/// </summary>
internal static class ParallelWorker
{
    private static readonly object s_createLock = new();
    private static Worker[] s_workers = [];
    private static int s_busy; // 1 while some thread owns the workers

    /// <summary>How long an idle worker spins before it blocks (default 200 µs).</summary>
    public static int SpinMicroseconds { get; set; } = 200;

    /// <summary>
    /// Runs <c>job.Execute(p, parts)</c> for p in [0, parts): part 0 on this thread, the others on
    /// worker threads, and returns when all have finished. If another thread is already using
    /// the workers (concurrent kernel calls), all parts run here in turn: same result, no
    /// parallelism. An exception from any part is rethrown here after all parts have ended.
    /// </summary>
    public static void Run(ParallelJob job, int parts)
    {
        if (parts <= 1)
        {
            job.Execute(0, 1);
            return;
        }
        if (Interlocked.CompareExchange(ref s_busy, 1, 0) != 0)
        {
            for (int p = 0; p < parts; p++) job.Execute(p, parts);
            return;
        }
        try
        {
            Worker[] workers = EnsureWorkers(parts - 1);
            for (int p = 1; p < parts; p++) workers[p - 1].Start(job, p, parts);
            Exception? error = null;
            try
            {
                job.Execute(0, parts);
            }
            catch (Exception e)
            {
                error = e;
            }
            for (int p = 1; p < parts; p++)
            {
                // A part that its worker has not picked up yet (asleep, or descheduled by other
                // load on the machine) is done here instead of waited for.
                Exception? e = workers[p - 1].TryClaim() ? Execute(job, p, parts) : workers[p - 1].Wait();
                error ??= e;
            }
            if (error is not null)
                throw new AggregateException("A parallel kernel part failed.", error);
        }
        finally
        {
            Volatile.Write(ref s_busy, 0);
        }
    }

    private static Exception? Execute(ParallelJob job, int part, int parts)
    {
        try
        {
            job.Execute(part, parts);
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }

    private static Worker[] EnsureWorkers(int count)
    {
        Worker[] workers = s_workers;
        if (workers.Length >= count) return workers;
        lock (s_createLock)
        {
            workers = s_workers;
            if (workers.Length >= count) return workers;
            var grown = new Worker[count];
            Array.Copy(workers, grown, workers.Length);
            for (int i = workers.Length; i < count; i++) grown[i] = new Worker(i + 1);
            s_workers = grown;
            return grown;
        }
    }

    private sealed class Worker
    {
        private readonly object _lock = new();
        private ParallelJob? _job;
        private int _part, _parts;
        private int _requested;     // generation of the latest request
        private int _completed;     // generation of the latest request the worker finished
        private int _claimed;       // generation of the latest request claimed (by the worker or by Run)
        private int _sleeping;      // 1 while blocked (or about to block) on _lock
        private Exception? _error;

        public Worker(int index)
        {
            var thread = new Thread(Loop, 256 * 1024)
            {
                IsBackground = true,
                Name = $"DeepTrain kernel worker {index}",
            };
            thread.Start();
        }

        public void Start(ParallelJob job, int part, int parts)
        {
            _job = job;
            _part = part;
            _parts = parts;
            _error = null;
            Interlocked.Increment(ref _requested); // full fence: publishes the fields above
            if (Volatile.Read(ref _sleeping) != 0)
            {
                lock (_lock) Monitor.Pulse(_lock);
            }
        }

        /// <summary>Claims the current request for the caller; false if the worker already has it.</summary>
        public bool TryClaim()
        {
            int g = Volatile.Read(ref _requested);
            return Interlocked.CompareExchange(ref _claimed, g, g - 1) == g - 1;
        }

        public Exception? Wait()
        {
            int target = Volatile.Read(ref _requested);
            var spin = new SpinWait();
            while (Volatile.Read(ref _completed) != target) spin.SpinOnce(sleep1Threshold: -1);
            return _error;
        }

        private void Loop()
        {
            int seen = 0;
            while (true)
            {
                if (Volatile.Read(ref _requested) == seen)
                {
                    long spinTicks = (long)SpinMicroseconds * Stopwatch.Frequency / 1_000_000;
                    long start = Stopwatch.GetTimestamp();
                    while (Volatile.Read(ref _requested) == seen && Stopwatch.GetTimestamp() - start < spinTicks)
                    {
                        Thread.SpinWait(8);
                    }
                    if (Volatile.Read(ref _requested) == seen)
                    {
                        lock (_lock)
                        {
                            // Full fence between announcing sleep and re-checking: Start either
                            // sees _sleeping = 1 and pulses, or we see its new generation here.
                            Interlocked.Exchange(ref _sleeping, 1);
                            while (Volatile.Read(ref _requested) == seen) Monitor.Wait(_lock);
                            Volatile.Write(ref _sleeping, 0);
                        }
                    }
                }
                seen = Volatile.Read(ref _requested);
                // Every request is claimed exactly once, by this worker or by Run, before the next
                // one is made, so _claimed is seen - 1 here unless Run took this one.
                if (Interlocked.CompareExchange(ref _claimed, seen, seen - 1) != seen - 1) continue;
                try
                {
                    _job!.Execute(_part, _parts);
                }
                catch (Exception e)
                {
                    _error = e;
                }
                Volatile.Write(ref _completed, seen);
            }
        }
    }
}
