using System.Text.Json;
using Billing.Cli.Commands;
using Billing.Integration.Tests.Infrastructure;
using Dapper;

namespace Billing.Integration.Tests.EndToEnd;

/// <summary>End to end through the `billing` command, as operations would run it.</summary>
public sealed class IngestCommandTests(DatabaseFixture fx) : IClassFixture<DatabaseFixture>, IDisposable
{
    private readonly TempDir _work = new();

    public void Dispose() => _work.Dispose();

    private static readonly string[] AgainStatuses = ["already-processed", "rejected"];

    private string Drop => _work.File("drop");

    [Fact]
    public void Ingest_OnTheSampleCdrs_MatchesEveryGoldenOutcome_AndARerunAddsNothing()
    {
        DemoCommand.CopySamples(Repo.SampleCdrs, Drop);

        var (exit, stdout, stderr) = BillingProcess.Run(_work.Path, "ingest", "--json", "--drop", Drop, "--db", fx.ConnectionString);

        Assert.True(exit is 0 or 3, $"exit {exit}: {stderr}");
        using var doc = JsonDocument.Parse(stdout);
        var outcomes = doc.RootElement.EnumerateArray().ToList();
        var expectedFiles = Directory.EnumerateDirectories(Repo.SampleCdrs)
            .SelectMany(d => Directory.EnumerateFiles(d, "*.expected.json").Select(f => (Source: Path.GetFileName(d), File: Path.GetFileName(f)[..^".expected.json".Length], Expected: f)))
            .OrderBy(x => x.Source, StringComparer.Ordinal).ThenBy(x => x.File, StringComparer.Ordinal).ToList();
        Assert.Equal(expectedFiles.Select(x => $"{x.Source}/{x.File}"), outcomes.Select(o => $"{o.GetProperty("source").GetString()}/{o.GetProperty("file").GetString()}"));
        Assert.Equal(exit == 3, outcomes.Any(o => o.GetProperty("status").GetString() == "rejected"));

        using var conn = fx.Db.Open();
        foreach (var (o, x) in outcomes.Zip(expectedFiles))
        {
            using var expectedDoc = JsonDocument.Parse(File.ReadAllText(x.Expected), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            var e = expectedDoc.RootElement;
            var label = $"{x.Source}/{x.File}";
            Assert.True(e.GetProperty("status").GetString() == o.GetProperty("status").GetString(), $"{label}: status {o.GetProperty("status")}, reason {o.GetProperty("reason")}");
            if (o.GetProperty("status").GetString() == "rejected")
            {
                Assert.Contains(e.GetProperty("reason").GetString()!, o.GetProperty("reason").GetString(), StringComparison.Ordinal);
                Assert.True(File.Exists(Path.Combine(Drop, "rejected", x.Source, x.File + ".reason")), label);
                continue;
            }

            foreach (var field in new[] { "read", "accepted", "suspended", "duplicates", "filtered" })
            {
                Assert.True(e.GetProperty(field).GetInt64() == o.GetProperty(field).GetInt64(), $"{label}: {field} expected {e.GetProperty(field)} but was {o.GetProperty(field)}");
            }

            Assert.Equal(Reasons(e.GetProperty("suspendedByReason")), Reasons(o.GetProperty("suspendedByReason")));
            Assert.Equal(Reasons(e.GetProperty("filteredByReason")), Reasons(o.GetProperty("filteredByReason")));

            var stored = conn.Query<(string RecordKey, short Service, string Msisdn, string? Destination, string Start, long DurationS, long VolumeBytes, string? CellId)>(
                "SELECT record_key, service, msisdn, destination, to_char(start_utc AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US'), duration_s, volume_bytes, cell_id FROM usage WHERE file_id = @id ORDER BY line_no",
                new { id = o.GetProperty("fileId").GetInt64() }).Select(u => $"{u.RecordKey}|{u.Service}|{u.Msisdn}|{u.Destination}|{u.Start}|{u.DurationS}|{u.VolumeBytes}|{u.CellId}").ToList();
            var expectedUsage = e.GetProperty("usage").EnumerateArray().Select(u =>
                $"{u.GetProperty("recordKey").GetString()}|{Service(u.GetProperty("service").GetString()!)}|{u.GetProperty("msisdn").GetString()}|{Str(u, "destination")}|" +
                $"{DateTimeOffset.Parse(u.GetProperty("start").GetString()!, System.Globalization.CultureInfo.InvariantCulture).UtcDateTime:yyyy-MM-ddTHH:mm:ss.ffffff}|{u.GetProperty("durationSeconds").GetInt64()}|{u.GetProperty("volumeBytes").GetInt64()}|{Str(u, "cellId")}").ToList();
            Assert.Equal(expectedUsage, stored);
            Assert.True(File.Exists(Path.Combine(Drop, "archive", x.Source, x.File + ".manifest.json")), label);
        }

        var usageBefore = conn.ExecuteScalar<long>("SELECT count(*) FROM usage");
        var rerun = BillingProcess.Run(_work.Path, "ingest", "--json", "--drop", Drop, "--db", fx.ConnectionString);
        Assert.Equal((0, "[]"), (rerun.Exit, rerun.Out.Trim()));

        DemoCommand.CopySamples(Repo.SampleCdrs, Drop); // everything dropped again
        var again = BillingProcess.Run(_work.Path, "ingest", "--json", "--drop", Drop, "--db", fx.ConnectionString);
        using var againDoc = JsonDocument.Parse(again.Out);
        Assert.All(againDoc.RootElement.EnumerateArray(), o => Assert.Contains(o.GetProperty("status").GetString(), AgainStatuses));
        Assert.Equal(usageBefore, conn.ExecuteScalar<long>("SELECT count(*) FROM usage"));
    }

    [Fact]
    public void Ingest_LosesAndDoublesNothing_WhenKilledMidFileAndRunAgain()
    {
        const int rows = 400_000;
        Drops.Put(Drop, "canonical", "big.csv", Drops.Canonical(1_000_000, rows));
        using var conn = fx.Db.Open();

        using (var p = BillingProcess.Start(_work.Path, "ingest", "--drop", Drop, "--db", fx.ConnectionString))
        {
            Wait.Until(() => p.HasExited || conn.ExecuteScalar<long>(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'COPY%' AND pid <> pg_backend_pid()") > 0,
                "the ingest to start its COPY", every: TimeSpan.FromMilliseconds(20));
            Assert.False(p.HasExited, "the ingest should be mid-COPY when killed");
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
        }

        // The server notices the dead client and rolls the file's transaction back.
        Wait.Until(() => conn.ExecuteScalar<long>(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND state <> 'idle'") == 0,
            "the killed client's transaction to end");
        Assert.Equal(0, conn.ExecuteScalar<long>("SELECT count(*) FROM usage WHERE record_key LIKE 'r1______'"));
        Assert.Equal(0, conn.ExecuteScalar<long>("SELECT count(*) FROM cdr_files WHERE file_name = 'big.csv'"));
        Assert.True(File.Exists(Path.Combine(Drop, "incoming", "canonical", "big.csv")));

        var (exit, stdout, stderr) = BillingProcess.Run(_work.Path, "ingest", "--json", "--drop", Drop, "--db", fx.ConnectionString);

        Assert.True(exit == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var o = Assert.Single(doc.RootElement.EnumerateArray());
        Assert.Equal(("archived", rows, rows), (o.GetProperty("status").GetString(), o.GetProperty("read").GetInt32(), o.GetProperty("accepted").GetInt32()));
        Assert.Equal(rows, conn.ExecuteScalar<long>("SELECT count(*) FROM usage WHERE record_key LIKE 'r1______'"));
    }

    private static SortedDictionary<string, long> Reasons(JsonElement e) =>
        new(e.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64()), StringComparer.Ordinal);

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static int Service(string code) => code switch { "voice" => 1, "sms" => 2, "data" => 3, _ => 0 };

    [Fact]
    public void The_log_files_a_command_writes_are_readable_by_their_owner_only_like_the_rest_of_the_state()
    {
        Drops.Put(Drop, "canonical", "logged.csv", Drops.Canonical(1, 1, "07700900188"));

        var (exit, _, stderr) = BillingProcess.Run(_work.Path, "ingest", "--drop", Drop, "--db", fx.ConnectionString);

        Assert.True(exit == 0, $"exit {exit}: {stderr}");
        var logs = Path.Combine(_work.Path, ".billing", "logs");
        var files = Directory.GetFiles(logs, "billing-*.json");
        Assert.NotEmpty(files);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(logs));
        Assert.All(files, f => Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(f)));
    }
}
