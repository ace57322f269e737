using Billing.Core.Notifications;
using NodaTime;

namespace Billing.Core.Tests.Notifications;

public class DeliveryRetryTests
{
    [Theory]
    [InlineData(0, 8, false, 1)]
    [InlineData(1, 8, false, 5)]
    [InlineData(2, 8, false, 15)]
    [InlineData(3, 8, false, 60)]
    [InlineData(4, 8, false, 240)]
    [InlineData(5, 8, false, 720)]
    [InlineData(6, 8, false, 720)]
    [InlineData(7, 8, true, 0)]
    [InlineData(8, 8, true, 0)]
    [InlineData(0, 1, true, 0)]
    [InlineData(0, 2, false, 1)]
    [InlineData(1, 2, true, 0)]
    public void AfterFailure_WaitsLongerEachTime_AndGivesUpAtTheMaximum(int attemptsBefore, int maxAttempts, bool giveUp, int delayMinutes)
    {
        var decision = DeliveryRetry.AfterFailure(attemptsBefore, maxAttempts);

        Assert.Equal(new RetryDecision(giveUp, Duration.FromMinutes(delayMinutes)), decision);
    }

    [Fact]
    public void AfterFailure_RefusesAMaximumBelowOne() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => DeliveryRetry.AfterFailure(0, 0));
}
