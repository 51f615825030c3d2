#!/usr/bin/env bash
# Data-parallel figures on this machine: 1 process x 2 threads against 2 processes x 1 thread (training samples/s
# of the 784-300-100-10 network), and the allreduce throughput of DeepTrain's MPI binding next to the same call
# from C. Needs Open MPI (apt-get install openmpi-bin; libopenmpi-dev for the C peer). Usage: bench/mpi.sh [steps]
set -euo pipefail
cd "$(dirname "$0")/.."
export TERM=dumb DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
steps=${1:-400}
dotnet build -c Release bench/DeepTrain.Bench -v q -nologo >/dev/null
bench=bench/DeepTrain.Bench/bin/Release/net10.0/DeepTrain.Bench.dll
mpirun=(mpirun --allow-run-as-root --oversubscribe)
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
for batch in 64 512; do
  dotnet "$bench" mpi --threads 2 --steps "$steps" --batch $batch
  dotnet "$bench" mpi --threads 1 --steps "$steps" --batch $batch
  "${mpirun[@]}" -np 2 dotnet "$bench" mpi --threads 1 --steps "$steps" --batch $batch --no-allreduce
done
"${mpirun[@]}" -np 2 dotnet "$bench" mpi --threads 1 --steps "$steps" --bucket-bytes 1048576 --no-allreduce
"${mpirun[@]}" -np 2 dotnet "$bench" mpi --threads 1 --steps 20 --repeats 1
if command -v mpicc >/dev/null; then
  out=$(mktemp -d)
  mpicc -O2 -o "$out/allreduce" bench/mpi/allreduce.c
  "${mpirun[@]}" -np 2 "$out/allreduce"
  rm -rf "$out"
else
  echo "no mpicc (apt-get install libopenmpi-dev): the C peer was not run"
fi
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
