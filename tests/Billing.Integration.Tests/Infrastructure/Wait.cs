namespace Billing.Integration.Tests.Infrastructure;

/// <summary>Waits for a condition that another process or thread brings about: polls, never asserts a duration.</summary>
public static class Wait
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    public static void Until(Func<bool> condition, string what, TimeSpan? timeout = null, TimeSpan? every = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > (timeout ?? DefaultTimeout))
            {
                throw new TimeoutException($"Gave up waiting for {what} after {(timeout ?? DefaultTimeout).TotalSeconds:0} s");
            }

            Thread.Sleep(every ?? TimeSpan.FromMilliseconds(100));
        }
    }

    public static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null, TimeSpan? every = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > (timeout ?? DefaultTimeout))
            {
                throw new TimeoutException($"Gave up waiting for {what} after {(timeout ?? DefaultTimeout).TotalSeconds:0} s");
            }

            await Task.Delay(every ?? TimeSpan.FromMilliseconds(100));
        }
    }
}
