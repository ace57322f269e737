using Billing.Core.Notifications;
using Billing.Integration.Tests.Infrastructure;
using Billing.Jobs.Notifications;
using Billing.Notifications;
using Billing.Notifications.Channels;
using Billing.Storage;
using Dapper;
using NodaTime;
using NodaTime.Testing;
using Serilog;

namespace Billing.Integration.Tests.Notifications;

/// <summary>Delivery of the outbox against a real PostgreSQL, to a folder and to a real SMTP server.</summary>
public sealed class NotificationDeliveryTests : IDisposable
{
    private const string From = "Billing <billing@example.com>";

    private readonly ScratchDatabase _scratch = new();
    private readonly TempDir _tmp = new();
    private readonly CapturingSink _log = new();

    public void Dispose()
    {
        _scratch.Dispose();
        _tmp.Dispose();
    }

    private BillingDatabase Db => _scratch.Db;

    private static Instant Now => SystemClock.Instance.GetCurrentInstant();

    private static SmtpOptions Smtp(int port) => new() { Host = "127.0.0.1", Port = port, From = From, TimeoutSeconds = 10 };

    private NotificationDelivery Delivery(INotificationChannel channel, int maxAttempts = DeliveryRetry.DefaultMaxAttempts) =>
        new(Db, channel, maxAttempts, SystemClock.Instance, log: new LoggerConfiguration().WriteTo.Sink(_log).CreateLogger());

    private DeliveryResult DeliverByFile()
    {
        using var channel = new FileChannel(_tmp.File("outbox"), From);
        return Delivery(channel).DeliverDue();
    }

    private DeliveryResult DeliverBySmtp(int port, int maxAttempts = DeliveryRetry.DefaultMaxAttempts)
    {
        using var channel = new SmtpChannel(Smtp(port));
        return Delivery(channel, maxAttempts).DeliverDue();
    }

    private string[] OutboxFiles() => Directory.Exists(_tmp.File("outbox")) ? Directory.GetFiles(_tmp.File("outbox")) : [];

    [Fact]
    public void FileChannel_WritesOneFilePerPendingMessage_AndASecondRunWritesNothing()
    {
        using var conn = Db.Open();
        OutboxData.AddAccount(conn, "A-1", "ann@example.org");
        OutboxData.AddAccount(conn, "B-2", null);
        var ids = OutboxData.Enqueue(conn, "A-1", 2).Concat(OutboxData.Enqueue(conn, "B-2", 1)).ToList();

        var first = DeliverByFile();
        var second = DeliverByFile();

        Assert.Equal(new DeliveryResult(3, 0, 0, 0), first);
        Assert.Equal(new DeliveryResult(0, 0, 0, 0), second);
        Assert.Equal(3, OutboxFiles().Length);
        foreach (var id in ids)
        {
            var row = OutboxData.Get(conn, id);
            Assert.Equal(("sent", 1, "file", (string?)null), (row.Status, row.Attempts, row.Channel, row.LastError));
            Assert.NotNull(row.SentAt);
        }

        var ann = Assert.Single(OutboxFiles(), f => Path.GetFileName(f).Contains($"-{ids[0]:000000}-low-balance.txt", StringComparison.Ordinal));
        var text = File.ReadAllText(ann);
        Assert.StartsWith("To: ann@example.org\nSubject: Your balance is low (A-1 #1)\n", text, StringComparison.Ordinal);
        Assert.Contains($"\nMessage-ID: <notification-{ids[0]}@example.com>\n", text, StringComparison.Ordinal);
        Assert.EndsWith("\n\nHello A-1,\n\nmessage 1.\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void FileChannel_DeliveringAMessageAgainAfterACrash_CountsItSent_AndWritesNoSecondFile()
    {
        using var conn = Db.Open();
        OutboxData.AddAccount(conn, "A-1", "ann@example.org");
        var id = Assert.Single(OutboxData.Enqueue(conn, "A-1", 1));
        Assert.Equal(new DeliveryResult(1, 0, 0, 0), DeliverByFile());
        var written = File.ReadAllText(Assert.Single(OutboxFiles()));

        // The file was written, then the process died before its transaction committed.
        conn.Execute("UPDATE notifications SET status = 'pending', attempts = 0, sent_at = NULL WHERE id = @id", new { id });
        var again = DeliverByFile();

        Assert.Equal(new DeliveryResult(1, 0, 0, 0), again);
        Assert.Equal(written, File.ReadAllText(Assert.Single(OutboxFiles())));
        Assert.Equal("sent", OutboxData.Get(conn, id).Status);
    }

    [Fact]
    public void FileChannel_DeliveringAMessageAgainAfterAKillBetweenWritingAndLinkingItsFile_LeavesOnlyTheMessageFile()
    {
        using var conn = Db.Open();
        OutboxData.AddAccount(conn, "A-1", "ann@example.org");
        var id = Assert.Single(OutboxData.Enqueue(conn, "A-1", 1));
        var name = FileChannel.FileName(Assert.Single(NotificationStore.List(conn, new NotificationFilter()), m => m.Id == id));

        // The process died after writing the temporary file, before linking it into place: its transaction rolled back.
        Directory.CreateDirectory(_tmp.File("outbox"));
        File.WriteAllText(Path.Combine(_tmp.File("outbox"), $".{name}.tmp"), "To: ann@exa");
        var again = DeliverByFile();

        Assert.Equal(new DeliveryResult(1, 0, 0, 0), again);
        Assert.Equal([name], OutboxFiles().Select(Path.GetFileName));
    }

    [Fact]
    public void Smtp_DeliversExactlyOneMailPerNotification_WithToSubjectBodyAndStableMessageId()
    {
        using var conn = Db.Open();
        OutboxData.AddAccount(conn, "A-1", "ann@example.org");
        OutboxData.AddAccount(conn, "B-2", "  bob@example.net ");
        var ids = OutboxData.Enqueue(conn, "A-1", 1).Concat(OutboxData.Enqueue(conn, "B-2", 2)).ToList();
        using var server = new TestSmtpServer(TestSmtpServer.FreePort());

        var first = DeliverBySmtp(server.Port);
        var second = DeliverBySmtp(server.Port);

        Assert.Equal(new DeliveryResult(3, 0, 0, 0), first);
        Assert.Equal(new DeliveryResult(0, 0, 0, 0), second);
        var mails = server.Received.OrderBy(m => m.Message.MessageId, StringComparer.Ordinal).ToList();
        Assert.Equal(ids.Select(id => $"notification-{id}@example.com").Order(StringComparer.Ordinal), mails.Select(m => m.Message.MessageId));
        var ann = Assert.Single(mails, m => m.Message.MessageId == $"notification-{ids[0]}@example.com");
        Assert.Equal(["ann@example.org"], ann.Recipients);
        Assert.Equal("ann@example.org", Assert.Single(ann.Message.To.Mailboxes).Address);
        Assert.Equal("billing@example.com", Assert.Single(ann.Message.From.Mailboxes).Address);
        Assert.Equal("Your balance is low (A-1 #1)", ann.Message.Subject);
        // The body's last line break merges into SMTP's end-of-data mark (CRLF.CRLF) on the way.
        Assert.Equal("Hello A-1,\n\nmessage 1.", (ann.Message.TextBody ?? "").Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n'));
        Assert.Equal(["bob@example.net", "bob@example.net"], mails.Where(m => m != ann).SelectMany(m => m.Recipients));
        Assert.All(ids, id => Assert.Equal(("sent", 1, "smtp"), (OutboxData.Get(conn, id).Status, OutboxData.Get(conn, id).Attempts, OutboxData.Get(conn, id).Channel)));
    }

    [Fact]
    public void Smtp_WhenTheServerIsDown_CountsTheAttempt_AndDeliversOnceWhenItIsUpAndTheRetryIsDue()
    {
        using var conn = Db.Open();
        OutboxData.AddAccount(conn, "A-1", "ann@example.org");
        var id = Assert.Single(OutboxData.Enqueue(conn, "A-1", 1));
        var port = TestSmtpServer.FreePort();

        var down = DeliverBySmtp(port);
        var failed = OutboxData.Get(conn, id);
        var tooEarly = DeliverBySmtp(port);

        Assert.Equal(new DeliveryResult(0, 1, 0, 0), down);
        Assert.Equal(("pending", 1, "smtp", false), (failed.Status, failed.Attempts, failed.Channel, failed.DueNow));
        Assert.InRange(failed.SecondsUntilDue, 30, 60); // the first retry waits a minute
        Assert.False(string.IsNullOrWhiteSpace(failed.LastError));
        Assert.Equal(new DeliveryResult(0, 0, 0, 0), tooEarly);
        var logged = Assert.Single(_log.Events, e => CapturingSink.Scalar(e, "NotificationId") == id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal((Serilog.Events.LogEventLevel.Warning, failed.LastError), (logged.Level, CapturingSink.Scalar(logged, "Error")));

        using var server = new TestSmtpServer(port);
        OutboxData.MakeDue(conn);
        var up = DeliverBySmtp(port);
        var after = DeliverBySmtp(port);

        Assert.Equal(new DeliveryResult(1, 0, 0, 0), up);
        Assert.Equal(new DeliveryResult(0, 0, 0, 0), after);
        Assert.Equal($"notification-{id}@example.com", Assert.Single(server.Received).Message.MessageId);
        Assert.Equal(("sent", 2), (OutboxData.Get(conn, id).Status, OutboxData.Get(conn, id).Attempts));
    }

    [Fact]
    public void Smtp_LogsInWithTheConfiguredUserAndPassword_AndCountsARefusedLoginAsAFailedAttempt()
    {
        using var conn = Db.Open();
        OutboxData.AddAccount(conn, "A-1", "ann@example.org");
        var id = Assert.Single(OutboxData.Enqueue(conn, "A-1", 1));
        using var server = new TestSmtpServer(TestSmtpServer.FreePort(), ("billing", "s3cret"));

        DeliveryResult Deliver(string password)
        {
            using var channel = new SmtpChannel(Smtp(server.Port) with { Username = "billing", Password = password });
            return Delivery(channel).DeliverDue();
        }

        var refused = Deliver("wrong");
        var afterRefusal = OutboxData.Get(conn, id);
        OutboxData.MakeDue(conn);
        var accepted = Deliver("s3cret");

        Assert.Equal(new DeliveryResult(0, 1, 0, 0), refused);
        Assert.Equal(("pending", 1), (afterRefusal.Status, afterRefusal.Attempts));
        Assert.Contains("Authentication", afterRefusal.LastError, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(new DeliveryResult(1, 0, 0, 0), accepted);
        Assert.Equal($"notification-{id}@example.com", Assert.Single(server.Received).Message.MessageId);
    }

    [Fact]
    public void Smtp_StopsTheRunAfterThreeFailuresInARow_LeavingTheRestDueAndUntried()
    {
        using var conn = Db.Open();
        OutboxData.AddAccount(conn, "A-1", "ann@example.org");
        var ids = OutboxData.Enqueue(conn, "A-1", 5);

        var down = DeliverBySmtp(TestSmtpServer.FreePort());

        Assert.Equal(new DeliveryResult(0, 3, 0, 0, 2), down);
        Assert.Equal([(1, false), (1, false), (1, false), (0, true), (0, true)],
            ids.Select(id => OutboxData.Get(conn, id)).Select(n => (n.Attempts, n.DueNow)));
        Assert.All(ids, id => Assert.Equal("pending", OutboxData.Get(conn, id).Status));
    }

    [Fact]
    public void Smtp_GivesUpAfterMaxAttempts_AndRetryMakesTheMessagePendingAgain()
    {
        using var conn = Db.Open();
        OutboxData.AddAccount(conn, "A-1", "ann@example.org");
        var id = Assert.Single(OutboxData.Enqueue(conn, "A-1", 1));
        var port = TestSmtpServer.FreePort();

        var results = new List<DeliveryResult>();
        for (var i = 0; i < 4; i++)
        {
            results.Add(DeliverBySmtp(port, maxAttempts: 3));
            OutboxData.MakeDue(conn);
        }

        Assert.Equal([new(0, 1, 0, 0), new(0, 1, 0, 0), new(0, 0, 1, 0), new(0, 0, 0, 0)], results);
        var failed = OutboxData.Get(conn, id);
        Assert.Equal(("failed", 3), (failed.Status, failed.Attempts));
        Assert.NotNull(failed.LastError);
        Assert.Contains(_log.Events, e => e.Level == Serilog.Events.LogEventLevel.Error && CapturingSink.Scalar(e, "NotificationId") == id.ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal("failed", NotificationStore.Retry(conn, id, Now));
        Assert.Equal(("pending", 0, true), (OutboxData.Get(conn, id).Status, OutboxData.Get(conn, id).Attempts, OutboxData.Get(conn, id).DueNow));
        Assert.Equal("pending", NotificationStore.Retry(conn, id, Now)); // not failed: left as it is
        Assert.Null(NotificationStore.Retry(conn, id + 1000, Now));
    }

    [Fact]
    public void Smtp_MarksAMessageNoAddress_WhenTheAccountHasNoUsableEmail_AndDoesNotTryItAgain()
    {
        using var conn = Db.Open();
        OutboxData.AddAccount(conn, "A-1", null);
        OutboxData.AddAccount(conn, "B-2", " ");
        OutboxData.AddAccount(conn, "C-3", "carol at example");
        var ids = OutboxData.Enqueue(conn, "A-1", 1).Concat(OutboxData.Enqueue(conn, "B-2", 1)).Concat(OutboxData.Enqueue(conn, "C-3", 1)).ToList();
        using var server = new TestSmtpServer(TestSmtpServer.FreePort());

        var first = DeliverBySmtp(server.Port);
        OutboxData.MakeDue(conn);
        var second = DeliverBySmtp(server.Port);

        Assert.Equal(new DeliveryResult(0, 0, 0, 3), first);
        Assert.Equal(new DeliveryResult(0, 0, 0, 0), second);
        Assert.Empty(server.Received);
        Assert.Equal(
            [("no-address", 0, "the account has no e-mail address"), ("no-address", 0, "the account has no e-mail address"), ("no-address", 0, "the account's e-mail address 'carol at example' is not valid")],
            ids.Select(id => OutboxData.Get(conn, id)).Select(n => (n.Status, n.Attempts, n.LastError)));

        conn.Execute("UPDATE accounts SET email = 'ann@example.org' WHERE id = 'A-1'");
        Assert.Equal("no-address", NotificationStore.Retry(conn, ids[0], Now));
        Assert.Equal(new DeliveryResult(1, 0, 0, 0), DeliverBySmtp(server.Port));
        Assert.Equal(["ann@example.org"], Assert.Single(server.Received).Recipients);
    }

    [Fact]
    public async Task TwoDeliverersAtTheSameTime_SendEachOf200MessagesExactlyOnce()
    {
        using var conn = Db.Open();
        OutboxData.AddAccount(conn, "A-1", "ann@example.org");
        var ids = OutboxData.Enqueue(conn, "A-1", 200);
        using var server = new TestSmtpServer(TestSmtpServer.FreePort());
        // Each deliverer holds its first claimed batch until the other holds one too: they overlap for sure.
        using var bothClaimed = new Barrier(2);

        DeliveryResult Deliver()
        {
            using var channel = new MeetingChannel(new SmtpChannel(Smtp(server.Port)), bothClaimed);
            return Delivery(channel).DeliverDue();
        }

        var runs = await Task.WhenAll(Task.Run(Deliver), Task.Run(Deliver));

        Assert.Equal(200, runs.Sum(r => r.Sent));
        Assert.All(runs, r => Assert.Equal((0, 0, 0), (r.Retrying, r.Failed, r.NoAddress)));
        Assert.All(runs, r => Assert.True(r.Sent >= NotificationDelivery.DefaultBatchSize, $"a deliverer sent {r.Sent}"));
        Assert.Equal(ids.Select(id => $"notification-{id}@example.com").Order(StringComparer.Ordinal),
            server.Received.Select(m => m.Message.MessageId).Order(StringComparer.Ordinal));
        Assert.Equal(200L, conn.ExecuteScalar<long>("SELECT count(*) FROM notifications WHERE status = 'sent' AND attempts = 1"));
    }

    /// <summary>Waits at its first message until the other deliverer's channel reaches its first message too.</summary>
    [Fact]
    public void A_message_is_due_by_the_deliverers_clock_and_a_failed_one_a_minute_after_its_attempt_by_the_same_clock()
    {
        using var conn = Db.Open();
        OutboxData.AddAccount(conn, "A-1", "ann@example.org");
        var id = Assert.Single(OutboxData.Enqueue(conn, "A-1", 1));
        Instant DueAt()
        {
            using var cmd = new Npgsql.NpgsqlCommand("SELECT next_attempt_at FROM notifications WHERE id = @id", conn);
            cmd.Parameters.AddWithValue("id", id);
            return (Instant)cmd.ExecuteScalar()!;
        }

        var clock = new FakeClock(DueAt() - Duration.FromHours(1));
        using var failing = new FailingChannel();
        DeliveryResult Deliver(Duration later)
        {
            clock.Advance(later);
            return new NotificationDelivery(Db, failing, DeliveryRetry.DefaultMaxAttempts, clock).DeliverDue();
        }

        var beforeItWasWritten = Deliver(Duration.Zero);
        var failedAt = clock.GetCurrentInstant() + Duration.FromHours(1);
        var first = Deliver(Duration.FromHours(1));
        var secondTooEarly = Deliver(Duration.FromSeconds(59));
        var second = Deliver(Duration.FromSeconds(1));

        Assert.Equal([new(0, 0, 0, 0), new(0, 1, 0, 0), new(0, 0, 0, 0), new(0, 1, 0, 0)], [beforeItWasWritten, first, secondTooEarly, second]);
        // The second attempt waits 5 minutes from the second attempt's moment on the same clock.
        Assert.Equal(failedAt + Duration.FromMinutes(1) + Duration.FromMinutes(5), DueAt());
    }

    /// <summary>A channel whose every send fails, as a server that is down.</summary>
    private sealed class FailingChannel : INotificationChannel
    {
        public string Name => "smtp";

        public string? AddressProblem(OutboxMessage message) => null;

        public void Send(OutboxMessage message) => throw new IOException("connection refused");

        public void Dispose()
        {
        }
    }

    private sealed class MeetingChannel(INotificationChannel inner, Barrier barrier) : INotificationChannel
    {
        private bool _met;

        public string Name => inner.Name;

        public string? AddressProblem(OutboxMessage message) => inner.AddressProblem(message);

        public void Send(OutboxMessage message)
        {
            if (!_met)
            {
                _met = true;
                if (!barrier.SignalAndWait(TimeSpan.FromSeconds(60)))
                {
                    throw new InvalidOperationException("the other deliverer never claimed a batch while this one held its own");
                }
            }

            inner.Send(message);
        }

        public void Dispose() => inner.Dispose();
    }
}
