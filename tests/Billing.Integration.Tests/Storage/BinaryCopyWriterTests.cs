using Billing.Integration.Tests.Infrastructure;
using Billing.Storage;
using Dapper;
using NodaTime;
using Npgsql;
using NpgsqlTypes;

namespace Billing.Integration.Tests.Storage;

/// <summary>
/// <see cref="BinaryCopyWriter"/> encodes what Npgsql's binary importer encodes: the same values written both ways into
/// tables of the rated charges' column types (numeric(20, 6) as the amount) are stored equal, value for value.
/// </summary>
public sealed class BinaryCopyWriterTests : IDisposable
{
    private readonly ScratchDatabase _db = new();

    public void Dispose() => _db.Dispose();

    private const string Columns = "(n bigint, i int, s smallint, b boolean, t text, c char(3), d date, at timestamptz, amount numeric(20, 6), exact numeric)";

    private static readonly decimal[] Amounts =
    [
        0m, 0.000000m, 1m, -1m, 12.5m, 0.000123m, 0.000001m, -0.000001m, 5.000000m, 100000m, 123456789.123456m, 0.7001m, 10000m, 9999.9999m,
        0.0000004m, 0.0000005m, -2.4999995m, 79228162514264.337593543950335m, 1.0000000000000000000000000001m, decimal.MaxValue / 1_000_000_000_000_000m,
    ];

    [Fact]
    public void Every_value_written_by_the_writer_is_stored_as_Npgsqls_binary_importer_stores_it_amounts_rounded_to_six_places_alike()
    {
        using var conn = _db.Db.Open();
        conn.Execute($"CREATE TABLE by_npgsql {Columns}; CREATE TABLE by_writer {Columns};");
        var rows = Amounts.Select((amount, k) => (
            N: (k * 7_777_777_777L) - 3, I: (k * 1_000_003) - 7, S: (short)(k - 5), B: k % 2 == 0, T: k % 3 == 0 ? null : $"£ü{k}€ text",
            C: "GBP", D: new LocalDate(1999 + k, 1 + (k % 12), 1 + k), At: Instant.FromUtc(1990 + k, 3, 1, 12, 0).PlusTicks((k * 1_234_567L) + 9), Amount: amount))
            .ToList();

        using (var copy = conn.BeginBinaryImport("COPY by_npgsql FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var r in rows)
            {
                copy.StartRow();
                copy.Write(r.N, NpgsqlDbType.Bigint);
                copy.Write(r.I, NpgsqlDbType.Integer);
                copy.Write(r.S, NpgsqlDbType.Smallint);
                copy.Write(r.B, NpgsqlDbType.Boolean);
                if (r.T is null) { copy.WriteNull(); } else { copy.Write(r.T, NpgsqlDbType.Text); }
                copy.Write(r.C, NpgsqlDbType.Char);
                copy.Write(r.D, NpgsqlDbType.Date);
                copy.Write(r.At, NpgsqlDbType.TimestampTz);
                copy.Write(r.Amount, NpgsqlDbType.Numeric);
                copy.Write(r.Amount, NpgsqlDbType.Numeric);
            }

            copy.Complete();
        }

        using (var copy = BinaryCopyWriter.Begin(conn, "COPY by_writer FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var r in rows)
            {
                copy.StartRow(10);
                copy.Write(r.N);
                copy.Write(r.I);
                copy.Write(r.S);
                copy.Write(r.B);
                copy.WriteNullable(r.T);
                copy.Write(r.C);
                copy.Write(r.D);
                copy.Write(r.At);
                copy.Write(r.Amount);
                copy.Write(r.Amount);
            }

            copy.Complete();
        }

        // Compared as text too, so a numeric's scale (1.0 against 1.00) counts.
        const string Read = "SELECT n, i, s, b, t, c, d::text, at::text, amount::text, exact::text FROM {0} ORDER BY n";
        var expected = conn.Query(string.Format(System.Globalization.CultureInfo.InvariantCulture, Read, "by_npgsql")).Select(r => string.Join("|", ((IDictionary<string, object?>)r).Values)).ToList();
        var actual = conn.Query(string.Format(System.Globalization.CultureInfo.InvariantCulture, Read, "by_writer")).Select(r => string.Join("|", ((IDictionary<string, object?>)r).Values)).ToList();
        Assert.Equal(Amounts.Length, expected.Count);
        Assert.Equal(expected, actual);
        Assert.Contains(actual, r => r.EndsWith("|0.000001|0.0000005", StringComparison.Ordinal));
        Assert.Contains(actual, r => r.Contains("|123456789.123456|", StringComparison.Ordinal));
    }

    [Fact]
    public void Json_text_arrays_and_nullable_small_and_exact_numbers_written_by_the_writer_are_stored_as_Npgsqls_importer_stores_them()
    {
        using var conn = _db.Db.Open();
        const string Shape = "(k int, j jsonb, a text[], s smallint, x numeric)";
        conn.Execute($"CREATE TABLE parts_by_npgsql {Shape}; CREATE TABLE parts_by_writer {Shape};");
        (string Json, string[] Ids, short? Service, decimal? Exact)[] rows =
        [
            ("[]", [], null, null),
            ("""[{"code":"no-usage","message":"no usage in [2026-11-01, 2026-12-01) — Zoë, Łódź"}]""", ["41"], 2, -0.125000m),
            ("""{"b":[1,2.50,null],"a":"São Paulo"}""", ["rerate-7", "8", "ü€"], 0, 0.000000m),
        ];

        using (var copy = conn.BeginBinaryImport("COPY parts_by_npgsql FROM STDIN (FORMAT BINARY)"))
        {
            for (var k = 0; k < rows.Length; k++)
            {
                copy.StartRow();
                copy.Write(k, NpgsqlDbType.Integer);
                copy.Write(rows[k].Json, NpgsqlDbType.Jsonb);
                copy.Write(rows[k].Ids, NpgsqlDbType.Array | NpgsqlDbType.Text);
                if (rows[k].Service is { } s) { copy.Write(s, NpgsqlDbType.Smallint); } else { copy.WriteNull(); }
                if (rows[k].Exact is { } x) { copy.Write(x, NpgsqlDbType.Numeric); } else { copy.WriteNull(); }
            }

            copy.Complete();
        }

        using (var copy = BinaryCopyWriter.Begin(conn, "COPY parts_by_writer FROM STDIN (FORMAT BINARY)"))
        {
            for (var k = 0; k < rows.Length; k++)
            {
                copy.StartRow(5);
                copy.Write(k);
                copy.WriteJsonb(rows[k].Json);
                copy.WriteTextArray(rows[k].Ids);
                copy.WriteNullable(rows[k].Service);
                copy.WriteNullable(rows[k].Exact);
            }

            copy.Complete();
        }

        const string Read = "SELECT k, j::text, a::text, cardinality(a), s, x::text FROM {0} ORDER BY k";
        var expected = conn.Query(string.Format(System.Globalization.CultureInfo.InvariantCulture, Read, "parts_by_npgsql")).Select(r => string.Join("|", ((IDictionary<string, object?>)r).Values)).ToList();
        var actual = conn.Query(string.Format(System.Globalization.CultureInfo.InvariantCulture, Read, "parts_by_writer")).Select(r => string.Join("|", ((IDictionary<string, object?>)r).Values)).ToList();
        Assert.Equal(3, expected.Count);
        Assert.Equal(expected, actual);
        Assert.Equal("0|[]|{}|0||", actual[0]);
        Assert.Equal("2|{\"a\": \"São Paulo\", \"b\": [1, 2.50, null]}|{rerate-7,8,ü€}|3|0|0.000000", actual[2]);
    }

    [Fact]
    public void A_writer_disposed_before_it_completes_cancels_its_copy_and_the_connection_stays_usable()
    {
        using var conn = _db.Db.Open();
        conn.Execute("CREATE TABLE cancelled (n bigint)");
        using (var copy = BinaryCopyWriter.Begin(conn, "COPY cancelled FROM STDIN (FORMAT BINARY)"))
        {
            copy.StartRow(1);
            copy.Write(42L);
        }

        Assert.Equal(0L, conn.ExecuteScalar<long>("SELECT count(*) FROM cancelled"));
    }

    [Fact]
    public void A_duplicate_key_sent_by_the_writer_fails_its_complete_with_the_servers_error()
    {
        using var conn = _db.Db.Open();
        conn.Execute("CREATE TABLE keyed (n bigint PRIMARY KEY)");
        using var copy = BinaryCopyWriter.Begin(conn, "COPY keyed FROM STDIN (FORMAT BINARY)");
        copy.StartRow(1);
        copy.Write(7L);
        copy.StartRow(1);
        copy.Write(7L);

        var e = Assert.Throws<PostgresException>(copy.Complete);
        Assert.Equal(PostgresErrorCodes.UniqueViolation, e.SqlState);
    }
}
