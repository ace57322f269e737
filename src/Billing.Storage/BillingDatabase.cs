using System.Data;
using Dapper;
using NodaTime;
using Npgsql;

namespace Billing.Storage;

/// <summary>The one PostgreSQL database of an installation: a data source with NodaTime mapping.</summary>
public sealed class BillingDatabase : IDisposable, IAsyncDisposable
{
    static BillingDatabase()
    {
        SqlMapper.AddTypeHandler(new InstantHandler());
        SqlMapper.AddTypeHandler(new LocalDateHandler());
        DefaultTypeMap.MatchNamesWithUnderscores = true;
    }

    private BillingDatabase(NpgsqlDataSource dataSource, string connectionString)
    {
        DataSource = dataSource;
        ConnectionString = connectionString;
    }

    public NpgsqlDataSource DataSource { get; }

    /// <summary>The read and write buffer of each connection, in bytes, unless its connection string sets them.</summary>
    public const int BulkBufferSize = 64 * 1024;

    public string ConnectionString { get; }

    public static BillingDatabase Connect(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        // Bulk reads and COPYs (rating reads ~15 MB of usage and writes ~10 MB of charges per range) went through 8 KiB
        // buffers: a socket call, and in Npgsql a timer reset under a process-wide lock, per 8 KiB. 64 KiB each unless the
        // connection string sets its own (a pool of 50 connections then holds 6 MiB).
        var settings = builder.ConnectionStringBuilder;
        if (!settings.ContainsKey("Read Buffer Size"))
        {
            settings.ReadBufferSize = BulkBufferSize;
        }

        if (!settings.ContainsKey("Write Buffer Size"))
        {
            settings.WriteBufferSize = BulkBufferSize;
        }

        builder.UseNodaTime();
        return new BillingDatabase(builder.Build(), connectionString);
    }

    public NpgsqlConnection Open() => DataSource.OpenConnection();

    public ValueTask<NpgsqlConnection> OpenAsync(CancellationToken ct = default) => DataSource.OpenConnectionAsync(ct);

    public void Dispose() => DataSource.Dispose();

    public ValueTask DisposeAsync() => DataSource.DisposeAsync();

    private sealed class LocalDateHandler : SqlMapper.TypeHandler<LocalDate>
    {
        public override void SetValue(IDbDataParameter parameter, LocalDate value) => parameter.Value = value;

        public override LocalDate Parse(object value) => value switch
        {
            LocalDate d => d,
            DateOnly d => LocalDate.FromDateOnly(d),
            DateTime d => LocalDate.FromDateTime(d),
            _ => throw new DataException($"cannot read {value.GetType()} as a LocalDate"),
        };
    }

    private sealed class InstantHandler : SqlMapper.TypeHandler<Instant>
    {
        public override void SetValue(IDbDataParameter parameter, Instant value) => parameter.Value = value;

        public override Instant Parse(object value) => value switch
        {
            Instant i => i,
            DateTime d => Instant.FromDateTimeUtc(DateTime.SpecifyKind(d, DateTimeKind.Utc)),
            _ => throw new DataException($"cannot read {value.GetType()} as an Instant"),
        };
    }
}
