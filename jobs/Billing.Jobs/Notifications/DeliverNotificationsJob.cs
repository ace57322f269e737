using System.ComponentModel;
using Billing.Notifications;
using Billing.Storage;
using Hangfire;
using NodaTime;

namespace Billing.Jobs.Notifications;

/// <summary>The configured notification channel and where its state lives, as the job needs them.</summary>
public sealed record NotificationDeliveryOptions(NotificationOptions Options, string StateDirectory);

/// <summary>Every minute: deliver the outbox messages that are due through the configured channel.</summary>
public sealed class DeliverNotificationsJob(BillingDatabase db, NotificationDeliveryOptions options, IClock clock)
{
    /// <summary>
    /// The Hangfire entry point. Failed messages are retried by the outbox's own schedule, so a run
    /// that fails (the database was away) is not retried by Hangfire: the next minute's run is.
    /// </summary>
    [AutomaticRetry(Attempts = 0)]
    [DisplayName("Deliver notifications")]
    public DeliveryResult Run()
    {
        using var channel = options.Options.OpenChannel(options.StateDirectory);
        return new NotificationDelivery(db, channel, options.Options.MaxAttempts, clock).DeliverDue();
    }
}
