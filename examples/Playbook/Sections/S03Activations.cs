using DeepTrain.Init;
using DeepTrain.Layers;
using DeepTrain.Optimizers;
using DeepTrain.Ops;
using DeepTrain.Training;
using static Playbook.Common;

namespace Playbook;

/// <summary>Section 3: nonsaturating activations.</summary>
public static class S03Activations
{
    /// <summary>A leaky ReLU written with ops: the autograd differentiates it.</summary>
    public static readonly Activation MyLeaky = Activation.Custom("my_leaky", z => Ops.Maximum(0.01f * z, z));

    /// <summary>Runs the section.</summary>
    public static Figures Run(PlaybookOptions o)
    {
        var (train, valid, _) = Load(o);
        Title(o, "3. Nonsaturating activations", train, valid);
        int depth = o.Pick(5, 3), units = o.Pick(100, 32), epochs = o.Pick(5, 1);
        var figures = new Figures();
        var rows = new List<string[]>();

        // (name, activation for Dense, initializer, standardize inputs, PReLU layer instead)
        var settings = new (string Name, Activation? Act, Initializer Init, bool Standardize, bool PRelu)[]
        {
            ("sigmoid (reference)", Activation.Sigmoid, Initializer.GlorotUniform, false, false),
            ("relu", Activation.Relu, Initializer.HeNormal, false, false),
            ("leaky_relu:0.2", Activation.LeakyRelu(0.2f), Initializer.HeNormal, false, false),
            ("my_leaky (custom)", MyLeaky, Initializer.HeNormal, false, false),
            ("elu", Activation.Elu(), Initializer.HeNormal, false, false),
            ("selu + lecun_normal + standardized", Activation.Selu, Initializer.LeCunNormal, true, false),
            ("rrelu", Activation.RRelu(), Initializer.HeNormal, false, false),
            ("prelu", null, Initializer.HeNormal, false, true),
        };
        foreach (var (name, act, init, standardize, prelu) in settings)
        {
            var fit = train; var val = valid;
            if (standardize)
            {
                var scaler = train.WithStandardizer(null).Standardize();    // fitted on the training set only
                fit = train.WithStandardizer(scaler);
                val = valid.WithStandardizer(scaler);
            }
            var model = new Sequential(784, (ulong)o.Seed);
            for (int i = 1; i <= depth; i++)
            {
                if (prelu)
                {
                    model.Add(new Dense(units, kernelInitializer: init, name: $"hidden{i}"));
                    model.Add(new PReLU(name: $"prelu{i}"));
                }
                else model.Add(new Dense(units, act, init, name: $"hidden{i}"));
            }
            model.Add(new Dense(train.Classes, name: "output"));
            var options = Options(o, new Sgd(model.Parameters(), learningRate: 0.01f, momentum: 0.9f), epochs);
            var (acc, seconds, _) = FitTimed(model, fit, val, options);
            figures[name.Split(' ')[0] + ".val_accuracy"] = acc;
            rows.Add([name, F(acc), F(seconds / epochs, "F2")]);
        }
        o.Output.WriteLine($"{depth} x {units} hidden, SGD momentum 0.9, lr 0.01, {epochs} epoch(s)");
        Table(o, ["activation", "val accuracy", "s/epoch"], rows);
        return figures;
    }
}
