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
    /// What is wrong with the drop folder before a run, in one line, or null. A missing folder is
    /// made only when <paramref name="create"/> says so (a typo in --drop must not become a new tree).
    /// </summary>
    public string? Problem(bool create)
    {
        var kind = EntryKinds.Of(Root);
        if (kind is null && !create)
        {
            return $"the drop folder {Printable(Root)} does not exist (check --drop or mediation.dropFolder; --create makes it)";
        }

        if (kind is { } k && k != EntryKind.Directory && !(k == EntryKind.SymbolicLink && Directory.Exists(Root)))
        {
            return $"the drop folder {Printable(Root)} is {EntryKinds.Describe(k)}, not a folder";
        }

        try
        {
            Directory.CreateDirectory(Path.Combine(Root, "incoming"));
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"the drop folder {Printable(Root)} cannot be used: {e.Message}";
        }
    }

    /// <summary>
    /// Files waiting in incoming/, by source then name. Files still being written are left alone:
    /// names starting with '_' (CUCM writes these) or '.', and files modified within the settle window.
    /// Folders with no configured source, files directly in incoming/, entries that are not
    /// regular files (links, FIFOs, devices, sockets, folders: judged without opening or following
    /// them) and names that are not UTF-8 are reported, not read.
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
            foreach (var path in Directory.EnumerateFileSystemEntries(dir).Order(StringComparer.Ordinal))
            {
                if (Judge(source, Path.GetFileName(path), known, now, settle) is { } waiting)
                {
                    result.Add(waiting);
                }
            }
        }

        return result;
    }

    /// <summary>
    /// One entry of <c>incoming/&lt;source&gt;/</c> judged as <see cref="Waiting"/> judges it (the drop-folder
    /// watcher asks about the one file it saw written), or null when it is not a file to report: a
    /// name starting with '_' or '.', or an entry gone since it was seen (a name that is not UTF-8
    /// cannot be looked at, so it is reported as such).
    /// </summary>
    public WaitingFile? Judge(string source, string name, bool knownSource, Instant now, Duration settle)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length == 0 || name.StartsWith('_') || name.StartsWith('.'))
        {
            return null;
        }

        var path = IncomingFile(source, name);
        var kind = EntryKinds.Of(path);
        if (kind is null)
        {
            // .NET reads a name that is not UTF-8 with U+FFFD for its bad bytes, and that name opens
            // nothing: said, or the file would wait unseen for ever.
            return name.Contains('\uFFFD', StringComparison.Ordinal)
                ? new WaitingFile(source, name, path, WaitingState.UnreadableName, EntryKind.Unknown)
                : null;
        }

        var state = !knownSource ? WaitingState.NoSource
            : kind != EntryKind.RegularFile ? WaitingState.NotRegular
            : now - LastWrite(path) < settle ? WaitingState.StillWriting
            : WaitingState.Ready;
        return new WaitingFile(source, name, path, state, kind.Value);
    }

    /// <summary>A file's last write time (the settle check's clock).</summary>
    public static Instant LastWrite(string path) => Instant.FromDateTimeUtc(File.GetLastWriteTimeUtc(path));

    /// <summary>
    /// A file name as it may be shown on a terminal or in a log line: control and format characters
    /// (escape sequences, line breaks, bidirectional overrides) and the backslash written as escapes,
    /// so a name can neither drive the terminal nor split one line per file into two.
    /// </summary>
    public static string Printable(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!name.Any(NeedsEscape))
        {
            return name;
        }

        var sb = new System.Text.StringBuilder(name.Length + 8);
        foreach (var c in name)
        {
            if (c == '\\')
            {
                sb.Append(@"\\");
            }
            else if (!NeedsEscape(c))
            {
                sb.Append(c);
            }
            else
            {
                sb.Append(c <= '\xFF' ? $@"\x{(int)c:x2}" : $@"\u{(int)c:x4}");
            }
        }

        return sb.ToString();
    }

    private static bool NeedsEscape(char c) =>
        c == '\\' || char.IsControl(c) || char.GetUnicodeCategory(c) is System.Globalization.UnicodeCategory.Format
            or System.Globalization.UnicodeCategory.LineSeparator or System.Globalization.UnicodeCategory.ParagraphSeparator;

    /// <summary>
    /// Moves a processed file to archive/ with its manifest beside it. Returns the new path, or
    /// null when the file had already left incoming/ (another run of the same job moved it first).
    /// </summary>
    public string? Archive(string source, string fileName, long fileId, string manifestJson) =>
        MoveOut("archive", source, fileName, fileId, ".manifest.json", manifestJson);

    /// <summary>Moves an unreadable file to rejected/ with a .reason file beside it. Returns the new path, or null as for <see cref="Archive"/>.</summary>
    public string? Reject(string source, string fileName, long fileId, string reason) =>
        MoveOut("rejected", source, fileName, fileId, ".reason", reason + Environment.NewLine);

    /// <summary>
    /// The companion (manifest or reason) first, whole under its final name (written beside it, then
    /// renamed), and the file after it: a process killed in between leaves the file in incoming/, and
    /// the rerun, which knows its checksum, writes both again. So no file ever lies in archive/ or
    /// rejected/ without its companion, and no half-written companion is left.
    /// </summary>
    private string? MoveOut(string area, string source, string fileName, long fileId, string suffix, string companion)
    {
        var dir = Path.Combine(Root, area, source);
        Directory.CreateDirectory(dir);
        // Switches reuse names (Asterisk's Master.csv): keep both, told apart by the manifest id. A name is
        // taken by a file already there, or by one whose companion this one's would overwrite (a file named
        // X.manifest.json archived before X), known by the companion it has of its own; a companion alone
        // is this file's own, left by a run killed before the move, and is written again.
        var target = Path.Combine(dir, fileName);
        for (var n = 0; File.Exists(target) || File.Exists(target + suffix + suffix); n++)
        {
            target = Path.Combine(dir, n == 0 ? $"{fileName}.{fileId}" : $"{fileName}.{fileId}.{n}");
        }

        var companionPath = target + suffix;
        var temp = companionPath + ".tmp";
        File.WriteAllText(temp, companion);
        try
        {
            File.Move(temp, companionPath, overwrite: true);
        }
        catch (FileNotFoundException)
        {
            // A second run of the same file renamed the same companion a moment before.
        }

        try
        {
            File.Move(IncomingFile(source, fileName), target, overwrite: true);
        }
        catch (FileNotFoundException)
        {
            // Two runs of the same file (a re-run from the dashboard) both finish: the rename is
            // atomic, so exactly one moves it; the other has nothing left to move, and takes back
            // a companion it wrote beside no file.
            if (!File.Exists(target))
            {
                File.Delete(companionPath);
            }

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

    /// <summary>A link, FIFO, device, socket or folder: never opened, never moved.</summary>
    NotRegular,

    /// <summary>A name that is not UTF-8: .NET cannot open it, so it is reported, never read.</summary>
    UnreadableName,
}

public sealed record WaitingFile(string Source, string FileName, string Path, WaitingState State, EntryKind Kind = EntryKind.RegularFile);

/// <summary>Mediation configuration: where the drop folder is and which sources feed it.</summary>
public sealed record MediationOptions
{
    public string DropFolder { get; init; } = "drop";

    public IReadOnlyList<SourceOptions> Sources { get; init; } = DefaultSources.All;

    /// <summary>A file modified more recently than this is assumed still being written.</summary>
    public int SettleSeconds { get; init; } = 5;

    /// <summary>
    /// Under serve, the drop-folder watcher's settle window: it sees every write as it happens, so it
    /// takes a file once it has stood unwritten this long; the minute poll keeps <see cref="SettleSeconds"/>.
    /// </summary>
    public int WatchSettleMilliseconds { get; init; } = 1000;

    public long MaxFileBytes { get; init; } = Readers.CdrReaders.DefaultMaxFileBytes;

    /// <summary>A file with more rows to suspend than this is rejected whole (nothing of it stored).</summary>
    public long MaxSuspendedRowsPerFile { get; init; } = 1_000_000;

    /// <summary>A file whose suspended rows (raw text and detail, UTF-8) exceed this is rejected whole (default 512 MiB).</summary>
    public long MaxSuspendedBytesPerFile { get; init; } = 512L * 1024 * 1024;

    /// <summary>
    /// Where a file's suspended rows beyond the first 10,000 wait on disk until its COPY (each spill
    /// file is unlinked as soon as it is created, and leftovers are swept at the start of every ingest).
    /// The command line sets it to <c>&lt;stateDirectory&gt;/tmp</c>; null: the system's temp folder.
    /// </summary>
    public string? TempFolder { get; init; }

    /// <summary>The folder spill files go to.</summary>
    public string SpillFolder() => TempFolder ?? Path.Combine(Path.GetTempPath(), "billing-spill");

    public SuspenseLimits SuspenseLimits() => new(MaxSuspendedRowsPerFile, MaxSuspendedBytesPerFile);

    public SourceOptions? Source(string name) => Sources.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.Ordinal));
}
