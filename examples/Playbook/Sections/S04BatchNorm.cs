using DeepTrain.Checkpoints;
using DeepTrain.Init;
using DeepTrain.Layers;
using DeepTrain.Optimizers;
using DeepTrain.Tensors;
using DeepTrain.Training;
using static Playbook.Common;

namespace Playbook;

/// <summary>Section 4: Batch Normalization.</summary>
public static class S04BatchNorm
{
    /// <summary>Runs the section.</summary>
    public static Figures Run(PlaybookOptions o)
    {
        var figures = new Figures();
        o.Output.WriteLine("== 4. Batch Normalization");

        // (a) Training mode normalizes with the batch and moves the averages; inference mode uses the averages.
        var bn = new BatchNorm(momentum: 0.9f, name: "bn");
        var net = new Sequential(3, seed: 1) { bn };
        var x = Tensor.FromArray(new float[] { 1, 2, 3, 3, 6, 9 }, 2, 3);    // batch mean [2, 4, 6], unbiased variance [2, 8, 18]
        net.Train();
        var trainOut = net.Forward(x).ToArray();
        o.Output.WriteLine("(a) one training-mode batch through BatchNorm(momentum: 0.9) (PyTorch: momentum=0.1)");
        o.Output.WriteLine($"    output (batch statistics):  [{string.Join(", ", trainOut.Select(v => F(v, "F3")))}]");
        o.Output.WriteLine($"    running_mean = 0.9*0 + 0.1*batch mean = [{string.Join(", ", bn.RunningMean.ToArray().Select(v => F(v, "F2")))}]");
        o.Output.WriteLine($"    running_var  = 0.9*1 + 0.1*batch var  = [{string.Join(", ", bn.RunningVar.ToArray().Select(v => F(v, "F2")))}]");
        figures["running_mean0"] = bn.RunningMean[0];
        figures["running_var0"] = bn.RunningVar[0];
        net.Eval();
        var evalOut = net.Forward(x).ToArray();
        o.Output.WriteLine($"    inference-mode output (moving averages): [{string.Join(", ", evalOut.Select(v => F(v, "F3")))}]");

        // (b) A frozen BatchNorm runs in inference mode even while the model trains: its averages stay put.
        Freezing.Freeze(net, "bn");
        net.Train();
        var before = bn.RunningMean.ToArray();
        var frozenOut = net.Forward(x).ToArray();
        bool unchanged = before.SequenceEqual(bn.RunningMean.ToArray()) && frozenOut.SequenceEqual(evalOut);
        o.Output.WriteLine($"(b) frozen, in training mode: uses batch statistics = {bn.UsesBatchStatistics}; averages unchanged and output = inference output: {unchanged}");
        figures["frozen_unchanged"] = unchanged ? 1 : 0;

        // (c) A deep logistic stack with a bad initialization, with and without BatchNorm.
        var (train, valid, _) = Load(o);
        Title(o, "(c) 8 logistic layers, N(0,1) init, SGD lr 0.05", train, valid);
        int epochs = o.Pick(3, 1), units = o.Pick(100, 32);
        var rows = new List<string[]>();
        foreach (bool batchNorm in new[] { false, true })
        {
            var model = S01Gradients.DeepStack(8, units, Activation.Sigmoid, Initializer.RandomNormal(), batchNorm, train.Classes, (ulong)o.Seed);
            var (acc, seconds, history) = FitTimed(model, train, valid, Options(o, new Sgd(model.Parameters(), learningRate: 0.05f), epochs));
            figures[(batchNorm ? "bn" : "plain") + ".val_accuracy"] = acc;
            rows.Add([batchNorm ? "with BatchNorm" : "without", string.Join(" ", history["val_accuracy"].Select(a => F(a, "F3"))), F(seconds / epochs, "F2")]);
        }
        Table(o, ["model", "val accuracy per epoch", "s/epoch"], rows);
        return figures;
    }
}
