using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;

namespace Billing.Cli.Hosting;

/// <summary>Hangfire's storage in the billing database: its own schema, polled every 500 ms (the default is 15 s).</summary>
public static class HangfireStorage
{
    public const string Schema = "hangfire";

    public static PostgreSqlStorageOptions Options(bool prepareSchema) => new()
    {
        SchemaName = Schema,
        PrepareSchemaIfNecessary = prepareSchema,
        QueuePollInterval = TimeSpan.FromMilliseconds(500),
    };

    /// <summary>The storage as a reader outside serve sees it: nothing is created.</summary>
    public static PostgreSqlStorage Reader(string connectionString)
    {
        var options = Options(prepareSchema: false);
        return new PostgreSqlStorage(new NpgsqlConnectionFactory(connectionString, options), options);
    }
}
