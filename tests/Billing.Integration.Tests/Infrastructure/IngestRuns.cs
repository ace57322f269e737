using System.Text.Json;

namespace Billing.Integration.Tests.Infrastructure;

/// <summary>One file's line of `billing ingest --json`.</summary>
public sealed record IngestedFile(string File, string Source, string Status, string? Reason, int Read, int Accepted, int Suspended, long FileId);

/// <summary>Runs `billing ingest --json` as operations would, bounded in time, and reads what it printed.</summary>
public static class IngestRuns
{
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);

    /// <summary>
    /// The exit code (0, or 3 when a file was rejected or failed; anything else fails the test, as does a
    /// stack trace) and the files' outcomes.
    /// </summary>
    public static (int Exit, List<IngestedFile> Files) Run(
        string workingDirectory, string drop, string connectionString, IReadOnlyDictionary<string, string>? environment = null, params string[] extra)
    {
        var (exit, stdout, stderr) = BillingProcess.Run(Bound, environment, workingDirectory, ["ingest", "--json", "--drop", drop, "--db", connectionString, .. extra]);
        Assert.True(exit is 0 or 3, $"exit {exit}: {stderr}");
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(stdout);
        return (exit, [.. doc.RootElement.EnumerateArray().Select(o => new IngestedFile(
            o.GetProperty("file").GetString()!, o.GetProperty("source").GetString()!, o.GetProperty("status").GetString()!,
            o.GetProperty("reason").GetString(), o.GetProperty("read").GetInt32(), o.GetProperty("accepted").GetInt32(),
            o.GetProperty("suspended").GetInt32(), o.GetProperty("fileId").ValueKind == JsonValueKind.Number ? o.GetProperty("fileId").GetInt64() : 0))]);
    }
}
