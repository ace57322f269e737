using System.Text;
using Billing.Integration.Tests.Infrastructure;
using Dapper;

namespace Billing.Integration.Tests.EndToEnd;

/// <summary>
/// Issue 10, "Validation gaps and a swallowed record", through the `billing ingest` command: rows no
/// operator should bill are suspended with their own reason, and every record of a file is counted.
/// </summary>
public sealed class IngestValidationTests(DatabaseFixture fx) : IClassFixture<DatabaseFixture>, IDisposable
{
    private readonly TempDir _work = new();

    public void Dispose() => _work.Dispose();

    private string Drop => _work.File("drop");

    [Fact]
    public void Calls_starting_after_the_file_was_written_plus_300_seconds_are_suspended_as_future_and_the_year_9999_does_not_overflow()
    {
        // Drops are written at 2026-11-20T00:00:00Z; the default tolerance for clock skew is 300 s.
        Drops.Put(Drop, "canonical", "future.csv", Drops.CanonicalHeader + "\n" +
            "f1,voice,07700900123,02079460001,2026-11-20T00:05:00Z,60,,\n" +
            "f2,voice,07700900123,02079460001,2026-11-20T00:05:01Z,60,,\n" +
            "f3,voice,07700900123,02079460001,2099-06-01T12:00:00Z,60,,\n" +
            "f4,voice,07700900123,02079460001,9999-12-31T23:59:59-05:00,3600,,\n");

        var o = IngestOne();

        Assert.Equal(("archived", 4, 1, 3), (o.Status, o.Read, o.Accepted, o.Suspended));
        Assert.Equal(
            [(3L, "future-start"), (4L, "future-start"), (5L, "future-start")],
            Suspense(o.FileId).Select(s => (s.Line, s.Reason)));
        Assert.Equal(["f1"], StoredKeys(o.FileId));
    }

    [Fact]
    public void A_source_configured_with_no_clock_skew_suspends_a_call_one_second_after_the_file_was_written()
    {
        var config = _work.File("billing.json");
        File.WriteAllText(config, """
            { "mediation": { "sources": [ { "name": "canonical", "format": "canonical", "clockSkewSeconds": 0 } ] } }
            """);
        Drops.Put(Drop, "canonical", "strict.csv", Drops.CanonicalHeader + "\n" +
            "s1,voice,07700900123,02079460001,2026-11-20T00:00:00Z,60,,\n" +
            "s2,voice,07700900123,02079460001,2026-11-20T00:00:01Z,60,,\n");

        var o = IngestOne("--config", config);

        Assert.Equal((2, 1, 1), (o.Read, o.Accepted, o.Suspended));
        Assert.Equal([(3L, "future-start")], Suspense(o.FileId).Select(s => (s.Line, s.Reason)));
    }

    [Fact]
    public void Asterisk_and_cucm_rows_whose_times_contradict_each_other_are_suspended_with_their_own_reasons()
    {
        Drops.Put(Drop, "asterisk", "Master.csv",
            AsteriskRow("1793607300.1", answer: "2026-11-02 08:15:05", duration: 100, billsec: 95) +      // accepted
            AsteriskRow("1793607300.2", answer: "2026-11-02 08:15:05", duration: 100, billsec: 101) +     // billsec > duration
            AsteriskRow("1793607300.3", answer: "2026-11-02 08:14:59", duration: 100, billsec: 95));      // answered before start
        Drops.Put(Drop, "cucm", "cdr_StandAloneCluster_01_202611020900_0001",
            "\"cdrRecordType\",\"globalCallID_callManagerId\",\"globalCallID_callId\",\"dateTimeOrigination\",\"callingPartyNumber\",\"finalCalledPartyNumber\",\"dateTimeConnect\",\"dateTimeDisconnect\",\"duration\"\n" +
            "INTEGER,INTEGER,INTEGER,INTEGER,VARCHAR(50),VARCHAR(50),INTEGER,INTEGER,INTEGER\n" +
            "1,1,101,1793607300,\"1001\",\"901632960123\",1793607307,1793607402,95\n" +    // accepted
            "1,1,102,1793607300,\"1001\",\"901632960123\",1793607299,1793607402,95\n" +    // connected before origination
            "1,1,103,1793607300,\"1001\",\"901632960123\",1793607300,1793607402,103\n");   // 103 s of a 102 s call

        var outcomes = Ingest();

        var asterisk = outcomes.Single(o => o.Source == "asterisk");
        var cucm = outcomes.Single(o => o.Source == "cucm");
        Assert.Equal((3, 1, 2), (asterisk.Read, asterisk.Accepted, asterisk.Suspended));
        Assert.Equal([(2L, "billable-exceeds-duration"), (3L, "answer-before-start")], Suspense(asterisk.FileId).Select(s => (s.Line, s.Reason)));
        Assert.Equal((3, 1, 2), (cucm.Read, cucm.Accepted, cucm.Suspended));
        Assert.Equal([(4L, "answer-before-start"), (5L, "billable-exceeds-duration")], Suspense(cucm.FileId).Select(s => (s.Line, s.Reason)));
    }

    [Fact]
    public void A_quote_never_closed_in_row_3_of_5_no_longer_swallows_rows_4_and_5()
    {
        Drops.Put(Drop, "canonical", "quote.csv", Drops.CanonicalHeader + "\n" +
            "q1,voice,07700900123,02079460001,2026-11-02T08:00:01Z,61,,cell-1\n" +
            "q2,voice,07700900123,02079460002,2026-11-02T08:00:02Z,62,,cell-2\n" +
            "q3,voice,07700900123,02079460003,2026-11-02T08:00:03Z,63,,\"cell-3\n" +
            "q4,voice,07700900123,02079460004,2026-11-02T08:00:04Z,64,,cell-4\n" +
            "q5,voice,07700900123,02079460005,2026-11-02T08:00:05Z,65,,cell-5\n");

        var o = IngestOne();

        Assert.Equal(("archived", 5, 4, 1), (o.Status, o.Read, o.Accepted, o.Suspended));
        Assert.Equal([(4L, "unclosed-quote")], Suspense(o.FileId).Select(s => (s.Line, s.Reason)));
        using var conn = fx.Db.Open();
        Assert.Equal([("q4", 64L, "cell-4"), ("q5", 65L, "cell-5")], conn.Query<(string, long, string)>(
            "SELECT record_key, duration_s, cell_id FROM usage WHERE file_id = @id AND record_key IN ('q4', 'q5') ORDER BY line_no", new { id = o.FileId }));
    }

    [Fact]
    public void A_NUL_byte_in_one_row_suspends_that_row_with_the_NUL_replaced_and_the_file_is_archived()
    {
        Drops.PutBytes(Drop, "canonical", "nul.csv", [
            .. Encoding.UTF8.GetBytes(Drops.CanonicalHeader + "\n" + "n1,voice,07700900123,02079460001,2026-11-02T08:00:01Z,61,,\n" + "n2,voice,07700900123,02079460002,2026-11-02T08:00:02Z,62,,ce"),
            0,
            .. Encoding.UTF8.GetBytes("ll\nn3,voice,07700900123,02079460003,2026-11-02T08:00:03Z,63,,\n"),
        ]);

        var o = IngestOne();

        Assert.Equal(("archived", 3, 2, 1), (o.Status, o.Read, o.Accepted, o.Suspended));
        var row = Assert.Single(Suspense(o.FileId));
        Assert.Equal((3L, "nul-byte", "n2,voice,07700900123,02079460002,2026-11-02T08:00:02Z,62,,ce\uFFFDll"), (row.Line, row.Reason, row.Raw));
    }

    private static string AsteriskRow(string uniqueId, string answer, int duration, int billsec) =>
        $"\"\",\"1001\",\"907700900123\",\"from-internal\",\"\"\"Alice\"\" <1001>\",\"PJSIP/1001-1\",\"PJSIP/trunk-2\",\"Dial\",\"PJSIP/07700900123@trunk\"," +
        $"\"2026-11-02 08:15:00\",\"{answer}\",\"2026-11-02 08:16:40\",{duration},{billsec},\"ANSWERED\",\"DOCUMENTATION\",\"{uniqueId}\",\"\"\n";

    private IngestedFile IngestOne(params string[] extra) => Assert.Single(Ingest(extra));

    private List<IngestedFile> Ingest(params string[] extra)
    {
        var (exit, files) = IngestRuns.Run(_work.Path, Drop, fx.ConnectionString, null, extra);
        Assert.Equal(0, exit);
        return files;
    }

    private List<(long Line, string Reason, string Raw)> Suspense(long fileId)
    {
        using var conn = fx.Db.Open();
        return conn.Query<(long, string, string)>("SELECT line_no, reason, raw_line FROM suspense WHERE file_id = @fileId ORDER BY line_no", new { fileId }).AsList();
    }

    private List<string> StoredKeys(long fileId)
    {
        using var conn = fx.Db.Open();
        return conn.Query<string>("SELECT record_key FROM usage WHERE file_id = @fileId ORDER BY line_no", new { fileId }).AsList();
    }
}
