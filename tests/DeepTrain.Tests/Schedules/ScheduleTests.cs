using DeepTrain.Schedules;

namespace DeepTrain.Tests.Schedules;

/// <summary>Hand-checked values, the ends of each schedule, and eager validation of their parameters.</summary>
public class ScheduleTests
{
    private static void Refused(Action make, params string[] fragments)
    {
        var e = Assert.ThrowsAny<ArgumentException>(make);
        foreach (var f in fragments) Assert.Contains(f, e.Message);
    }

    [Fact]
    public void PiecewiseChangesAtTheBoundaryStep()
    {
        var s = new PiecewiseConstant([10, 20], [1f, 0.5f, 0.25f]);
        Assert.Equal(1f, s.Rate(0));
        Assert.Equal(1f, s.Rate(9));
        Assert.Equal(0.5f, s.Rate(10));
        Assert.Equal(0.25f, s.Rate(20));
        Assert.Equal(0.25f, s.Rate(1_000_000));
    }

    [Fact]
    public void ExponentialAndPowerByHand()
    {
        Assert.Equal(0.25f, new ExponentialDecay(1f, 10, 0.5).Rate(20), 1e-7f);
        Assert.Equal(0.5f, new ExponentialDecay(1f, 10, 0.5, staircase: true).Rate(19));
        Assert.Equal(MathF.Pow(0.5f, 1.9f), new ExponentialDecay(1f, 10, 0.5).Rate(19), 1e-6f);
        Assert.Equal(0.5f, new PowerDecay(1f, 100, 1).Rate(100), 1e-7f);
        Assert.Equal(1f / 3, new PowerDecay(1f, 100, 1).Rate(200), 1e-7f);
        Assert.Equal(0.5f, new PowerDecay(1f, 10, 0.5).Rate(30), 1e-7f);
    }

    [Fact]
    public void CosineWarmsUpThenDecaysToTheFloorAndStaysThere()
    {
        var s = new CosineDecay(1f, totalSteps: 110, warmupSteps: 10, minRate: 0.1f);
        Assert.Equal(0f, s.Rate(0));
        Assert.Equal(0.5f, s.Rate(5), 1e-7f);
        Assert.Equal(1f, s.Rate(10), 1e-7f);
        Assert.Equal(0.55f, s.Rate(60), 1e-6f);
        Assert.Equal(0.1f, s.Rate(110), 1e-7f);
        Assert.Equal(0.1f, s.Rate(10_000));
    }

    [Fact]
    public void OneCycleStartsLowPeaksAndEndsAtTheFinalRate()
    {
        var s = new OneCycle(maxRate: 1f, totalSteps: 101, pctStart: 0.3, divFactor: 25, finalDivFactor: 1e4);
        Assert.Equal(0.04f, s.Rate(0), 1e-7f);
        Assert.Equal(1f, s.Rate((long)(0.3 * 101 - 1)), 1e-3f);
        Assert.Equal(0.04f / 1e4f, s.Rate(100), 1e-9f);
        Assert.Equal(s.Rate(100), s.Rate(500));
    }

    [Fact]
    public void RatesArePureFunctionsOfTheStep()
    {
        LearningRateSchedule[] all =
        [
            new PiecewiseConstant([3], [1f, 0.1f]), new ExponentialDecay(1f, 5, 0.9), new PowerDecay(1f, 5, 2),
            new CosineDecay(1f, 50, 5), new OneCycle(1f, 50),
        ];
        foreach (var s in all)
        {
            var forward = Enumerable.Range(0, 60).Select(t => s.Rate(t)).ToArray();
            var backward = Enumerable.Range(0, 60).Reverse().Select(t => s.Rate(t)).Reverse().ToArray();
            Assert.Equal(forward, backward);
            Assert.Throws<ArgumentOutOfRangeException>(() => s.Rate(-1));
        }
    }

    [Fact]
    public void BadScheduleParametersAreRefused()
    {
        Refused(() => new PiecewiseConstant([10, 5], [1f, 2f, 3f]), "boundaries", "increasing");
        Refused(() => new PiecewiseConstant([10], [1f]), "values", "one more");
        Refused(() => new PiecewiseConstant([10], [1f, -2f]), "values[1]", "-2");
        Refused(() => new ExponentialDecay(-1f, 10, 0.5), "initialRate", "-1");
        Refused(() => new ExponentialDecay(1f, 0, 0.5), "decaySteps", "0");
        Refused(() => new ExponentialDecay(1f, 10, 0), "decayRate", "0");
        Refused(() => new PowerDecay(1f, -5, 1), "decaySteps", "-5");
        Refused(() => new PowerDecay(1f, 5, -1), "power", "-1");
        Refused(() => new CosineDecay(1f, 0), "totalSteps", "0");
        Refused(() => new CosineDecay(1f, 10, warmupSteps: 10), "warmupSteps", "10");
        Refused(() => new CosineDecay(1f, 10, minRate: 2f), "minRate", "2");
        Refused(() => new OneCycle(1f, 100, pctStart: 1.5), "pctStart", "1.5");
        Refused(() => new OneCycle(1f, 3, pctStart: 0.3), "pctStart * totalSteps");
        Refused(() => new OneCycle(1f, 100, divFactor: 0), "divFactor", "0");
        Refused(() => new OneCycle(float.NaN, 100), "maxRate", "NaN");
    }

    [Fact]
    public void BadPlateauParametersAreRefused()
    {
        Refused(() => new PerformanceSchedule(0.1f, patience: -1), "patience must be >= 0: got -1");
        Refused(() => new PerformanceSchedule(0.1f, factor: 1.0), "factor must be in (0, 1): got 1");
        Refused(() => new PerformanceSchedule(0.1f, factor: 0), "factor", "0");
        Refused(() => new PerformanceSchedule(0.1f, factor: -0.5), "factor", "-0.5");
        Refused(() => new PerformanceSchedule(0.1f, cooldown: -2), "cooldown", "-2");
        Refused(() => new PerformanceSchedule(0.1f, threshold: -1e-3), "threshold", "-0.001");
        Refused(() => new PerformanceSchedule(0.1f, minRate: -1f), "minRate", "-1");
        Refused(() => new PerformanceSchedule(-0.1f), "initialRate", "-0.1");
        Refused(() => new PerformanceSchedule(0.1f, mode: (PlateauMode)7), "mode");
    }

    [Fact]
    public void PlateauByHand()
    {
        var s = new PerformanceSchedule(1f, factor: 0.5, patience: 1, minRate: 0.2f, cooldown: 1);
        Assert.Equal(1f, s.Report(10));    // best 10
        Assert.Equal(1f, s.Report(10));    // bad 1 (not better by 1e-4 relative)
        Assert.Equal(0.5f, s.Report(11));  // bad 2 > patience → halve, cooldown 1
        Assert.Equal(0.5f, s.Report(12));  // cooling down: bad reset
        Assert.Equal(0.5f, s.Report(12));  // bad 1
        Assert.Equal(0.25f, s.Report(12)); // bad 2 → halve
        Assert.Equal(0.25f, s.Report(5));  // better: best 5 (and the cooldown ends)
        Assert.Equal(0.25f, s.Report(6));
        Assert.Equal(0.2f, s.Report(6));   // bad 2 → max(0.125, floor 0.2)
        Assert.Equal(0.2f, s.Report(6));   // cooling down
        Assert.Equal(0.2f, s.Report(6));
        Assert.Equal(0.2f, s.Report(6));   // bad 2, but already at the floor: no reduction
        Assert.Equal(3, s.Reductions);     // 1 → 0.5 → 0.25 → 0.2; the last plateau cannot go below the floor
    }
}
