using System.Globalization;

namespace Billing.Benchmarks;

/// <summary>What every benchmark prints beside its figures, so they are read against the machine that made them.</summary>
public static class BenchMachine
{
    public static string Description => $"{Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}, {Gen0Budget}";

    /// <summary>
    /// The smallest gen-0 budget the garbage collector was started with: <c>DOTNET_GCgen0size</c> (hexadecimal bytes), which
    /// the <c>billing</c> wrapper sets, or the runtime's own (a few MiB) when the program was started without it.
    /// </summary>
    public static string Gen0Budget =>
        Environment.GetEnvironmentVariable("DOTNET_GCgen0size") is { Length: > 0 } v
        && long.TryParse(v.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? v[2..] : v, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var bytes)
            ? $"GC gen-0 budget {bytes / 1048576m:0.#} MiB (DOTNET_GCgen0size)"
            : "GC gen-0 budget the runtime's default";
}
