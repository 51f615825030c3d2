using DeepTrain.Data;
using DeepTrain.Layers;
using DeepTrain.Optimizers;
using DeepTrain.Training;

namespace DeepTrain.Tests.Training;

public class CancellationTests
{
    [Fact]
    public void CancellingStopsAfterTheCurrentBatch()
    {
        var (train, _) = KnownDatasets.Load("digits");
        var model = new Sequential(784, seed: 1) { new Dense(16, Activation.Relu), new Dense(10) };
        using var cts = new CancellationTokenSource();
        var counter = new CancelAt(cts, 5);
        var history = model.Fit(train, null, new FitOptions
        {
            Optimizer = new Sgd(model.Parameters(), 0.1f), Epochs = 3, BatchSize = 32, Progress = ProgressMode.None,
            Cancellation = cts.Token, Callbacks = [counter],
        });
        Assert.Equal(5, counter.Batches);
        Assert.Equal("cancelled", history.StopReason);
        Assert.Equal(0, history.Epochs); // an epoch cut short is not recorded
    }

    private sealed class CancelAt(CancellationTokenSource cts, int at) : Callback
    {
        public int Batches;
        public override void OnBatchEnd(TrainingContext context, int batch, float loss)
        {
            if (++Batches == at) cts.Cancel();
        }
    }
}
