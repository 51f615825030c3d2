/* The peer of `DeepTrain.Bench mpi`'s allreduce sweep: the same in-place float MPI_Allreduce, called from C.
   Build and run: mpicc -O2 -o allreduce allreduce.c && mpirun -np 2 ./allreduce */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    int rank, size;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (rank == 0) printf("C MPI_Allreduce (float sum, in place) over %d processes: bytes, us per call, algorithm GB/s, bus GB/s\n", size);
    for (long bytes = 4 << 10; bytes <= 16 << 20; bytes *= 4) {
        long n = bytes / 4;
        float *buffer = malloc(bytes);
        for (long i = 0; i < n; i++) buffer[i] = 1.0f;
        long iterations = 200000000L / bytes;
        if (iterations < 10) iterations = 10;
        if (iterations > 2000) iterations = 2000;
        long warm = iterations / 10 > 3 ? iterations / 10 : 3;
        for (long i = 0; i < warm; i++) MPI_Allreduce(MPI_IN_PLACE, buffer, (int)n, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
        MPI_Barrier(MPI_COMM_WORLD);
        double t0 = MPI_Wtime();
        for (long i = 0; i < iterations; i++) MPI_Allreduce(MPI_IN_PLACE, buffer, (int)n, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
        double seconds = (MPI_Wtime() - t0) / iterations, slowest;
        MPI_Allreduce(&seconds, &slowest, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
        if (rank == 0) {
            double algo = bytes / slowest / 1e9;
            printf("  %10ld %10.1f %8.2f %8.2f\n", bytes, slowest * 1e6, algo, algo * 2 * (size - 1) / size);
        }
        free(buffer);
    }
    MPI_Finalize();
    return 0;
}
