using System.Buffers.Binary;
using System.Text;
using NodaTime;
using Npgsql;

namespace Billing.Storage;

/// <summary>
/// Rows of a binary COPY encoded straight into a buffer and sent through Npgsql's raw COPY stream. For the
/// hot path of ingest only: <see cref="NpgsqlBinaryImporter"/> resolves a converter for every value it writes,
/// and at eleven columns a row that cost more client CPU than reading and normalising the CSV
/// (measured 2026-11-29 on 2,000,000 rows: 1.3 s against 0.22 s written this way), CPU the server's backend
/// needs on a machine of two cores. Each value is encoded as the importer encodes it (PostgreSQL's binary
/// send format): text as strict UTF-8, integers big-endian, a timestamptz as microseconds since 2000-01-01
/// UTC truncated toward zero, <see cref="Instant.MinValue"/>/<see cref="Instant.MaxValue"/> as -infinity/infinity.
/// Disposed before <see cref="Complete"/>, the COPY is cancelled, as the importer's is.
/// </summary>
internal sealed class BinaryCopyWriter : IDisposable
{
    private const int Capacity = 1 << 16;

    /// <summary>PGCOPY\n\377\r\n\0, then the flags and the header extension's length, both 0.</summary>
    private static readonly byte[] Header = [(byte)'P', (byte)'G', (byte)'C', (byte)'O', (byte)'P', (byte)'Y', (byte)'\n', 0xFF, (byte)'\r', (byte)'\n', 0, 0, 0, 0, 0, 0, 0, 0, 0];

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private static readonly Instant PostgresEpoch = Instant.FromUtc(2000, 1, 1, 0, 0);

    private readonly NpgsqlRawCopyStream _raw;
    private byte[] _buffer = new byte[Capacity];
    private int _length;
    private bool _ended;

    /// <param name="copyFromStdin">A <c>COPY … FROM STDIN (FORMAT BINARY)</c> statement.</param>
    public BinaryCopyWriter(NpgsqlConnection conn, string copyFromStdin)
    {
        ArgumentNullException.ThrowIfNull(conn);
        _raw = conn.BeginRawBinaryCopy(copyFromStdin);
        Header.CopyTo(_buffer, 0);
        _length = Header.Length;
    }

    public void StartRow(short columns)
    {
        Reserve(2);
        BinaryPrimitives.WriteInt16BigEndian(_buffer.AsSpan(_length), columns);
        _length += 2;
    }

    public void Null()
    {
        Reserve(4);
        Length(-1);
    }

    public void Text(string value)
    {
        Reserve(4 + Utf8.GetMaxByteCount(value.Length));
        var bytes = Utf8.GetBytes(value, _buffer.AsSpan(_length + 4));
        Length(bytes);
        _length += bytes;
    }

    public void TextOrNull(string? value)
    {
        if (value is null)
        {
            Null();
        }
        else
        {
            Text(value);
        }
    }

    public void Int16(short value)
    {
        Reserve(6);
        Length(2);
        BinaryPrimitives.WriteInt16BigEndian(_buffer.AsSpan(_length), value);
        _length += 2;
    }

    public void Int64(long value)
    {
        Reserve(12);
        Length(8);
        BinaryPrimitives.WriteInt64BigEndian(_buffer.AsSpan(_length), value);
        _length += 8;
    }

    public void TimestampTz(Instant value) =>
        Int64(value == Instant.MinValue ? long.MinValue
            : value == Instant.MaxValue ? long.MaxValue
            : (value - PostgresEpoch).ToInt64Nanoseconds() / 1000);

    /// <summary>Ends the COPY; the server's error, such as a unique violation, is thrown from here.</summary>
    public void Complete()
    {
        Reserve(2);
        BinaryPrimitives.WriteInt16BigEndian(_buffer.AsSpan(_length), -1);
        _length += 2;
        Flush();
        _ended = true;
        _raw.Dispose();
    }

    public void Dispose()
    {
        if (!_ended)
        {
            _ended = true;
            _raw.Cancel();
        }
    }

    private void Length(int value)
    {
        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(_length), value);
        _length += 4;
    }

    private void Reserve(int bytes)
    {
        if (_length + bytes <= _buffer.Length)
        {
            return;
        }

        Flush();
        if (bytes > _buffer.Length)
        {
            _buffer = new byte[bytes]; // one field longer than the buffer (a raw line near the reader's limit)
        }
    }

    private void Flush()
    {
        _raw.Write(_buffer, 0, _length);
        _length = 0;
    }
}
