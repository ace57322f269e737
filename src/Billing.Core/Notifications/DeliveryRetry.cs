using NodaTime;

namespace Billing.Core.Notifications;

/// <summary>What to do after a failed delivery attempt: try again after <see cref="Delay"/>, or give up.</summary>
public readonly record struct RetryDecision(bool GiveUp, Duration Delay);

/// <summary>
/// The retry policy of the outbox: the n-th failed attempt waits 1, 5, 15, 60, 240 minutes, then
/// 12 hours for every later one; the attempt that reaches the maximum gives up (status failed).
/// </summary>
public static class DeliveryRetry
{
    public const int DefaultMaxAttempts = 8;

    private static readonly Duration[] Steps =
    [
        Duration.FromMinutes(1), Duration.FromMinutes(5), Duration.FromMinutes(15), Duration.FromMinutes(60), Duration.FromMinutes(240),
    ];

    private static readonly Duration Longest = Duration.FromHours(12);

    /// <param name="attemptsBefore">attempts that had failed before this one (0 for the first).</param>
    public static RetryDecision AfterFailure(int attemptsBefore, int maxAttempts)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(attemptsBefore);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxAttempts, 1);
        var attempts = attemptsBefore + 1;
        return attempts >= maxAttempts
            ? new RetryDecision(true, Duration.Zero)
            : new RetryDecision(false, attempts <= Steps.Length ? Steps[attempts - 1] : Longest);
    }
}
