using Billing.Cli.Hosting;
using Billing.Integration.Tests.Infrastructure;
using Billing.Jobs.Mediation;
using Billing.Mediation;
using Hangfire;
using Hangfire.Server;
using Hangfire.Storage;

namespace Billing.Integration.Tests.Mediation;

/// <summary>The scheduled suspense recycle: it works only when the sources' configuration changed since its last recycle.</summary>
public sealed class RecycleAfterConfigurationTests(DatabaseFixture fx) : IClassFixture<DatabaseFixture>
{
    [Fact]
    public void The_first_run_recycles_the_same_sources_again_do_nothing_and_a_changed_zone_recycles_once_more()
    {
        using var drop = new TempDir();
        var options = Drops.Options(drop.Path);
        var changed = options with { Sources = [.. options.Sources.Select(s => s.Name == "asterisk" ? s with { TimeZone = "Europe/Lisbon" } : s)] };
        var storage = new Hangfire.PostgreSql.PostgreSqlStorage(
            new Hangfire.PostgreSql.Factories.NpgsqlConnectionFactory(fx.ConnectionString, HangfireStorage.Options(prepareSchema: true)), HangfireStorage.Options(prepareSchema: true));

        ConfigurationRecycle Run(MediationOptions o)
        {
            using var connection = storage.GetConnection();
            var context = new PerformContext(storage, connection, new BackgroundJob("1", null, new DateTime(2026, 11, 29, 0, 0, 0, DateTimeKind.Utc)), new JobCancellationToken(false));
            return new RecycleSuspenseJob(fx.Db, o).AfterConfigurationChange(context);
        }

        var first = Run(options);
        var again = Run(options);
        var afterChange = Run(changed);
        var thenSame = Run(changed);

        Assert.True(first.Changed);
        Assert.NotNull(first.Recycled);
        Assert.Equal((false, (RecycleResult?)null), (again.Changed, again.Recycled));
        Assert.True(afterChange.Changed);
        Assert.NotEqual(first.Sources, afterChange.Sources);
        Assert.False(thenSame.Changed);
    }
}
