using System.Buffers;
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

    /// <summary>The first bytes of the markers: one pass over the file stops only where one of them is.</summary>
    private static readonly SearchValues<byte> MarkerStarts = SearchValues.Create("/u"u8);

    /// <summary>Every marker, in the order of the lists of where each stands.</summary>
    private static readonly byte[][] Markers = [IdMarker, UuidMarker, .. FontMarkers];

    public static void Fix(byte[] pdf, string seed)
    {
        // Where each marker is, in one pass (the file is scanned once, not once a marker).
        var hits = Markers.Select(_ => new List<int>(2)).ToArray();
        var span = pdf.AsSpan();
        for (var at = span.IndexOfAny(MarkerStarts); at >= 0;)
        {
            var length = 1;
            if (at + 1 < span.Length && MarkerOf(span[at], span[at + 1]) is var m and >= 0 && span[at..].StartsWith(Markers[m]))
            {
                hits[m].Add(at);
                length = Markers[m].Length;
            }

            var next = span[(at + length)..].IndexOfAny(MarkerStarts);
            at = next < 0 ? -1 : at + length + next;
        }

        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(seed));
        var id = Encoding.ASCII.GetBytes(Convert.ToHexString(hash, 0, 16));

        // Trailer: /ID[<32 hex><32 hex>]
        foreach (var at in hits[0])
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
        foreach (var at in hits[1])
        {
            var start = at + UuidMarker.Length;
            if (start + 36 <= pdf.Length && pdf[start + 8] == (byte)'-' && pdf[start + 13] == (byte)'-')
            {
                var bytes = SHA256.HashData(Encoding.UTF8.GetBytes($"{seed}#{n++}"));
                Encoding.ASCII.GetBytes(new Guid(bytes.AsSpan(0, 16)).ToString("D")).CopyTo(pdf, start);
            }
        }

        // Font subsets: /FontName/ABCDEF+… and /BaseFont/ABCDEF+…, the same random tag mapped to the same fixed one
        // (the /FontName ones first, in the order they stand, then the /BaseFont ones).
        var tags = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        for (var m = 0; m < FontMarkers.Length; m++)
        {
            foreach (var at in hits[2 + m])
            {
                var start = at + FontMarkers[m].Length;
                if (start + 7 > pdf.Length || pdf[start + 6] != (byte)'+' || !IsTag(pdf.AsSpan(start, 6)))
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

    /// <summary>The one marker a hit's first two bytes can begin (an index into <see cref="Markers"/>), or -1: most hits are none.</summary>
    private static int MarkerOf(byte first, byte second) => (first, second) switch
    {
        ((byte)'/', (byte)'I') => 0,
        ((byte)'u', (byte)'u') => 1,
        ((byte)'/', (byte)'F') => 2,
        ((byte)'/', (byte)'B') => 3,
        _ => -1,
    };

    private static bool IsTag(ReadOnlySpan<byte> six) => !six.ContainsAnyExceptInRange((byte)'A', (byte)'Z');

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
}
