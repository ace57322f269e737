namespace Billing.Mediation.Readers;

/// <summary>
/// Passes a CDR file through to CsvHelper with every physical line cut at the record limit: the first
/// <c>limit</c> bytes of a longer line go through, the rest of it is dropped unread by CsvHelper, and the
/// cut is noted (where the line starts in the output, and its true length). CsvHelper then never needs
/// more than the limit for a record, so a line of megabytes costs one pass instead of a stalled reader.
/// Line breaks are CR, LF or CR LF, as CsvHelper counts them; line numbers and byte offsets of the
/// lines that are not cut stay as they are in the file.
/// </summary>
internal sealed class LineLimitStream(Stream inner, int limit) : Stream
{
    private readonly Queue<(long Offset, long Length)> _cuts = new();
    private long _position;     // bytes handed to the reader so far: CsvHelper's byte offsets
    private long _lineStart;    // output offset where the current line starts
    private long _lineLength;   // bytes of the current line seen so far, passed or dropped
    private bool _cutting;      // dropping the rest of an over-long line

    /// <summary>True when the first line of the input (a header, in most formats) was cut.</summary>
    public bool FirstLineCut { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    /// <summary>
    /// The true length of the line that starts at <paramref name="offset"/> of the output, if it was cut.
    /// Asked in order of the records read; cuts of lines the reader passed over (blank ones) are dropped.
    /// </summary>
    public long? CutLength(long offset)
    {
        while (_cuts.TryPeek(out var cut) && cut.Offset < offset)
        {
            _cuts.Dequeue();
        }

        return _cuts.TryPeek(out var next) && next.Offset == offset ? _cuts.Dequeue().Length : null;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        // A chunk no longer than the limit: then only a line that started before the chunk, or that runs
        // past its end, can be over the limit, and a chunk without a cut is checked with two searches.
        var chunk = buffer[..Math.Min(buffer.Length, limit)];
        while (true)
        {
            var read = inner.Read(chunk);
            if (read == 0)
            {
                if (_cutting)
                {
                    EndCut();
                }

                return 0;
            }

            var kept = Filter(chunk[..read]);
            if (kept > 0)
            {
                _position += kept;
                return kept;
            }
        }
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>Drops in place what the reader must not see; returns how many bytes stay at the start of <paramref name="data"/>.</summary>
    private int Filter(Span<byte> data)
    {
        if (!_cutting)
        {
            var first = data.IndexOfAny((byte)'\n', (byte)'\r');
            if (first < 0 && _lineLength + data.Length <= limit)
            {
                _lineLength += data.Length;
                return data.Length;
            }

            if (first >= 0 && _lineLength + first <= limit)
            {
                var last = data.LastIndexOfAny((byte)'\n', (byte)'\r');
                _lineStart = _position + last + 1;
                _lineLength = data.Length - last - 1;
                return data.Length;
            }
        }

        var kept = 0;
        var i = 0;
        while (i < data.Length)
        {
            var rest = data[i..];
            var end = rest.IndexOfAny((byte)'\n', (byte)'\r');
            var text = end < 0 ? rest.Length : end;
            if (!_cutting)
            {
                var room = (int)Math.Min(text, limit - _lineLength);
                rest[..room].CopyTo(data[kept..]);
                kept += room;
                if (room < text)
                {
                    _cutting = true;
                }
            }

            _lineLength += text;
            if (end < 0)
            {
                break;
            }

            if (_cutting)
            {
                EndCut();
            }

            data[kept++] = rest[end];
            _lineStart = _position + kept;
            _lineLength = 0;
            i += end + 1;
        }

        return kept;
    }

    private void EndCut()
    {
        _cuts.Enqueue((_lineStart, _lineLength));
        FirstLineCut |= _lineStart == 0;
        _cutting = false;
    }
}
