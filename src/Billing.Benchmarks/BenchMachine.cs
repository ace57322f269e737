namespace Billing.Benchmarks;

/// <summary>What every benchmark prints beside its figures, so they are read against the machine that made them.</summary>
public static class BenchMachine
{
    public static string Description => $"{Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}";
}
