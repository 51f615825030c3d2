using System.Text.Json.Nodes;
using DeepTrain.Optimizers;

namespace DeepTrain.Checkpoints;

/// <summary>
/// Describes an optimizer as a kind name (the <see cref="OptimizerFactory"/> names: sgd, adagrad, rmsprop, adam,
/// adamw, nadam, adamax) plus every hyper-parameter of its constructor, and makes it again. Constructors are called
/// directly rather than through the factory because some hyper-parameters (Nadam's momentum decay, AdaGrad's
/// initial accumulator and decay) have no factory option, and a saved optimizer must come back exactly.
/// </summary>
internal static class OptimizerCodec
{
    public static (string Kind, JsonObject Config) Describe(Optimizer o, string source) => o switch
    {
        Sgd s => ("sgd", new JsonObject { ["learning_rate"] = s.InitialLearningRate, ["momentum"] = s.Momentum, ["nesterov"] = s.Nesterov, ["weight_decay"] = s.WeightDecay }),
        AdaGrad a => ("adagrad", new JsonObject
        {
            ["learning_rate"] = a.InitialLearningRate, ["initial_accumulator_value"] = a.InitialAccumulatorValue, ["epsilon"] = a.Epsilon,
            ["weight_decay"] = a.WeightDecay, ["learning_rate_decay"] = a.LearningRateDecay,
        }),
        RmsProp r => ("rmsprop", new JsonObject
        {
            ["learning_rate"] = r.InitialLearningRate, ["rho"] = r.Rho, ["epsilon"] = r.Epsilon, ["momentum"] = r.Momentum,
            ["centered"] = r.Centered, ["weight_decay"] = r.WeightDecay,
        }),
        AdamW a => ("adamw", Betas(a.InitialLearningRate, a.Beta1, a.Beta2, a.Epsilon, a.WeightDecay, amsGrad: a.AmsGrad)),
        Adam a => ("adam", Betas(a.InitialLearningRate, a.Beta1, a.Beta2, a.Epsilon, a.WeightDecay, amsGrad: a.AmsGrad)),
        Nadam n => ("nadam", Betas(n.InitialLearningRate, n.Beta1, n.Beta2, n.Epsilon, n.WeightDecay, momentumDecay: n.MomentumDecay)),
        AdaMax m => ("adamax", Betas(m.InitialLearningRate, m.Beta1, m.Beta2, m.Epsilon, m.WeightDecay)),
        _ => throw new ModelFileException(source, $"the optimizer is a {o.GetType().Name}, which a model file cannot describe (it can: sgd, adagrad, rmsprop, adam, adamw, nadam, adamax)"),
    };

    private static JsonObject Betas(float lr, float beta1, float beta2, float epsilon, float weightDecay, bool? amsGrad = null, float? momentumDecay = null)
    {
        var o = new JsonObject { ["learning_rate"] = lr, ["beta1"] = beta1, ["beta2"] = beta2, ["epsilon"] = epsilon, ["weight_decay"] = weightDecay };
        if (amsGrad is { } a) o["amsgrad"] = a;
        if (momentumDecay is { } m) o["momentum_decay"] = m;
        return o;
    }

    public static Optimizer Create(string kind, JsonObject c, IReadOnlyList<ParamGroup> groups, string source)
    {
        const string w = "the optimizer's configuration";
        float F(string key) => Json.Float(c, key, w, source);
        bool B(string key) => Json.Bool(c, key, w, source);
        try
        {
            return kind switch
            {
                "sgd" => new Sgd(groups, F("learning_rate"), F("momentum"), B("nesterov"), F("weight_decay")),
                "adagrad" => new AdaGrad(groups, F("learning_rate"), F("initial_accumulator_value"), F("epsilon"), F("weight_decay"), F("learning_rate_decay")),
                "rmsprop" => new RmsProp(groups, F("learning_rate"), F("rho"), F("epsilon"), F("momentum"), B("centered"), F("weight_decay")),
                "adam" => new Adam(groups, F("learning_rate"), F("beta1"), F("beta2"), F("epsilon"), F("weight_decay"), B("amsgrad")),
                "adamw" => new AdamW(groups, F("learning_rate"), F("beta1"), F("beta2"), F("epsilon"), F("weight_decay"), B("amsgrad")),
                "nadam" => new Nadam(groups, F("learning_rate"), F("beta1"), F("beta2"), F("epsilon"), F("weight_decay"), F("momentum_decay")),
                "adamax" => new AdaMax(groups, F("learning_rate"), F("beta1"), F("beta2"), F("epsilon"), F("weight_decay")),
                _ => throw new ModelFileException(source, $"unknown optimizer kind '{kind}' (known: sgd, adagrad, rmsprop, adam, adamw, nadam, adamax); the file may come from a newer DeepTrain"),
            };
        }
        catch (ArgumentException ex)
        {
            throw new ModelFileException(source, $"the optimizer '{kind}' cannot be rebuilt: {ex.Message}", ex);
        }
    }
}
