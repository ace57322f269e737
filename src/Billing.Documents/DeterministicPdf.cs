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
public static class DeterministicPdf
{
    private static readonly byte[] IdMarker = "/ID[<"u8.ToArray();
    private static readonly byte[] UuidMarker = "uuid:"u8.ToArray();
    private static readonly byte[][] FontMarkers = ["/FontName/"u8.ToArray(), "/BaseFont/"u8.ToArray()];

    /// <summary>The first bytes of the markers: one pass over the file stops only where one of them is.</summary>
    private static readonly SearchValues<byte> MarkerStarts = SearchValues.Create("/u"u8);

    /// <summary>Every marker, in the order of the lists of where each stands.</summary>
    private static readonly byte[][] Markers = [IdMarker, UuidMarker, .. FontMarkers];

    /// <summary>
    /// Replaces the random values of <paramref name="pdf"/> (a file PDFsharp saved) with ones derived from <paramref name="seed"/>.
    /// The markers are looked for outside the bodies of compressed streams (<see cref="Regions"/>): the font programs and
    /// page contents are most of a file's bytes, binary, and hold none of them — only by chance bytes that look like one.
    /// </summary>
    public static void Fix(Span<byte> pdf, string seed)
    {
        // Where each marker is, in one pass over the parts that can hold one.
        var hits = Markers.Select(_ => new List<int>(2)).ToArray();
        ReadOnlySpan<byte> span = pdf;
        foreach (var (from, to) in Regions(span))
        {
            for (var at = Next(span, from, to); at >= 0;)
            {
                var length = 1;
                if (at + 1 < span.Length && MarkerOf(span[at], span[at + 1]) is var m and >= 0 && span[at..].StartsWith(Markers[m]))
                {
                    hits[m].Add(at);
                    length = Markers[m].Length;
                }

                at = Next(span, at + length, to);
            }
        }

        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(seed));
        var id = Encoding.ASCII.GetBytes(Convert.ToHexString(hash, 0, 16));

        // Trailer: /ID[<32 hex><32 hex>]
        foreach (var at in hits[0])
        {
            var first = at + IdMarker.Length;
            if (first + 67 <= pdf.Length && pdf[first + 32] == (byte)'>' && pdf[first + 33] == (byte)'<')
            {
                id.CopyTo(pdf[first..]);
                id.CopyTo(pdf[(first + 34)..]);
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
                Encoding.ASCII.GetBytes(new Guid(bytes.AsSpan(0, 16)).ToString("D")).CopyTo(pdf[start..]);
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
                if (start + 7 > pdf.Length || pdf[start + 6] != (byte)'+' || !IsTag(pdf.Slice(start, 6)))
                {
                    continue;
                }

                var tag = Encoding.ASCII.GetString(pdf.Slice(start, 6));
                if (!tags.TryGetValue(tag, out var fixedTag))
                {
                    fixedTag = Tag(SHA256.HashData(Encoding.UTF8.GetBytes($"{seed}#font{tags.Count}")));
                    tags[tag] = fixedTag;
                }

                fixedTag.CopyTo(pdf[start..]);
            }
        }
    }

    /// <summary>The first byte at or after <paramref name="from"/> and before <paramref name="to"/> that may begin a marker, or -1.</summary>
    private static int Next(ReadOnlySpan<byte> span, int from, int to)
    {
        if (from >= to)
        {
            return -1;
        }

        var next = span[from..to].IndexOfAny(MarkerStarts);
        return next < 0 ? -1 : from + next;
    }

    private static readonly byte[] StreamKeyword = "stream\n"u8.ToArray();

    /// <summary>
    /// The file in parts to search, from start to end, leaving out the body of each compressed stream: one whose dictionary
    /// (PDFsharp writes <c>N 0 obj\n&lt;&lt;…/Length L/Filter/FlateDecode…&gt;&gt;\nstream\n</c>, the body, then <c>\nendstream</c>) has a
    /// <c>/Filter</c> and its length written out. A stream without a filter (the XMP metadata) is searched like the rest, and
    /// so is one whose length cannot be read there: nothing is left out that is not certainly a compressed body.
    /// </summary>
    public static List<(int From, int To)> Regions(ReadOnlySpan<byte> pdf)
    {
        var regions = new List<(int, int)>(32);
        var from = 0;
        var look = 0;
        while (look < pdf.Length)
        {
            var found = pdf[look..].IndexOf(StreamKeyword);
            if (found < 0)
            {
                break;
            }

            var keyword = look + found;
            var body = keyword + StreamKeyword.Length;
            look = body;
            if (CompressedLength(pdf, keyword) is { } length && length <= pdf.Length - body)
            {
                regions.Add((from, body));
                from = look = body + length;
            }
        }

        regions.Add((from, pdf.Length));
        return regions;
    }

    /// <summary>
    /// The length of the compressed stream whose keyword <c>stream</c> stands at <paramref name="keyword"/>: its dictionary
    /// ends right before it (<c>&gt;&gt;\n</c>: not the <c>endstream</c> of a body), has a <c>/Filter</c> and a direct
    /// <c>/Length</c>; else null.
    /// </summary>
    private static int? CompressedLength(ReadOnlySpan<byte> pdf, int keyword)
    {
        if (keyword < 3 || !pdf[(keyword - 3)..keyword].SequenceEqual(">>\n"u8))
        {
            return null;
        }

        var objectStart = pdf[..keyword].LastIndexOf(" obj\n"u8);
        if (objectStart < 0)
        {
            return null;
        }

        var dictionary = pdf[objectStart..keyword];
        if (dictionary.IndexOf("/Filter"u8) < 0)
        {
            return null;
        }

        var at = dictionary.IndexOf("/Length "u8);
        if (at < 0)
        {
            return null;
        }

        var digits = dictionary[(at + 8)..];
        var n = 0;
        var length = 0L;
        while (n < digits.Length && char.IsAsciiDigit((char)digits[n]) && n < 10)
        {
            length = (length * 10) + (digits[n] - '0');
            n++;
        }

        // Followed by the next key or the dictionary's end: "/Length 12 0 R" (an indirect length) is not read.
        return n > 0 && n < digits.Length && digits[n] is (byte)'/' or (byte)'>' && length <= int.MaxValue ? (int)length : null;
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
