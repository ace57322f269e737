using System.Globalization;
using System.Text;
using Billing.Core.Notifications;
using NodaTime;
using NodaTime.Text;

namespace Billing.Notifications.Channels;

/// <summary>
/// Writes each message as a text file in a folder: headers (To, Subject, Date, Message-ID, …), a blank
/// line, the body. The name comes from the message alone (<c>20261126T101500Z-000042-low-balance.txt</c>),
/// and a file is written under a temporary name and then linked into place without replacing, so a
/// message delivered again finds its file there and counts as delivered: one file per message, and no
/// temporary file of a delivery killed before its link is left once the message is delivered. An
/// attached document (checked against its recorded SHA-256) is copied beside it under the same name
/// with <c>.pdf</c>, written the same way before the message, and named in an <c>Attachment:</c> line.
/// Messages carry names, numbers and balances: a file is readable by its owner only (0600), and a
/// folder this channel creates is 0700.
/// </summary>
public sealed class FileChannel : INotificationChannel
{
    private static readonly InstantPattern FileStamp = InstantPattern.CreateWithInvariantCulture("uuuuMMdd'T'HHmmss'Z'");

    private readonly string _domain;

    public FileChannel(string folder, string? from = null)
    {
        ArgumentNullException.ThrowIfNull(folder);
        Folder = Path.GetFullPath(folder);
        _domain = MessageHeaders.Domain(from);
    }

    public string Folder { get; }

    public string Name => "file";

    /// <summary>A file needs no address: the To line says when there is none.</summary>
    public string? AddressProblem(OutboxMessage message) => null;

    public static string FileName(OutboxMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var kind = new string([.. message.Kind.Select(c => char.IsAsciiLetterOrDigit(c) || c == '-' ? c : '_')]);
        return string.Create(CultureInfo.InvariantCulture, $"{FileStamp.Format(message.CreatedAt)}-{message.Id:000000}-{kind}.txt");
    }

    public string PathOf(OutboxMessage message) => Path.Combine(Folder, FileName(message));

    /// <summary>Where the copy of the message's attachment goes: the message file's name with <c>.pdf</c>.</summary>
    public string AttachmentPathOf(OutboxMessage message) => Path.ChangeExtension(PathOf(message), ".pdf");

    public void Send(OutboxMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var path = PathOf(message);
        if (File.Exists(path))
        {
            return;
        }

        var attachment = MessageAttachment.Read(message);
        CreateFolder();
        if (attachment is not null)
        {
            // Before the message: its file is what says the message was delivered.
            WriteOnce(AttachmentPathOf(message), stream => stream.Write(attachment));
        }

        WriteOnce(path, stream =>
        {
            using var writer = new StreamWriter(stream, new UTF8Encoding(false));
            writer.Write(Render(message));
        });
    }

    /// <summary>
    /// Writes a file under a temporary name (0600) and links it into place without replacing: a file already there is kept.
    /// The temporary name is the file's own (.NAME.tmp): only the delivery holding the message's lock writes it, so one
    /// found there is what a delivery killed before linking it left behind, and goes.
    /// </summary>
    private void WriteOnce(string path, Action<Stream> write)
    {
        var temp = Path.Combine(Folder, $".{Path.GetFileName(path)}.tmp");
        File.Delete(temp);
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using (var stream = new FileStream(temp, options))
            {
                write(stream);
            }

            try
            {
                File.Move(temp, path, overwrite: false);
            }
            catch (IOException) when (File.Exists(path))
            {
                // Written by another delivery of the same message in the meantime: delivered.
            }
        }
        finally
        {
            File.Delete(temp);
        }
    }

    private void CreateFolder()
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(Folder);
        }
        else if (!Directory.Exists(Folder))
        {
            Directory.CreateDirectory(Folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    private string Render(OutboxMessage m)
    {
        var sb = new StringBuilder();
        sb.Append("To: ").Append(m.Email ?? $"(no e-mail address) account {m.AccountId}").Append('\n');
        sb.Append("Subject: ").Append(m.Subject).Append('\n');
        sb.Append("Date: ").Append(m.CreatedAt.ToDateTimeOffset().ToString("r", CultureInfo.InvariantCulture)).Append('\n');
        sb.Append("Message-ID: <").Append(MessageHeaders.MessageId(m.Id, _domain)).Append(">\n");
        sb.Append("X-Billing-Account: ").Append(m.AccountId).Append('\n');
        if (m.Msisdn is { } msisdn)
        {
            sb.Append("X-Billing-Msisdn: ").Append(msisdn).Append('\n');
        }

        sb.Append("X-Billing-Kind: ").Append(m.Kind).Append('\n');
        sb.Append("Content-Language: ").Append(m.Language).Append('\n');
        if (m.AttachmentPath is not null)
        {
            sb.Append("Attachment: ").Append(Path.GetFileName(AttachmentPathOf(m))).Append(" (").Append(m.AttachmentName).Append(", application/pdf)\n");
        }
        sb.Append('\n').Append(m.Body);
        return sb.ToString();
    }

    public void Dispose()
    {
    }
}
