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

    public string ConnectionString { get; }

    public static BillingDatabase Connect(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
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
