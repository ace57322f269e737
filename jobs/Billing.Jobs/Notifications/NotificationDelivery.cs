using Billing.Core.Notifications;
using Billing.Notifications.Channels;
using Billing.Storage;
using NodaTime;
using Serilog;

namespace Billing.Jobs.Notifications;

/// <param name="Retrying">attempts that failed and will be tried again later.</param>
/// <param name="Failed">messages given up after their last attempt.</param>
/// <param name="Deferred">due messages left for the next run, untried, because the channel kept failing.</param>
public sealed record DeliveryResult(int Sent, int Retrying, int Failed, int NoAddress, int Deferred = 0);

/// <summary>
/// Delivers what is due in the outbox: claims a batch (row locks, skipping rows another deliverer
/// holds), hands each message to the channel, records the outcome, commits, and repeats until
/// nothing is due. A message is marked sent in the same transaction that claimed it, so two
/// deliverers never send it twice; a crash after the channel accepted it but before the commit
/// sends it again on the next run (at least once). After <see cref="FailuresInARowToStop"/> failed
/// attempts in a row (the server is down or unreachable) the run stops: the rest stay due, untried,
/// instead of each waiting for its own timeout while the batch's locks are held.
/// </summary>
/// <param name="clock">what is due, and when a failed message is tried again, goes by it.</param>
/// <param name="log">where failures are logged (default: the global Serilog logger).</param>
public sealed class NotificationDelivery(BillingDatabase db, INotificationChannel channel, int maxAttempts, IClock clock, int batchSize = NotificationDelivery.DefaultBatchSize, ILogger? log = null)
{
    public const int DefaultBatchSize = 50;

    public const int FailuresInARowToStop = 3;

    private readonly ILogger _log = (log ?? Log.Logger).ForContext<NotificationDelivery>();

    public DeliveryResult DeliverDue()
    {
        int sent = 0, retrying = 0, failed = 0, noAddress = 0, deferred = 0, failuresInARow = 0;
        using var conn = db.Open();
        while (failuresInARow < FailuresInARowToStop)
        {
            using var tx = conn.BeginTransaction();
            var batch = NotificationStore.ClaimDue(tx, batchSize, clock.GetCurrentInstant());
            if (batch.Count == 0)
            {
                break;
            }

            foreach (var message in batch)
            {
                if (failuresInARow >= FailuresInARowToStop)
                {
                    deferred++;
                    continue;
                }

                if (channel.AddressProblem(message) is { } problem)
                {
                    NotificationStore.MarkNoAddress(tx, message.Id, channel.Name, problem);
                    noAddress++;
                    _log.Warning("Notification {NotificationId} ({Kind}, account {AccountId}) not sent via {Channel}: {Error}", message.Id, message.Kind, message.AccountId, channel.Name, problem);
                    continue;
                }

                try
                {
                    channel.Send(message);
                }
                catch (Exception e)
                {
                    failuresInARow++;
                    var decision = DeliveryRetry.AfterFailure(message.Attempts, maxAttempts);
                    NotificationStore.MarkAttemptFailed(tx, message.Id, channel.Name, e.Message, decision, clock.GetCurrentInstant());
                    if (decision.GiveUp)
                    {
                        failed++;
                        _log.Error("Notification {NotificationId} ({Kind}, account {AccountId}) failed for good after {Attempts} attempts via {Channel}: {Error}",
                            message.Id, message.Kind, message.AccountId, message.Attempts + 1, channel.Name, e.Message);
                    }
                    else
                    {
                        retrying++;
                        _log.Warning("Notification {NotificationId} ({Kind}, account {AccountId}): attempt {Attempt} via {Channel} failed, next in {Delay}: {Error}",
                            message.Id, message.Kind, message.AccountId, message.Attempts + 1, channel.Name, decision.Delay, e.Message);
                    }

                    continue;
                }

                NotificationStore.MarkSent(tx, message.Id, channel.Name, clock.GetCurrentInstant());
                sent++;
                failuresInARow = 0;
            }

            tx.Commit();
        }

        if (failuresInARow >= FailuresInARowToStop)
        {
            _log.Warning("Notification delivery via {Channel} stopped after {Failures} failed attempts in a row; {Deferred} due messages of the batch wait for the next run",
                channel.Name, failuresInARow, deferred);
        }

        var result = new DeliveryResult(sent, retrying, failed, noAddress, deferred);
        if (result != new DeliveryResult(0, 0, 0, 0))
        {
            _log.Information("Notifications via {Channel}: {Sent} sent, {Retrying} to retry, {Failed} failed, {NoAddress} without an e-mail address, {Deferred} left for the next run",
                channel.Name, sent, retrying, failed, noAddress, deferred);
        }

        return result;
    }
}
