using System.Security.Cryptography;
using System.Text;

namespace Billing.Documents;

/// <summary>
/// PDFsharp 6.2.4 puts three random things in every file: the trailer's /ID, the XMP metadata's
/// document and instance uuids, and a six-letter tag on each embedded font subset. Each is replaced
/// in place by a value of the same length derived from the document's number, so the cross-reference
/// offsets stay right and a re-render gives the same bytes.
/// </summary>
internal static class DeterministicPdf
{
    private static readonly byte[] IdMarker = "/ID[<"u8.ToArray();
    private static readonly byte[] UuidMarker = "uuid:"u8.ToArray();
    private static readonly byte[][] FontMarkers = ["/FontName/"u8.ToArray(), "/BaseFont/"u8.ToArray()];

    public static void Fix(byte[] pdf, string seed)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(seed));
        var id = Encoding.ASCII.GetBytes(Convert.ToHexString(hash, 0, 16));

        // Trailer: /ID[<32 hex><32 hex>]
        foreach (var at in Occurrences(pdf, IdMarker))
        {
            var first = at + IdMarker.Length;
            if (first + 67 <= pdf.Length && pdf[first + 32] == (byte)'>' && pdf[first + 33] == (byte)'<')
            {
                id.CopyTo(pdf, first);
                id.CopyTo(pdf, first + 34);
            }
        }

        // XMP: uuid:8-4-4-4-12, the nth one from the hash of seed#n.
        var n = 0;
        foreach (var at in Occurrences(pdf, UuidMarker))
        {
            var start = at + UuidMarker.Length;
            if (start + 36 <= pdf.Length && pdf[start + 8] == (byte)'-' && pdf[start + 13] == (byte)'-')
            {
                var bytes = SHA256.HashData(Encoding.UTF8.GetBytes($"{seed}#{n++}"));
                Encoding.ASCII.GetBytes(new Guid(bytes.AsSpan(0, 16)).ToString("D")).CopyTo(pdf, start);
            }
        }

        // Font subsets: /FontName/ABCDEF+… and /BaseFont/ABCDEF+…, the same random tag mapped to the same fixed one.
        var tags = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var marker in FontMarkers)
        {
            foreach (var at in Occurrences(pdf, marker))
            {
                var start = at + marker.Length;
                if (start + 7 > pdf.Length || pdf[start + 6] != (byte)'+' || !pdf.AsSpan(start, 6).ToArray().All(b => b is >= (byte)'A' and <= (byte)'Z'))
                {
                    continue;
                }

                var tag = Encoding.ASCII.GetString(pdf, start, 6);
                if (!tags.TryGetValue(tag, out var fixedTag))
                {
                    fixedTag = Tag(SHA256.HashData(Encoding.UTF8.GetBytes($"{seed}#font{tags.Count}")));
                    tags[tag] = fixedTag;
                }

                fixedTag.CopyTo(pdf, start);
            }
        }
    }

    /// <summary>A subset tag of six capitals (as the PDF specification asks) from a hash: documents merged later keep distinct tags.</summary>
    private static byte[] Tag(byte[] hash)
    {
        var tag = new byte[6];
        for (var i = 0; i < 6; i++)
        {
            tag[i] = (byte)('A' + (hash[i] % 26));
        }

        return tag;
    }

    private static List<int> Occurrences(byte[] pdf, byte[] marker)
    {
        var found = new List<int>();
        var from = 0;
        while (from < pdf.Length)
        {
            var i = pdf.AsSpan(from).IndexOf(marker);
            if (i < 0)
            {
                break;
            }

            found.Add(from + i);
            from += i + marker.Length;
        }

        return found;
    }
}
