using DeepTrain.Init;
using DeepTrain.Layers;
using DeepTrain.Optimizers;
using DeepTrain.Pretraining;
using DeepTrain.Training;
using static Playbook.Common;

namespace Playbook;

/// <summary>Section 8: unsupervised pretraining with autoencoders and RBMs, then fine-tuning on few labels.</summary>
public static class S08Pretraining
{
    /// <summary>Runs the section.</summary>
    public static Figures Run(PlaybookOptions o)
    {
        var (train, valid, test) = Load(o);
        Title(o, "8. Unsupervised pretraining (labels ignored), then fine-tuning on few labels", train, valid, test);
        var figures = new Figures();
        int[] hidden = o.Small ? [32, 16] : [300, 100];
        int pretrainEpochs = o.Pick(3, 1), fineTuneEpochs = o.Pick(30, 2), perClass = o.Pick(10, 5);
        var labelled = train.TakePerClass(perClass, o.Seed);

        var ae = new AutoencoderPretrainer(new AutoencoderOptions
        {
            HiddenSizes = hidden, Activation = Activation.Sigmoid, TiedWeights = true, Corruption = Corruption.Masking(0.25f),
            Loss = ReconstructionLoss.CrossEntropy, Epochs = pretrainEpochs, BatchSize = 64, Seed = o.Seed,
        }).Pretrain(train, valid);
        var rbm = new RbmPretrainer(new RbmOptions
        {
            HiddenSizes = hidden, K = 1, LearningRate = 0.05f, Momentum = 0.5f, Epochs = pretrainEpochs, BatchSize = 64, Seed = o.Seed,
        }).Pretrain(train, valid);
        o.Output.WriteLine($"pretrained {string.Join("-", hidden)} for {pretrainEpochs} epoch(s) per layer; held-out reconstruction error per layer:");
        o.Output.WriteLine($"  denoising autoencoders (masking 0.25, tied weights): {string.Join(", ", ae.Final("val_reconstruction_error").Select(v => F(v, "F5")))}");
        o.Output.WriteLine($"  RBMs (CD-1):                                          {string.Join(", ", rbm.Final("val_reconstruction_error").Select(v => F(v, "F5")))}");

        var rows = new List<string[]>();
        var candidates = new (string Name, Sequential Model)[]
        {
            ("random init (sigmoid, Glorot)", RandomInit(hidden, train.Classes, (ulong)o.Seed)),
            ("autoencoder-pretrained", FineTuning.WithOutput(ae.Encoder, train.Classes, seed: (ulong)o.Seed)),
            ("RBM-pretrained", FineTuning.WithOutput(rbm.Encoder, train.Classes, seed: (ulong)o.Seed)),
        };
        foreach (var (name, model) in candidates)
        {
            model.Fit(labelled, valid, Options(o, new Adam(model.Parameters()), fineTuneEpochs, batchSize: 32));
            double acc = model.Evaluate(test).Accuracy;
            figures[name.Split(' ')[0] + ".test_accuracy"] = acc;
            rows.Add([name, F(acc)]);
        }
        o.Output.WriteLine($"fine-tuned on {perClass} labelled images per class ({labelled.Count}), Adam, {fineTuneEpochs} epochs:");
        Table(o, ["start", "test accuracy"], rows);
        o.Output.WriteLine("the full study (Fashion-MNIST, 100 labels per class, 3 seeds): examples/Pretraining");
        return figures;
    }

    private static Sequential RandomInit(int[] hidden, int classes, ulong seed)
    {
        var model = new Sequential(784, seed);
        for (int i = 0; i < hidden.Length; i++)
            model.Add(new Dense(hidden[i], Activation.Sigmoid, Initializer.GlorotUniform, name: $"hidden{i + 1}"));
        model.Add(new Dense(classes, name: "output"));
        return model;
    }
}
