using System.Text;
using CsvHelper;

namespace Billing.Mediation.Readers;

/// <summary>Opens the reader for a source's format, or says why a whole file cannot be read.</summary>
public static class CdrReaders
{
    /// <summary>A file above this size is rejected as oversized (configurable per drop folder).</summary>
    public const long DefaultMaxFileBytes = 4L * 1024 * 1024 * 1024;

    private const int SniffBytes = 64 * 1024;

    public static ReaderOpening OpenFile(string path, SourceOptions source, long maxFileBytes = DefaultMaxFileBytes)
    {
        var info = new FileInfo(path);
        if (info.Length == 0)
        {
            return ReaderOpening.Rejected("empty file (0 bytes)");
        }

        if (info.Length > maxFileBytes)
        {
            return ReaderOpening.Rejected($"oversized file: {info.Length:N0} bytes, above the limit of {maxFileBytes:N0}");
        }

        if (Sniff(path) is { } binary)
        {
            return ReaderOpening.Rejected(binary);
        }

        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        return Open(stream, source, Path.GetFileName(path));
    }

    /// <summary>Re-reads one suspended row with its file's header, after a configuration fix.</summary>
    public static ReaderOpening OpenRow(SourceOptions source, string? header, string rawLine, string fileName)
    {
        var text = string.IsNullOrEmpty(header) ? rawLine + "\n" : header + "\n" + rawLine + "\n";
        return Open(new MemoryStream(Encoding.UTF8.GetBytes(text)), source, fileName);
    }

    private static ReaderOpening Open(Stream stream, SourceOptions source, string fileName)
    {
        try
        {
            return source.Format switch
            {
                CdrFormat.Canonical => CanonicalReader.Open(Create(stream, hasHeader: true), source),
                CdrFormat.Cucm => CucmReader.Open(Create(stream, hasHeader: true), source, fileName),
                CdrFormat.Asterisk => AsteriskReader.Open(Create(stream, hasHeader: false), source),
                CdrFormat.FreeSwitch => FreeSwitchReader.Open(Create(stream, hasHeader: false), source),
                _ => throw new ArgumentOutOfRangeException(nameof(source), source.Format, "unknown format"),
            };
        }
        catch (CsvFormatException e)
        {
            stream.Dispose();
            return ReaderOpening.Rejected($"unreadable header: {e.Message}");
        }
    }

    private static CsvReader Create(Stream stream, bool hasHeader) =>
        CsvReader.Create(stream, CsvCdrReader.Options(hasHeader), leaveOpen: false);

    /// <summary>NUL bytes or a UTF-16 byte-order mark mean a binary or wrongly encoded file, not CSV.</summary>
    private static string? Sniff(string path)
    {
        var buffer = new byte[SniffBytes];
        int read;
        using (var s = File.OpenRead(path))
        {
            read = s.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        }

        var head = buffer.AsSpan(0, read);
        if (head.StartsWith(new byte[] { 0xFF, 0xFE }) || head.StartsWith(new byte[] { 0xFE, 0xFF }))
        {
            return "wrongly encoded file: UTF-16 (export it as UTF-8)";
        }

        return head.Contains((byte)0) ? "binary content (NUL bytes): not a CSV file" : null;
    }
}
