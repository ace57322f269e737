using System.Text;
using CsvHelper;

namespace Billing.Mediation.Readers;

/// <summary>Opens the reader for a source's format, or says why a whole file cannot be read.</summary>
public static class CdrReaders
{
    /// <summary>A file above this size is rejected as oversized (configurable per drop folder).</summary>
    public const long DefaultMaxFileBytes = 4L * 1024 * 1024 * 1024;

    private const int SniffBytes = 64 * 1024;

    /// <summary>Why a file of this size is not read at all, or null. Checked before anything reads the file.</summary>
    public static string? SizeProblem(long size, long maxFileBytes) =>
        size == 0 ? "empty file (0 bytes)"
        : size > maxFileBytes ? $"oversized file: {size:N0} bytes, above the limit of {maxFileBytes:N0}"
        : null;

    public static ReaderOpening OpenFile(string path, SourceOptions source, long maxFileBytes = DefaultMaxFileBytes)
    {
        if (SizeProblem(new FileInfo(path).Length, maxFileBytes) is { } size)
        {
            return ReaderOpening.Rejected(size);
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
        var hasHeader = source.Format is CdrFormat.Canonical or CdrFormat.Cucm;
        var input = CsvInput.Open(stream, hasHeader);
        try
        {
            var opening = source.Format switch
            {
                CdrFormat.Canonical => CanonicalReader.Open(input, source),
                CdrFormat.Cucm => CucmReader.Open(input, source, fileName),
                CdrFormat.Asterisk => AsteriskReader.Open(input, source),
                CdrFormat.FreeSwitch => FreeSwitchReader.Open(input, source),
                _ => throw new ArgumentOutOfRangeException(nameof(source), source.Format, "unknown format"),
            };
            if (hasHeader && input.HeaderCut)
            {
                opening.Reader?.Dispose();
                return ReaderOpening.Rejected($"unreadable header: the first line is longer than {CsvInput.MaxRecordBytes:N0} bytes");
            }

            return opening;
        }
        catch (CsvFormatException e)
        {
            input.Dispose();
            return ReaderOpening.Rejected($"unreadable header: {e.Message}");
        }
    }

    /// <summary>
    /// A UTF-16 byte-order mark, or a head that is mostly NUL and control bytes, means a binary or wrongly
    /// encoded file, not CSV. A few NUL bytes do not: their rows are suspended, the others read.
    /// </summary>
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

        var binary = 0;
        foreach (var b in head)
        {
            if (b < 0x20 && b is not ((byte)'\t' or (byte)'\n' or (byte)'\r' or (byte)'\f'))
            {
                binary++;
            }
        }

        return binary > 0 && binary * 2 >= head.Length
            ? $"binary content: {binary:N0} of the first {head.Length:N0} bytes are NUL or control bytes, not a CSV file"
            : null;
    }
}
