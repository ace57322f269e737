using System.Text.Json;
using Billing.Core.Mediation;
using Billing.Core.Tests.Mediation;
using Billing.Core.Usage;
using Billing.Mediation;
using Billing.Mediation.Readers;
using NodaTime.Text;

namespace Billing.Core.Tests.Golden;

/// <summary>
/// Every sample file under sample-cdrs/&lt;source&gt;/ against its NAME.expected.json (sample-cdrs/README.md),
/// through the pure path: reader + normaliser. Duplicates are worked out as the demo ingests:
/// files of a source by name, a (source, record key) stored once.
/// </summary>
public class SampleGoldenTests
{
    private const string ExpectedSuffix = ".expected.json";

    private static readonly string SamplesPath = Path.Combine(RepositoryRoot.Find(), "sample-cdrs");

    private static readonly JsonDocumentOptions JsonOptions = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    public static TheoryData<string, string> Samples()
    {
        var data = new TheoryData<string, string>();
        foreach (var source in DefaultSources.All.OrderBy(s => s.Name, StringComparer.Ordinal))
        {
            foreach (var file in SampleFiles(source.Name).Where(f => File.Exists(f + ExpectedSuffix)))
            {
                data.Add(source.Name, Path.GetFileName(file));
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Sample_MatchesItsExpectedOutcome(string sourceName, string fileName)
    {
        var source = DefaultSources.All.Single(s => s.Name == sourceName);
        var path = Path.Combine(SamplesPath, sourceName, fileName);
        using var expected = JsonDocument.Parse(File.ReadAllText(path + ExpectedSuffix), JsonOptions);
        var root = expected.RootElement;
        var status = root.GetProperty("status").GetString();

        if (status == "rejected")
        {
            var opening = CdrReaders.OpenFile(path, source);
            opening.Reader?.Dispose();
            Assert.Null(opening.Reader);
            var reason = root.GetProperty("reason").GetString();
            Assert.False(string.IsNullOrEmpty(reason), "a rejected sample names its reason");
            Assert.Contains(reason, opening.Rejection, StringComparison.Ordinal);
            return;
        }

        Assert.Equal("archived", status);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var earlier in SampleFiles(sourceName).TakeWhile(f => Path.GetFileName(f) != fileName))
        {
            if (Ingest(earlier, source) is { } stored)
            {
                seen.UnionWith(stored.Select(u => u.RecordKey));
            }
        }

        var (counts, sink) = Run(path, source);
        var (newlyStored, duplicates) = Dedupe(sink, seen);

        Assert.Equal(Long(root, "read"), counts.Read);
        Assert.Equal(Long(root, "suspended"), counts.Suspended);
        Assert.Equal(Long(root, "filtered"), counts.Filtered);
        Assert.Equal(Long(root, "accepted") + Long(root, "duplicates"), sink.Accepted.Count);
        Assert.Equal(Long(root, "accepted"), newlyStored.Count);
        Assert.Equal(Long(root, "duplicates"), duplicates);
        Assert.Equal(counts.Read, counts.Accepted + counts.Suspended + counts.Filtered);
        Assert.Equal(ByReason(root, "suspendedByReason"), counts.SuspendedByReason.OrderBy(p => p.Key, StringComparer.Ordinal));
        Assert.Equal(ByReason(root, "filteredByReason"), counts.FilteredByReason.OrderBy(p => p.Key, StringComparer.Ordinal));
        AssertUsageInOrder(root.GetProperty("usage"), newlyStored);
    }

    [Fact]
    public void Samples_HaveAnExpectedOutcome_BesideEveryFile()
    {
        Assert.True(Directory.Exists(SamplesPath), $"{SamplesPath} is missing");
        var sources = DefaultSources.All.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        var folders = Directory.EnumerateDirectories(SamplesPath).Select(d => Path.GetFileName(d)!).ToList();
        Assert.All(folders, f => Assert.Contains(f, sources));

        var missing = folders.SelectMany(f => SampleFiles(f)).Where(f => !File.Exists(f + ExpectedSuffix)).ToList();
        var orphans = folders.SelectMany(f => Directory.EnumerateFiles(Path.Combine(SamplesPath, f), "*" + ExpectedSuffix))
            .Where(e => !File.Exists(e[..^ExpectedSuffix.Length])).ToList();

        Assert.Empty(missing);
        Assert.Empty(orphans);
        Assert.NotEmpty(Samples());
    }

    /// <summary>A source's sample files in the demo's order (by name), without README.md and expected outcomes.</summary>
    private static IEnumerable<string> SampleFiles(string source)
    {
        var folder = Path.Combine(SamplesPath, source);
        return !Directory.Exists(folder)
            ? []
            : Directory.EnumerateFiles(folder)
                .Where(f => !f.EndsWith(ExpectedSuffix, StringComparison.Ordinal)
                    && !Path.GetFileName(f).Equals("README.md", StringComparison.OrdinalIgnoreCase))
                .OrderBy(f => Path.GetFileName(f), StringComparer.Ordinal);
    }

    private static (FileManifest Counts, RecordingSink Sink) Run(string path, SourceOptions source)
    {
        var opening = CdrReaders.OpenFile(path, source);
        Assert.True(opening.Reader is not null, $"{Path.GetFileName(path)} was rejected: {opening.Rejection}");
        using var reader = opening.Reader;
        var sink = new RecordingSink();
        return (MediationPipeline.Run(reader, new CdrNormaliser(source, Written.At), sink, SuspenseLimits.None).Manifest!, sink);
    }

    /// <summary>The usage an earlier file of the demo order stored, or null when it is rejected.</summary>
    private static IReadOnlyList<UsageRecord>? Ingest(string path, SourceOptions source)
    {
        var opening = CdrReaders.OpenFile(path, source);
        if (opening.Reader is null)
        {
            return null;
        }

        using var reader = opening.Reader;
        var sink = new RecordingSink();
        MediationPipeline.Run(reader, new CdrNormaliser(source, Written.At), sink, SuspenseLimits.None);
        return [.. sink.Accepted.Select(a => a.Usage)];
    }

    /// <summary>
    /// What the file stores after dedupe, in file order: per record key not stored before, the row of
    /// lowest priority (the first of equals); every other accepted row is a duplicate.
    /// </summary>
    private static (List<UsageRecord> Stored, long Duplicates) Dedupe(RecordingSink sink, HashSet<string> seen)
    {
        var stored = sink.Accepted
            .Where(a => !seen.Contains(a.Usage.RecordKey))
            .GroupBy(a => a.Usage.RecordKey, StringComparer.Ordinal)
            .Select(g => g.OrderBy(a => a.Priority).ThenBy(a => a.LineNumber).First())
            .OrderBy(a => a.LineNumber)
            .Select(a => a.Usage)
            .ToList();
        return (stored, sink.Accepted.Count - stored.Count);
    }

    private static long Long(JsonElement root, string name) => root.GetProperty(name).GetInt64();

    private static List<KeyValuePair<string, long>> ByReason(JsonElement root, string name) =>
        root.TryGetProperty(name, out var reasons) && reasons.ValueKind == JsonValueKind.Object
            ? [.. reasons.EnumerateObject().Select(p => KeyValuePair.Create(p.Name, p.Value.GetInt64())).OrderBy(p => p.Key, StringComparer.Ordinal)]
            : [];

    private static void AssertUsageInOrder(JsonElement expectedUsage, List<UsageRecord> stored)
    {
        var from = 0;
        foreach (var e in expectedUsage.EnumerateArray())
        {
            var expected = ToUsage(e);
            var at = stored.FindIndex(from, u => u.RecordKey == expected.RecordKey);
            Assert.True(at >= 0, $"usage '{expected.RecordKey}' is not stored by this file after '{(from > 0 ? stored[from - 1].RecordKey : "the start")}'");
            Assert.Equal(expected, stored[at]);
            from = at + 1;
        }
    }

    private static UsageRecord ToUsage(JsonElement e)
    {
        var serviceCode = e.GetProperty("service").GetString();
        Assert.True(ServiceTypes.TryParse(serviceCode, out var service) && service.Code() == serviceCode, $"unknown service code '{serviceCode}'");
        var start = InstantPattern.ExtendedIso.Parse(e.GetProperty("start").GetString()!);
        Assert.True(start.Success, $"start '{e.GetProperty("start").GetString()}' is not ISO-8601 UTC ending in Z");
        return new UsageRecord(
            e.GetProperty("recordKey").GetString()!,
            service,
            e.GetProperty("msisdn").GetString()!,
            e.GetProperty("destination").GetString(),
            start.Value,
            e.GetProperty("durationSeconds").GetInt64(),
            e.GetProperty("volumeBytes").GetInt64(),
            e.GetProperty("cellId").GetString());
    }
}
