using System.Diagnostics;
using Npgsql;

namespace Billing.Benchmarks;

/// <summary>
/// The database floors' two halves, shared by the rating and bill-run benchmarks: rows as the server
/// sends them in binary, held in memory in 1 MiB pieces, and the same bytes written back by binary COPY
/// on several connections at once — so the timed write does nothing but write.
/// </summary>
public static class FloorCopy
{
    /// <summary>What a COPY … TO STDOUT (FORMAT BINARY) sends, in 1 MiB pieces.</summary>
    public static List<byte[]> Pieces(NpgsqlConnection conn, string copyOut)
    {
        ArgumentNullException.ThrowIfNull(conn);
        using var raw = conn.BeginRawBinaryCopy(copyOut);
        var pieces = new List<byte[]>();
        var piece = new byte[1 << 20];
        int got;
        while ((got = raw.ReadAtLeast(piece, piece.Length, throwOnEndOfStream: false)) > 0)
        {
            pieces.Add(piece[..got]);
        }

        return pieces;
    }

    /// <summary>Writes each connection's pieces into <paramref name="table"/> by binary COPY, one transaction per connection, all at once; the time it took.</summary>
    public static TimeSpan Write(NpgsqlDataSource ds, string table, IReadOnlyList<List<byte[]>> payload)
    {
        ArgumentNullException.ThrowIfNull(ds);
        ArgumentNullException.ThrowIfNull(payload);
        var write = Stopwatch.StartNew();
        Parallel.For(0, payload.Count, new ParallelOptions { MaxDegreeOfParallelism = payload.Count }, part =>
        {
            using var conn = ds.OpenConnection();
            using var tx = conn.BeginTransaction();
            using (var raw = conn.BeginRawBinaryCopy($"COPY {table} FROM STDIN (FORMAT BINARY)"))
            {
                foreach (var piece in payload[part])
                {
                    raw.Write(piece);
                }
            }

            tx.Commit();
        });
        write.Stop();
        return write.Elapsed;
    }
}
