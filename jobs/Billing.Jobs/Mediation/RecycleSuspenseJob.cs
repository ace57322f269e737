using Billing.Core.Mediation;
using Billing.Mediation;
using Billing.Mediation.Readers;
using System.ComponentModel;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Billing.Storage;
using Hangfire.Server;
using Serilog;

namespace Billing.Jobs.Mediation;

public sealed record RecycleResult(long Examined, long Recycled, long Duplicates, long Filtered, long StillSuspended, long UnknownSource);

/// <summary>The scheduled recycle's outcome: whether the sources' configuration had changed, and if so what the recycle did.</summary>
public sealed record ConfigurationRecycle(bool Changed, string Sources, RecycleResult? Recycled);

/// <summary>
/// Runs open suspense rows through mediation again with today's configuration (after a fix):
/// rows that now pass become usage (never twice: the (source, record key) rule still holds),
/// rows that still fail keep their new reason. Rows whose kept text is not the file's
/// (<see cref="SuspenseReasons.KeepsAlteredText"/>) stay as they are. One transaction per batch.
/// </summary>
public sealed class RecycleSuspenseJob(BillingDatabase db, MediationOptions options)
{
    private const int BatchSize = 1000;

    /// <summary>Where the scheduled recycle keeps the fingerprint of the sources it last recycled with (Hangfire's storage).</summary>
    public const string MarkHash = "billing:recycle-suspense";

    /// <summary>
    /// The recurring entry point: recycles open suspense when the sources' configuration (formats,
    /// numbering plans, zones, limits) differs from the one of the last scheduled recycle — a fix
    /// made in billing.json then reaches the rows it suspended without anyone running `billing
    /// suspense recycle`. Unchanged: nothing is read. Hangfire passes <paramref name="context"/>.
    /// </summary>
    [DisplayName("Recycle suspense after a configuration change")]
    public ConfigurationRecycle AfterConfigurationChange(PerformContext? context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var sources = SourcesFingerprint(options.Sources);
        var last = context.Connection.GetAllEntriesFromHash(MarkHash)?.GetValueOrDefault("sources");
        if (last == sources)
        {
            return new ConfigurationRecycle(false, sources, null);
        }

        var recycled = Run();
        context.Connection.SetRangeInHash(MarkHash, [new KeyValuePair<string, string>("sources", sources)]);
        return new ConfigurationRecycle(true, sources, recycled);
    }

    /// <summary>The SHA-256 of the sources' configuration as JSON: equal when nothing mediation reads has changed.</summary>
    public static string SourcesFingerprint(IReadOnlyList<SourceOptions> sources) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(sources))))[..16];

    public RecycleResult Run(string? reason = null, string? source = null)
    {
        long examined = 0, recycled = 0, duplicates = 0, filtered = 0, still = 0, unknown = 0;
        using var conn = db.Open();
        long afterId = 0;
        while (true)
        {
            using var tx = conn.BeginTransaction();
            var rows = SuspenseStore.OpenRows(conn, reason, source, afterId, BatchSize, tx);
            if (rows.Count == 0)
            {
                break;
            }

            foreach (var row in rows)
            {
                afterId = row.Id;
                examined++;
                var src = options.Source(row.Source);
                if (src is null)
                {
                    unknown++;
                    continue;
                }

                // Judged as when its file was taken in: a call from the future then is not made right by time passing.
                var normaliser = new CdrNormaliser(src, row.FileReceivedAt);
                var priority = 0;
                var outcome = SuspenseReasons.KeepsAlteredText(row.Reason)
                    ? MediationOutcome.Suspend(row.Reason, row.Detail)
                    : Mediate(src, normaliser, row, out priority);
                switch (outcome)
                {
                    case { Kind: OutcomeKind.Accepted, Usage: { } usage }:
                        var usageId = SuspenseStore.InsertRecycledUsage(tx, row, usage);
                        // A FreeSWITCH a-leg whose b-leg is stored already: the call is billed from the a-leg, as when it comes in a later file.
                        var replaced = usageId is null && src.Format == CdrFormat.FreeSwitch && priority == 0
                            ? SuspenseStore.ReplaceUnrated(tx, row.Source, usage)
                            : null;
                        SuspenseStore.MarkRecycled(tx, row.Id,
                            usageId is not null ? $"usage #{usageId}"
                            : replaced is not null ? $"duplicate: the record is already stored as usage #{replaced} (its b-leg), which now holds this a-leg's call"
                            : "duplicate: the record is already stored",
                            usageId ?? replaced);
                        if (usageId is null) { duplicates++; } else { recycled++; }
                        break;
                    case { Kind: OutcomeKind.Filtered } f:
                        SuspenseStore.MarkRecycled(tx, row.Id, $"filtered: {f.Reason}", null);
                        filtered++;
                        break;
                    case var s:
                        SuspenseStore.StillSuspended(tx, row.Id, s.Reason!, s.Detail ?? "");
                        still++;
                        break;
                }
            }

            tx.Commit();
        }

        var result = new RecycleResult(examined, recycled, duplicates, filtered, still, unknown);
        Log.ForContext<RecycleSuspenseJob>().Information("Recycled suspense: {@Result}", result);
        return result;
    }

    /// <param name="priority">The record's <see cref="RawCdr.Priority"/> (0 but for a FreeSWITCH b-leg).</param>
    private static MediationOutcome Mediate(SourceOptions source, CdrNormaliser normaliser, SuspenseRow row, out int priority)
    {
        priority = 0;
        var opening = CdrReaders.OpenRow(source, row.Header, row.RawLine, row.FileName);
        if (opening.Rejection is { } rejection)
        {
            return MediationOutcome.Suspend(SuspenseReasons.MalformedRow, rejection);
        }

        using var reader = opening.Reader!;
        foreach (var r in reader.ReadRows())
        {
            if (r.ProblemCode is { } code)
            {
                return MediationOutcome.Suspend(code, r.ProblemDetail ?? "");
            }

            if (r.FilterReason is { } filter)
            {
                return MediationOutcome.Filter(filter);
            }

            priority = r.Cdr!.Priority;
            return normaliser.Normalise(r.Cdr);
        }

        return MediationOutcome.Suspend(SuspenseReasons.MalformedRow, "the raw line holds no record");
    }
}
