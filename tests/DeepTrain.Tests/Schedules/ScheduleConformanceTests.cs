using System.Text.Json;
using DeepTrain.Schedules;
using DeepTrain.Tests.Optimizers;

namespace DeepTrain.Tests.Schedules;

/// <summary>
/// Rates for steps 0..N−1 against torch.optim.lr_scheduler (schedules.json, made by
/// tests/reference/make_optimizer_fixtures.py). Cases marked "formula" have no torch scheduler; their reference is
/// the formula evaluated in Python through LambdaLR.
/// </summary>
public class ScheduleConformanceTests
{
    private const double RelTol = 1e-6, AbsTol = 1e-12;

    private static JsonDocument Load() => ReferenceFixtures.Load("schedules");

    public static TheoryData<string> ScheduleCases()
    {
        using var doc = Load();
        var d = new TheoryData<string>();
        foreach (var c in doc.RootElement.GetProperty("schedules").EnumerateArray()) d.Add(c.GetProperty("name").GetString()!);
        return d;
    }

    public static TheoryData<string> PlateauCases()
    {
        using var doc = Load();
        var d = new TheoryData<string>();
        foreach (var c in doc.RootElement.GetProperty("plateau").EnumerateArray()) d.Add(c.GetProperty("name").GetString()!);
        return d;
    }

    [Fact]
    public void EveryScheduleKindIsCovered()
    {
        using var doc = Load();
        var kinds = doc.RootElement.GetProperty("schedules").EnumerateArray().Select(c => c.GetProperty("schedule").GetString()).ToHashSet();
        Assert.Equal(new HashSet<string?> { "piecewise_constant", "exponential", "power", "cosine", "one_cycle" }, kinds);
        Assert.True(doc.RootElement.GetProperty("plateau").GetArrayLength() >= 3);
    }

    [Theory]
    [MemberData(nameof(ScheduleCases))]
    public void MatchesPyTorch(string name)
    {
        using var doc = Load();
        var c = doc.RootElement.GetProperty("schedules").EnumerateArray().Single(x => x.GetProperty("name").GetString() == name);
        var schedule = Build(c.GetProperty("schedule").GetString()!, c.GetProperty("args"));
        Assert.Equal(c.GetProperty("schedule").GetString(), schedule.Name);
        var expected = ReferenceFixtures.Doubles(c.GetProperty("rates"));
        for (int t = 0; t < expected.Length; t++)
        {
            double a = schedule.Rate(t);
            Assert.True(Math.Abs(a - expected[t]) <= RelTol * Math.Abs(expected[t]) + AbsTol,
                $"{name}: step {t}: expected {expected[t]:R}, got {a:R}");
        }
    }

    [Theory]
    [MemberData(nameof(PlateauCases))]
    public void PerformanceScheduleMakesReduceLROnPlateausDecisions(string name)
    {
        using var doc = Load();
        var c = doc.RootElement.GetProperty("plateau").EnumerateArray().Single(x => x.GetProperty("name").GetString() == name);
        var a = c.GetProperty("args");
        var schedule = new PerformanceSchedule(
            a.GetProperty("initial").GetSingle(),
            factor: a.GetProperty("factor").GetDouble(),
            patience: a.GetProperty("patience").GetInt32(),
            minRate: a.GetProperty("min_rate").GetSingle(),
            threshold: a.GetProperty("threshold").GetDouble(),
            mode: a.GetProperty("mode").GetString() == "min" ? PlateauMode.Min : PlateauMode.Max,
            thresholdMode: a.GetProperty("threshold_mode").GetString() == "rel" ? ThresholdMode.Relative : ThresholdMode.Absolute,
            cooldown: a.GetProperty("cooldown").GetInt32());
        var metrics = ReferenceFixtures.Doubles(c.GetProperty("metrics"));
        var expected = ReferenceFixtures.Doubles(c.GetProperty("rates"));
        int reductions = 0;
        for (int i = 0; i < metrics.Length; i++)
        {
            float rate = schedule.Report(metrics[i]);
            Assert.Equal(rate, schedule.CurrentRate);
            Assert.True(Math.Abs(rate - expected[i]) <= RelTol * expected[i] + AbsTol,
                $"{name}: report {i} (metric {metrics[i]}): expected {expected[i]:R}, got {rate:R}");
            if (i > 0 && expected[i] < expected[i - 1]) reductions++;
        }
        Assert.Equal(reductions, schedule.Reductions);
        Assert.True(reductions > 0, $"{name}: the fixture never reduces the rate");
    }

    private static LearningRateSchedule Build(string kind, JsonElement a)
    {
        float F(string k) => a.GetProperty(k).GetSingle();
        double D(string k) => a.GetProperty(k).GetDouble();
        long L(string k) => a.GetProperty(k).GetInt64();
        return kind switch
        {
            "piecewise_constant" => new PiecewiseConstant(
                a.GetProperty("boundaries").EnumerateArray().Select(v => v.GetInt64()).ToArray(),
                ReferenceFixtures.Floats(a.GetProperty("values"))),
            "exponential" => new ExponentialDecay(F("initial"), L("decay_steps"), D("decay_rate"), a.GetProperty("staircase").GetBoolean()),
            "power" => new PowerDecay(F("initial"), L("decay_steps"), D("power")),
            "cosine" => new CosineDecay(F("initial"), L("total_steps"), L("warmup_steps"), F("min_rate")),
            "one_cycle" => new OneCycle(F("max_rate"), L("total_steps"), D("pct_start"), D("div_factor"), D("final_div_factor")),
            _ => throw new ArgumentException($"fixture names an unknown schedule '{kind}'"),
        };
    }
}
