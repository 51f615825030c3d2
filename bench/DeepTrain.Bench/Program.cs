namespace DeepTrain.Bench;

/// <summary>Dispatches the benchmark commands.</summary>
internal static class Program
{
    private const string Usage = """
        usage: DeepTrain.Bench <command> [options]
        commands:
          gemm    SGEMM GFLOP/s (square sizes and the 784-300-100-10 MLP's shapes) next to OpenBLAS
          train   end-to-end training of the seed network on Fashion-MNIST (plain and BatchNorm forms) next to TorchSharp and PyTorch
          predict inference latency (batch 1) and throughput (batch 1024) of the 784-300-100-10 MLP next to ONNX Runtime
          mpi     data-parallel training samples/s and allreduce GB/s (run alone or under mpirun; see bench/mpi.sh)
        """;

    private static int Main(string[] args)
    {
        if (args.Length == 0)
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }
        string[] rest = args[1..];
        switch (args[0])
        {
            case "gemm":
                return GemmBench.Run(rest);
            case "train":
                return TrainBench.Run(rest);
            case "train-worker":
                return TrainBench.RunWorker(rest);
            case "predict":
                return PredictBench.Run(rest);
            case "mpi":
                return MpiBench.Run(rest);
            default:
                Console.Error.WriteLine($"unknown command '{args[0]}'");
                Console.Error.WriteLine(Usage);
                return 2;
        }
    }
}
