using System.Diagnostics.Metrics;

namespace AgentLens.Operator.Tests.TestBed;

internal sealed class TestMeterFactory : IMeterFactory
{
    private readonly List<Meter> meters = [];

    public static Metrics NewMetrics() => new(new TestMeterFactory());

    public bool Created(Meter meter)
    {
        lock (meters)
        {
            return meters.Contains(meter);
        }
    }

    public Meter Create(MeterOptions options)
    {
        var meter = new Meter(options);
        lock (meters)
        {
            meters.Add(meter);
        }

        return meter;
    }

    public void Dispose()
    {
        foreach (var meter in meters)
        {
            meter.Dispose();
        }
    }
}
