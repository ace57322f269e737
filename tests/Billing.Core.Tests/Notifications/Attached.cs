using System.Security.Cryptography;
using Billing.Core.Notifications;

namespace Billing.Core.Tests.Notifications;

/// <summary>A document store's letter for channel tests: a file of known bytes and the message that attaches it with its recorded SHA-256.</summary>
internal static class Attached
{
    public static readonly byte[] Pdf = [.. "%PDF-1.7\n% letter INV-2026-000001.final-notice\n"u8, 0x00, 0xFF, 0x80, .. "\n%%EOF\n"u8];

    /// <summary>Writes <see cref="Pdf"/> under <paramref name="folder"/> and returns <paramref name="message"/> attaching it.</summary>
    public static OutboxMessage Letter(OutboxMessage message, string folder)
    {
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, "INV-2026-000001.final-notice.pdf");
        File.WriteAllBytes(path, Pdf);
        return message with { AttachmentPath = path, AttachmentName = "INV-2026-000001.final-notice.pdf", AttachmentSha256 = Convert.ToHexStringLower(SHA256.HashData(Pdf)) };
    }
}
