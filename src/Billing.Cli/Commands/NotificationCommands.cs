using System.CommandLine;
using System.Text.Json;
using Billing.Core.Notifications;
using Billing.Storage;
using NodaTime;

namespace Billing.Cli.Commands;

/// <summary>billing notifications list|send|retry: the prepaid notifications outbox.</summary>
public static class NotificationCommands
{
    public static Command Build(Cli cli)
    {
        ArgumentNullException.ThrowIfNull(cli);
        var status = new Option<string?>("--status") { Description = "Only this status: pending, sent, failed or no-address" };
        var account = new Option<string?>("--account") { Description = "Only this account" };
        var kind = new Option<string?>("--kind") { Description = "Only this kind: low-balance, exhausted, credit-limit, expired or topup" };
        var limit = new Option<int>("--limit") { Description = "How many, newest first (at least 1)", DefaultValueFactory = _ => 50 }.AtLeast(1);
        var list = new Command("list", "Messages in the outbox, newest first, with the count in each status") { status, account, kind, limit };
        list.SetAction(p => cli.Run(p, g => List(g, new NotificationFilter(p.GetValue(status), p.GetValue(account), p.GetValue(kind), p.GetValue(limit)), Console.Out)));
        var send = new Command("send", "Deliver the messages that are due now through the configured channel (a folder, or SMTP); prints sent, failed and no-address counts");
        send.SetAction(p => cli.Run(p, g => Send(g, Console.Out)));
        var id = new Argument<long>("id") { Description = "Notification id (from billing notifications list)" }.AtLeast(1L);
        var retry = new Command("retry", "Make a failed or no-address notification pending again with fresh attempts (after fixing the SMTP settings or the account's e-mail)") { id };
        retry.SetAction(p => cli.Run(p, g => Retry(g, p.GetValue(id), Console.Out)));
        return new Command("notifications", "Prepaid notifications outbox (low balance, credit exhausted, top-up …): list, deliver, retry") { list, send, retry };
    }

    public static int List(GlobalOptions g, NotificationFilter filter, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(filter);
        if (filter.Status is { } status && !NotificationStatuses.All.Contains(status))
        {
            throw new UserErrorException($"--status must be one of {string.Join(", ", NotificationStatuses.All)}, not '{status}'.");
        }

        using var rt = Runtime.Start(g);
        using var conn = rt.Db.Open();
        var rows = NotificationStore.List(conn, filter);
        var counts = NotificationStore.CountByStatus(conn, filter.AccountId, filter.Kind);
        if (g.Json)
        {
            output.WriteLine(JsonSerializer.Serialize(new
            {
                counts,
                notifications = rows.Select(r => new
                {
                    id = r.Id, createdAt = r.CreatedAt.ToString(), account = r.AccountId, msisdn = r.Msisdn, kind = r.Kind, language = r.Language,
                    email = r.Email, status = r.Status, attempts = r.Attempts, subject = r.Subject, dedupeKey = r.DedupeKey,
                    nextAttemptAt = r.Status == NotificationStatuses.Pending ? r.NextAttemptAt.ToString() : null,
                    lastError = r.LastError, channel = r.Channel, sentAt = r.SentAt?.ToString(),
                }),
            }, BillingConfig.Json));
            return 0;
        }

        var summary = string.Join(", ", counts.Select(c => $"{c.Value:N0} {c.Key}"));
        if (rows.Count == 0)
        {
            output.WriteLine($"No notifications match. Outbox: {summary}.");
            return 0;
        }

        var table = new TextTable("id", "created (UTC)", "account", "msisdn", "kind", "status", "attempts", "subject");
        foreach (var r in rows)
        {
            table.Add(r.Id, r.CreatedAt.ToString("uuuu-MM-dd HH:mm:ss", null), r.AccountId, r.Msisdn, r.Kind, r.Status, r.Attempts, r.Subject);
        }

        output.Write(table.ToString());
        output.WriteLine($"Showing {rows.Count:N0}, newest first. Outbox: {summary}.");
        return 0;
    }

    public static int Send(GlobalOptions g, TextWriter output)
    {
        using var rt = Runtime.Start(g);
        var result = rt.Jobs.DeliverNotifications().Run();
        var channel = rt.Config.Notifications.Channel.ToString().ToLowerInvariant();
        if (g.Json)
        {
            output.WriteLine(JsonSerializer.Serialize(new
            {
                channel, sent = result.Sent, retrying = result.Retrying, failed = result.Failed, noAddress = result.NoAddress, deferred = result.Deferred,
            }, BillingConfig.Json));
            return 0;
        }

        var where = rt.Config.Notifications.Channel == Billing.Notifications.NotificationChannelKind.File
            ? $" into {Path.GetFullPath(rt.Config.Notifications.Folder ?? Path.Combine(rt.Config.StateDirectory, "notifications"))}"
            : $" through {rt.Config.Notifications.Smtp.Host}:{rt.Config.Notifications.Smtp.Port}";
        output.WriteLine($"Delivered via {channel}{where}: {result.Sent:N0} sent, {result.Retrying:N0} failed (will be retried), " +
                         $"{result.Failed:N0} failed for good, {result.NoAddress:N0} no-address.");
        if (result.Deferred > 0)
        {
            output.WriteLine($"Stopped after {Billing.Jobs.Notifications.NotificationDelivery.FailuresInARowToStop} failures in a row: {result.Deferred:N0} due message(s) wait for the next run.");
        }

        if (result.Retrying + result.Failed > 0)
        {
            output.WriteLine("See why: billing notifications list --status failed (or --status pending) --json; the log has each error.");
        }

        return 0;
    }

    public static int Retry(GlobalOptions g, long id, TextWriter output)
    {
        using var rt = Runtime.Start(g);
        using var conn = rt.Db.Open();
        var before = NotificationStore.Retry(conn, id, SystemClock.Instance.GetCurrentInstant());
        switch (before)
        {
            case null:
                throw new UserErrorException($"There is no notification {id}.");
            case NotificationStatuses.Failed or NotificationStatuses.NoAddress:
                output.WriteLine(g.Json
                    ? JsonSerializer.Serialize(new { id, before, status = NotificationStatuses.Pending }, BillingConfig.Json)
                    : $"Notification {id} was {before}; it is pending again and will go out with the next delivery (billing notifications send, or every minute under billing serve).");
                return 0;
            default:
                throw new UserErrorException($"Notification {id} is {before}: only failed or no-address notifications can be retried.");
        }
    }
}
