using System.Security.Cryptography;
using Billing.Core.Documents;

namespace Billing.Documents;

/// <summary>A file written to the document store: where, how big, and the SHA-256 of its bytes (hex).</summary>
public sealed record WrittenFile(string Path, long SizeBytes, string Sha256);

/// <summary>
/// The document store: a folder with <c>invoices/NUMBER.pdf</c>, <c>credit-notes/NUMBER.pdf</c> and
/// <c>letters/INVOICE.STEP.pdf</c> (dunning letters).
/// A file is written to a temporary name beside it and renamed over the old one, so a reader sees
/// the whole old file or the whole new one, never half of either. Invoices name customers and what they
/// owe: files are readable by their owner only (0600, folders 0700), like the notification files.
/// </summary>
public sealed class DocumentFolder(string root)
{
    public string Root { get; } = Path.GetFullPath(root);

    /// <summary>Where the document <paramref name="number"/> of this kind is kept; characters a file name cannot hold become '_'.</summary>
    public string PathOf(DocumentKind kind, string number)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(number);
        var safe = string.Concat(number.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_'));
        var folder = kind switch
        {
            DocumentKind.Invoice => "invoices",
            DocumentKind.CreditNote => "credit-notes",
            DocumentKind.Letter => "letters",
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
        };
        return Path.Combine(Root, folder, safe + ".pdf");
    }

    private static readonly DocumentKind[] Kinds = [DocumentKind.Invoice, DocumentKind.CreditNote, DocumentKind.Letter];

    /// <summary>
    /// This machine's name as temporary files carry it: letters, digits and '-', anything else '_' (so it
    /// holds no '.', which separates the parts of a temporary name).
    /// </summary>
    public static string Host { get; } = string.Concat(Environment.MachineName.Select(c => char.IsAsciiLetterOrDigit(c) || c == '-' ? c : '_'));

    /// <summary>Where a writer (this machine, process <paramref name="pid"/>, thread <paramref name="thread"/>) writes <paramref name="path"/> before renaming it into place.</summary>
    public static string TemporaryPath(string path, int pid, int thread) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{path}.{Host}.{pid}.{thread}.tmp");

    /// <summary>
    /// Removes the temporary files (NAME.pdf.HOST.PID.THREAD.tmp) of <paramref name="kinds"/> (all, by default) that writers on this machine left when they
    /// were gone — a process killed between writing and renaming — and returns how many. A file whose process
    /// still runs here is some writer's work in progress and stays; so does one of another machine's (a document
    /// store shared by several, as docs/operations.md describes): a process id says nothing across machines, and
    /// that machine's own sweep removes it. A name without a host (NAME.pdf.PID.THREAD.tmp, written before hosts
    /// were named) is judged as this machine's.
    /// </summary>
    public int SweepTemporary(IReadOnlyCollection<DocumentKind>? kinds = null)
    {
        var swept = 0;
        foreach (var sub in (kinds ?? Kinds).Select(k => Path.GetDirectoryName(PathOf(k, "x"))!).Where(Directory.Exists))
        {
            foreach (var temp in Directory.EnumerateFiles(sub, "*.pdf.*.*.tmp"))
            {
                var parts = Path.GetFileName(temp).Split('.');
                var ours = parts[^4] == "pdf" || (parts.Length > 5 && parts[^5] == "pdf" && parts[^4] == Host);
                if (ours && int.TryParse(parts[^3], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var pid) && !Running(pid))
                {
                    File.Delete(temp);
                    swept++;
                }
            }
        }

        return swept;
    }

    private static bool Running(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false; // no such process
        }
    }

    public WrittenFile Write(DocumentKind kind, string number, ReadOnlySpan<byte> pdf)
    {
        var path = PathOf(kind, number);
        var temp = TemporaryPath(path, Environment.ProcessId, Environment.CurrentManagedThreadId);
        using (var file = OpenTemporary(temp, path))
        {
            file.Write(pdf);
        }

        File.Move(temp, path, overwrite: true);
        return new WrittenFile(path, pdf.Length, Convert.ToHexStringLower(SHA256.HashData(pdf)));
    }

    /// <summary>
    /// The temporary file, new (<see cref="FileMode.CreateNew"/>, not <see cref="FileMode.Create"/>: .NET truncates a file
    /// opened with Create after opening it, and ext4 answers a truncation to nothing by writing the file out when it is
    /// closed, in the writer's time). The folders are made when the first open finds them missing, not looked up for
    /// every file; a temporary file of the same name (this thread's, left when its rename failed) is replaced.
    /// </summary>
    private FileStream OpenTemporary(string temp, string path)
    {
        var options = OwnerOnly(FileMode.CreateNew);
        try
        {
            return new FileStream(temp, options);
        }
        catch (IOException e) when (e is DirectoryNotFoundException or FileNotFoundException)
        {
            // No folder (a new file cannot be missing, so FileNotFound is the folder too: .NET says FileNotFound when the
            // folder exists by the time it looks, made meanwhile by another thread's first write).
            CreateFolders(Path.GetDirectoryName(path)!);
            return new FileStream(temp, options);
        }
        catch (IOException) when (File.Exists(temp))
        {
            File.Delete(temp);
            return new FileStream(temp, options);
        }
    }

    /// <summary>
    /// A copy of a PDF where a person asked for it (<c>billing invoices pdf</c>, <c>billing dunning letter --out</c>): readable
    /// by its owner only like the store's, also when it replaces a file readable by others; whole or not at all.
    /// </summary>
    public static void WriteCopy(string path, byte[] pdf)
    {
        ArgumentNullException.ThrowIfNull(pdf);
        var temp = path + ".tmp";
        File.Delete(temp); // one a killed run left keeps its mode when opened again; the mode is set only on creation
        using (var file = new FileStream(temp, OwnerOnly(FileMode.CreateNew)))
        {
            file.Write(pdf);
        }

        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Unbuffered (the file is written from the array in one call, not copied through a buffer first), created 0600.</summary>
    private static FileStreamOptions OwnerOnly(FileMode mode)
    {
        var options = new FileStreamOptions { Mode = mode, Access = FileAccess.Write, Share = FileShare.None, BufferSize = 0 };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        return options;
    }

    private void CreateFolders(string folder)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
        }
        else
        {
            Directory.CreateDirectory(Root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }
}
