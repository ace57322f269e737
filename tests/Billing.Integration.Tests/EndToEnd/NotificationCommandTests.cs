using System.Text.Json;
using Billing.Integration.Tests.Infrastructure;
using Billing.Integration.Tests.Notifications;
using Dapper;

namespace Billing.Integration.Tests.EndToEnd;

/// <summary>`billing notifications list|send|retry` through the real executable on a scratch database.</summary>
public sealed class NotificationCommandTests : IDisposable
{
    private readonly ScratchDatabase _scratch = new();
    private readonly TempDir _work = new();

    public void Dispose()
    {
        _scratch.Dispose();
        _work.Dispose();
    }

    private (int Exit, string Out, string Err) Billing(params string[] args) =>
        BillingProcess.Run(_work.Path, [.. args, "--db", _scratch.Db.ConnectionString]);

    private static string Ok((int Exit, string Out, string Err) run)
    {
        Assert.True(run.Exit == 0, $"exit {run.Exit}: {run.Err}");
        return run.Out;
    }

    [Fact]
    public void ListAndSend_DeliverTheEnqueuedMessagesIntoTheStateFolder_AndShowTheirNewStatus()
    {
        IReadOnlyList<long> ann, bob;
        using (var conn = _scratch.Db.Open())
        {
            OutboxData.AddAccount(conn, "A-1", "ann@example.org");
            OutboxData.AddAccount(conn, "B-2", null);
            ann = OutboxData.Enqueue(conn, "A-1", 2);
            bob = OutboxData.Enqueue(conn, "B-2", 1);
        }

        using var before = JsonDocument.Parse(Ok(Billing("notifications", "list", "--json")));
        var send = Ok(Billing("notifications", "send"));
        using var after = JsonDocument.Parse(Ok(Billing("notifications", "list", "--json", "--account", "A-1")));
        var again = Ok(Billing("notifications", "send", "--json"));
        var table = Ok(Billing("notifications", "list", "--status", "sent", "--limit", "1"));

        var listed = before.RootElement.GetProperty("notifications").EnumerateArray().ToList();
        Assert.Equal(bob.Concat(ann).OrderDescending(), listed.Select(n => n.GetProperty("id").GetInt64()));
        Assert.All(listed, n => Assert.Equal(("pending", 0), (n.GetProperty("status").GetString(), n.GetProperty("attempts").GetInt32())));
        Assert.Equal("Your balance is low (B-2 #1)", listed[0].GetProperty("subject").GetString());
        Assert.Equal(3, before.RootElement.GetProperty("counts").GetProperty("pending").GetInt64());

        // The file channel needs no e-mail address: B-2's message is written too.
        Assert.Contains("3 sent, 0 failed (will be retried), 0 failed for good, 0 no-address.", send, StringComparison.Ordinal);
        var files = Directory.GetFiles(_work.File(".billing", "notifications")).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(ann.Concat(bob).Select(id => $"-{id:000000}-low-balance.txt"), files.Select(f => f![16..]));

        Assert.Equal(ann.OrderDescending(), after.RootElement.GetProperty("notifications").EnumerateArray().Select(n => n.GetProperty("id").GetInt64()));
        Assert.All(after.RootElement.GetProperty("notifications").EnumerateArray(),
            n => Assert.Equal(("sent", 1, "file"), (n.GetProperty("status").GetString(), n.GetProperty("attempts").GetInt32(), n.GetProperty("channel").GetString())));
        Assert.Equal((2, 0), (after.RootElement.GetProperty("counts").GetProperty("sent").GetInt64(), after.RootElement.GetProperty("counts").GetProperty("pending").GetInt64()));

        using var againDoc = JsonDocument.Parse(again);
        Assert.Equal(0, againDoc.RootElement.GetProperty("sent").GetInt32());
        var lines = table.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length); // header, rule, the newest sent message, summary
        Assert.StartsWith($"{bob[0]} ", lines[2].TrimStart(), StringComparison.Ordinal);
        Assert.EndsWith("Your balance is low (B-2 #1)", lines[2].TrimEnd(), StringComparison.Ordinal);
        Assert.Equal("Showing 1, newest first. Outbox: 0 pending, 3 sent, 0 failed, 0 no-address.", lines[3]);
    }

    [Fact]
    public void SendOverSmtpWithoutAnAddress_MarksNoAddress_AndRetryRefusesWhatIsNotFailed()
    {
        long id;
        using (var conn = _scratch.Db.Open())
        {
            OutboxData.AddAccount(conn, "B-2", null);
            id = Assert.Single(OutboxData.Enqueue(conn, "B-2", 1));
        }

        File.WriteAllText(_work.File("billing.json"), """
            { "notifications": { "channel": "smtp", "smtp": { "host": "127.0.0.1", "port": 1, "from": "billing@example.com", "timeoutSeconds": 5 } } }
            """);

        var send = Ok(Billing("notifications", "send"));
        var retry = Ok(Billing("notifications", "retry", id.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var retrySent = Billing("notifications", "retry", id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var missing = Billing("notifications", "retry", "999999");
        var badStatus = Billing("notifications", "list", "--status", "lost");

        Assert.Contains("0 sent, 0 failed (will be retried), 0 failed for good, 1 no-address.", send, StringComparison.Ordinal);
        Assert.Contains($"Notification {id} was no-address; it is pending again", retry, StringComparison.Ordinal);
        Assert.Equal((2, $"billing: Notification {id} is pending: only failed or no-address notifications can be retried."), (retrySent.Exit, retrySent.Err.Trim()));
        Assert.Equal((2, "billing: There is no notification 999999."), (missing.Exit, missing.Err.Trim()));
        Assert.Equal((2, "billing: --status must be one of pending, sent, failed, no-address, not 'lost'."), (badStatus.Exit, badStatus.Err.Trim()));
        using var conn2 = _scratch.Db.Open();
        Assert.Equal(("pending", 0), conn2.QuerySingle<(string, int)>("SELECT status, attempts FROM notifications WHERE id = @id", new { id }));
    }
}
