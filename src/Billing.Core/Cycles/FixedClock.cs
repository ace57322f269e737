using NodaTime;

namespace Billing.Core.Cycles;

/// <summary>
/// A clock stopped at one instant: a run made "as of" a moment — the demo closing November before
/// December has come, a benchmark's bill run. Production code takes <see cref="SystemClock"/>.
/// </summary>
public sealed class FixedClock(Instant now) : IClock
{
    public Instant GetCurrentInstant() => now;
}
