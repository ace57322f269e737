using NodaTime;

namespace Billing.Mediation;

/// <summary>
/// The drop folder's layout: <c>incoming/&lt;source&gt;/</c> where switches write,
/// <c>archive/&lt;source&gt;/</c> for processed files (with their manifest) and
/// <c>rejected/&lt;source&gt;/</c> for unreadable ones (with a <c>.reason</c> file).
/// </summary>
public sealed class DropFolder(string root)
{
    public string Root { get; } = Path.GetFullPath(root);

    public string Incoming(string source) => Path.Combine(Root, "incoming", source);

    public string IncomingFile(string source, string fileName) => Path.Combine(Incoming(source), fileName);

    public void EnsureLayout(IEnumerable<string> sources)
    {
        ArgumentNullException.ThrowIfNull(sources);
        foreach (var s in sources)
        {
            Directory.CreateDirectory(Incoming(s));
        }
    }

    /// <summary>
    /// Files waiting in incoming/, by source then name. Files still being written are left alone:
    /// names starting with '_' (CUCM writes these) or '.', and files modified within the settle window.
    /// Folders with no configured source, and files directly in incoming/, are reported, not read.
    /// </summary>
    public IReadOnlyList<WaitingFile> Waiting(IReadOnlyCollection<string> configuredSources, Instant now, Duration settle)
    {
        ArgumentNullException.ThrowIfNull(configuredSources);
        var incoming = Path.Combine(Root, "incoming");
        var result = new List<WaitingFile>();
        if (!Directory.Exists(incoming))
        {
            return result;
        }

        foreach (var loose in Directory.EnumerateFiles(incoming).Order(StringComparer.Ordinal))
        {
            result.Add(new WaitingFile("", Path.GetFileName(loose), loose, WaitingState.NoSource));
        }

        foreach (var dir in Directory.EnumerateDirectories(incoming).Order(StringComparer.Ordinal))
        {
            var source = Path.GetFileName(dir);
            var known = configuredSources.Contains(source);
            foreach (var path in Directory.EnumerateFiles(dir).Order(StringComparer.Ordinal))
            {
                var name = Path.GetFileName(path);
                if (name.StartsWith('_') || name.StartsWith('.'))
                {
                    continue;
                }

                var modified = Instant.FromDateTimeUtc(File.GetLastWriteTimeUtc(path));
                var state = !known ? WaitingState.NoSource
                    : now - modified < settle ? WaitingState.StillWriting
                    : WaitingState.Ready;
                result.Add(new WaitingFile(source, name, path, state));
            }
        }

        return result;
    }

    /// <summary>
    /// Moves a processed file to archive/ and writes its manifest beside it. Returns the new path, or
    /// null when the file had already left incoming/ (another run of the same job moved it first).
    /// </summary>
    public string? Archive(string source, string fileName, long fileId, string manifestJson)
    {
        var target = MoveOut("archive", source, fileName, fileId);
        if (target is not null)
        {
            File.WriteAllText(target + ".manifest.json", manifestJson);
        }

        return target;
    }

    /// <summary>Moves an unreadable file to rejected/ with a .reason file beside it. Returns the new path, or null as for <see cref="Archive"/>.</summary>
    public string? Reject(string source, string fileName, long fileId, string reason)
    {
        var target = MoveOut("rejected", source, fileName, fileId);
        if (target is not null)
        {
            File.WriteAllText(target + ".reason", reason + Environment.NewLine);
        }

        return target;
    }

    private string? MoveOut(string area, string source, string fileName, long fileId)
    {
        var dir = Path.Combine(Root, area, source);
        Directory.CreateDirectory(dir);
        var target = Path.Combine(dir, fileName);
        if (File.Exists(target))
        {
            // Switches reuse names (Asterisk's Master.csv): keep both, told apart by the manifest id.
            target = Path.Combine(dir, $"{fileName}.{fileId}");
        }

        try
        {
            File.Move(IncomingFile(source, fileName), target, overwrite: true);
        }
        catch (FileNotFoundException)
        {
            // Two runs of the same file (a re-run from the dashboard) both finish: the rename is
            // atomic, so exactly one moves it; the other has nothing left to move.
            return null;
        }

        return target;
    }
}

public enum WaitingState
{
    Ready,
    StillWriting,
    NoSource,
}

public sealed record WaitingFile(string Source, string FileName, string Path, WaitingState State);

/// <summary>Mediation configuration: where the drop folder is and which sources feed it.</summary>
public sealed record MediationOptions
{
    public string DropFolder { get; init; } = "drop";

    public IReadOnlyList<SourceOptions> Sources { get; init; } = DefaultSources.All;

    /// <summary>A file modified more recently than this is assumed still being written.</summary>
    public int SettleSeconds { get; init; } = 5;

    public long MaxFileBytes { get; init; } = Readers.CdrReaders.DefaultMaxFileBytes;

    public SourceOptions? Source(string name) => Sources.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.Ordinal));
}
