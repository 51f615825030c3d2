using System.Text.Json;
using DeepTrain.Optimizers;
using DeepTrain.Tensors;

namespace DeepTrain.Tests.Optimizers;

/// <summary>
/// Replays PyTorch's parameter trajectories: each fixture holds 30 steps of (gradient, parameters after the step)
/// for a 7-vector and a 2×2 matrix; we feed the recorded gradients to our optimizer and compare the parameters.
/// After each comparison the parameters are set to PyTorch's values (the optimizer's state runs free), so float32
/// rounding differences (PyTorch fuses some multiply-adds) do not pile up over the 30 steps and get amplified
/// where a parameter crosses zero; each step is held to 1e-5 relative (1e-7 absolute near zero).
/// </summary>
public class OptimizerConformanceTests
{
    private const double RelTol = 1e-5, AbsTol = 1e-7;

    public static TheoryData<string> Fixtures()
    {
        var d = new TheoryData<string>();
        foreach (var n in ReferenceFixtures.OptimizerFixtureNames()) d.Add(n);
        return d;
    }

    [Fact]
    public void EveryConfigurationHasAFixture()
    {
        var names = ReferenceFixtures.OptimizerFixtureNames().ToHashSet();
        foreach (var expected in new[]
                 {
                     "sgd", "sgd_momentum", "sgd_nesterov", "sgd_weight_decay", "adagrad", "rmsprop", "rmsprop_momentum",
                     "rmsprop_centered", "adam", "adam_amsgrad", "adam_weight_decay", "adamw", "nadam", "adamax",
                 })
            Assert.Contains(expected, names);
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void MatchesPyTorchTrajectory(string fixture)
    {
        using var doc = ReferenceFixtures.Load(fixture);
        var root = doc.RootElement;
        var parameters = new List<Tensor>();
        foreach (var p in root.GetProperty("params").EnumerateArray())
        {
            var t = Tensor.FromArray(ReferenceFixtures.Floats(p.GetProperty("initial")), ReferenceFixtures.Ints(p.GetProperty("shape")));
            t.Name = p.GetProperty("name").GetString();
            parameters.Add(t);
        }
        var optimizer = Build(root.GetProperty("optimizer").GetString()!, root.GetProperty("options"), parameters);

        int step = 0;
        foreach (var s in root.GetProperty("steps").EnumerateArray())
        {
            step++;
            var grads = s.GetProperty("grads").EnumerateArray().Select(ReferenceFixtures.Floats).ToArray();
            for (int i = 0; i < parameters.Count; i++) grads[i].CopyTo(parameters[i].EnsureGrad(), 0);
            optimizer.Step();
            var after = s.GetProperty("after").EnumerateArray().Select(ReferenceFixtures.Floats).ToArray();
            for (int i = 0; i < parameters.Count; i++)
            {
                var actual = parameters[i].Data;
                for (int j = 0; j < actual.Length; j++)
                {
                    double e = after[i][j], a = actual[j];
                    Assert.True(Math.Abs(a - e) <= RelTol * Math.Abs(e) + AbsTol,
                        $"{fixture}: step {step}, {parameters[i].Name}[{j}]: expected {e:R}, got {a:R} (diff {a - e:E2})");
                }
                after[i].CopyTo(actual);
            }
        }
        Assert.Equal(30, step);
    }

    private static Optimizer Build(string kind, JsonElement o, List<Tensor> ps)
    {
        float F(string key, float fallback) => o.TryGetProperty(key, out var v) ? v.GetSingle() : fallback;
        bool B(string key) => o.TryGetProperty(key, out var v) && v.GetBoolean();
        float lr = F("lr", float.NaN), wd = F("weight_decay", 0f);
        return kind switch
        {
            "sgd" => new Sgd(ps, lr, momentum: F("momentum", 0f), nesterov: B("nesterov"), weightDecay: wd),
            "adagrad" => new AdaGrad(ps, lr, initialAccumulatorValue: F("initial_accumulator_value", 0f), epsilon: F("eps", 1e-10f),
                weightDecay: wd, learningRateDecay: F("lr_decay", 0f)),
            "rmsprop" => new RmsProp(ps, lr, rho: F("rho", 0.99f), epsilon: F("eps", 1e-8f), momentum: F("momentum", 0f),
                centered: B("centered"), weightDecay: wd),
            "adam" => new Adam(ps, lr, F("beta1", 0.9f), F("beta2", 0.999f), F("eps", 1e-8f), wd, B("amsgrad")),
            "adamw" => new AdamW(ps, lr, F("beta1", 0.9f), F("beta2", 0.999f), F("eps", 1e-8f), F("weight_decay", 0.01f), B("amsgrad")),
            "nadam" => new Nadam(ps, lr, F("beta1", 0.9f), F("beta2", 0.999f), F("eps", 1e-8f), wd, F("momentum_decay", 0.004f)),
            "adamax" => new AdaMax(ps, lr, F("beta1", 0.9f), F("beta2", 0.999f), F("eps", 1e-8f), wd),
            _ => throw new ArgumentException($"fixture names an unknown optimizer '{kind}'"),
        };
    }
}
