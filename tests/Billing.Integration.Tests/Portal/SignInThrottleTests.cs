using Billing.Cli.Portal;

namespace Billing.Integration.Tests.Portal;

/// <summary>The sign-in throttle on its own, on a clock the test moves.</summary>
public sealed class SignInThrottleTests
{
    private sealed class ManualTime : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 11, 29, 8, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public void The_fifth_failure_within_15_minutes_blocks_the_name_until_15_minutes_after_its_first_and_a_success_clears_it()
    {
        var time = new ManualTime();
        var throttle = new SignInThrottle(time);

        for (var i = 0; i < 4; i++)
        {
            throttle.Failed("anna");
            time.Now = time.Now.AddMinutes(1);
        }

        var afterFour = throttle.Blocked("anna");
        throttle.Failed("anna");
        var afterFive = throttle.Blocked("anna");
        time.Now = new DateTimeOffset(2026, 11, 29, 8, 14, 59, TimeSpan.Zero);
        var justBefore = throttle.Blocked("anna");
        time.Now = new DateTimeOffset(2026, 11, 29, 8, 15, 0, TimeSpan.Zero);
        var atFifteen = throttle.Blocked("anna");

        Assert.False(afterFour);
        Assert.True(afterFive);
        Assert.True(justBefore);
        Assert.False(atFifteen);
        Assert.False(throttle.Blocked("otto"));

        for (var i = 0; i < 4; i++)
        {
            throttle.Failed("otto");
        }

        throttle.Succeeded("otto");
        throttle.Failed("otto");
        Assert.False(throttle.Blocked("otto"));
    }

    [Fact]
    public void Failures_older_than_15_minutes_are_forgotten_and_a_name_longer_than_any_users_is_not_kept_so_guessing_cannot_grow_memory()
    {
        var time = new ManualTime();
        var throttle = new SignInThrottle(time);

        for (var i = 0; i < 10_000; i++)
        {
            throttle.Failed("guess-" + i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        var guessed = throttle.Tracked;
        time.Now = time.Now.AddMinutes(15);
        for (var i = 0; i < 100; i++)
        {
            throttle.Failed("later-" + i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        // 4 MB (a form value's limit) as a name: no user's name is longer than 64 characters, so it is never one that signs in.
        throttle.Failed(new string('x', 4 * 1024 * 1024));

        Assert.Equal(10_000, guessed);
        Assert.Equal(100, throttle.Tracked);
    }
}
