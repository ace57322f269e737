namespace Billing.Core.Reconciliation;

/// <summary>
/// One CDR file: what its manifest says beside the rows that carry its records. A suspended record
/// keeps its suspense row whatever becomes of it; one recycled into usage is also a usage row of the
/// same file, so the file's usage rows are its accepted records plus those recycled ones.
/// </summary>
public sealed record FileTally
{
    public long FileId { get; init; }

    /// <summary>The manifest's status (archived, processing, rejected), or null when no manifest row has this id.</summary>
    public string? Status { get; init; }

    public string Source { get; init; } = "";

    public string FileName { get; init; } = "";

    public long Read { get; init; }

    public long Accepted { get; init; }

    public long Suspended { get; init; }

    public long Duplicates { get; init; }

    public long Filtered { get; init; }

    public long UsageRows { get; init; }

    public long SuspenseRows { get; init; }

    /// <summary>Suspense rows of the file recycled into a usage row.</summary>
    public long RecycledIntoUsage { get; init; }

    public string Subject => Status is null ? $"file #{FileId} (no manifest)" : $"file #{FileId} {Source}/{FileName}";
}

/// <summary>A suspense row recycled into usage whose usage row is not there (or names another file).</summary>
public sealed record RecycledWithoutUsage(long SuspenseId, long FileId, long UsageId);

/// <summary>What the archived files' manifests add up to.</summary>
public sealed record MediationSummary(long Files, long Read, long Accepted, long Suspended, long Duplicates, long Filtered, long Recycled);

/// <summary>The mediation link: every record of every archived file on exactly one of usage, suspense, duplicates, filtered.</summary>
public static class MediationCheck
{
    public static IEnumerable<ChainDifference> Check(FileTally file)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (file.Status != "archived")
        {
            yield return Difference(file, DifferenceCodes.RecordsOfUnarchivedFile,
                $"{file.UsageRows} usage and {file.SuspenseRows} suspense rows name a file that is {(file.Status is null ? "not in the manifest" : $"not archived ({file.Status})")}");
            yield break;
        }

        var sum = file.Accepted + file.Suspended + file.Duplicates + file.Filtered;
        if (file.Read != sum)
        {
            yield return Difference(file, DifferenceCodes.ManifestSum,
                $"read {file.Read} ≠ accepted {file.Accepted} + suspended {file.Suspended} + duplicates {file.Duplicates} + filtered {file.Filtered} = {sum}");
        }

        if (file.UsageRows - file.RecycledIntoUsage != file.Accepted)
        {
            yield return Difference(file, DifferenceCodes.AcceptedNotInUsage,
                $"accepted {file.Accepted}, but {file.UsageRows} usage rows of which {file.RecycledIntoUsage} recycled from its suspense = {file.UsageRows - file.RecycledIntoUsage} accepted in usage");
        }

        if (file.SuspenseRows != file.Suspended)
        {
            yield return Difference(file, DifferenceCodes.SuspendedNotInSuspense, $"suspended {file.Suspended}, but {file.SuspenseRows} suspense rows");
        }
    }

    public static ChainDifference Check(RecycledWithoutUsage row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return new ChainDifference(ChainLink.Mediation, DifferenceCodes.RecycledUsageMissing, $"suspense row #{row.SuspenseId} of file #{row.FileId}",
            $"recycled into usage #{row.UsageId}, which is not a usage row of that file");
    }

    /// <summary>Checks every file and recycled row into <paramref name="log"/>; returns the archived files' manifests summed.</summary>
    public static MediationSummary Record(IEnumerable<FileTally> files, IEnumerable<RecycledWithoutUsage> recycledWithoutUsage, DifferenceLog log)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(recycledWithoutUsage);
        ArgumentNullException.ThrowIfNull(log);
        long n = 0, read = 0, accepted = 0, suspended = 0, duplicates = 0, filtered = 0, recycled = 0;
        foreach (var f in files)
        {
            foreach (var d in Check(f))
            {
                log.Add(d);
            }

            if (f.Status != "archived")
            {
                continue;
            }

            n++;
            read += f.Read;
            accepted += f.Accepted;
            suspended += f.Suspended;
            duplicates += f.Duplicates;
            filtered += f.Filtered;
            recycled += f.RecycledIntoUsage;
        }

        foreach (var r in recycledWithoutUsage)
        {
            log.Add(Check(r));
        }

        return new MediationSummary(n, read, accepted, suspended, duplicates, filtered, recycled);
    }

    private static ChainDifference Difference(FileTally file, string code, string detail) => new(ChainLink.Mediation, code, file.Subject, detail);
}
