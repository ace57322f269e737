using Billing.Integration.Tests.Infrastructure;
using Billing.Storage;
using Dapper;

namespace Billing.Integration.Tests.Storage;

public sealed class MigratorTests
{
    [Fact]
    public void Migrate_AppliesEveryMigrationOnce_AndRecordsThem()
    {
        var (db, name) = TestCluster.CreateDatabase(migrate: false);
        try
        {
            var first = Migrator.Migrate(db);
            var second = Migrator.Migrate(db);

            Assert.Equal((0, Migrator.Latest), (first.From, first.To));
            Assert.Equal(Migrator.All.Select(m => $"V{m.Version:0000}__{m.Name}"), first.Applied);
            Assert.Empty(second.Applied);
            using var c = db.Open();
            Assert.Equal(Migrator.All.Select(m => m.Version), c.Query<int>("SELECT version FROM schema_migrations ORDER BY version"));
            Assert.Equal(1, c.ExecuteScalar<int>("SELECT count(*) FROM information_schema.tables WHERE table_name = 'usage'"));
        }
        finally
        {
            db.Dispose();
            TestCluster.Instance.DropDatabase(name);
        }
    }

    [Fact]
    public void Migrate_RefusesADatabaseWithANewerSchema()
    {
        var (db, name) = TestCluster.CreateDatabase();
        try
        {
            using (var c = db.Open())
            {
                c.Execute("INSERT INTO schema_migrations (version, name) VALUES (@v, 'from_the_future')", new { v = Migrator.Latest + 1 });
            }

            var e = Assert.Throws<InvalidOperationException>(() => Migrator.Migrate(db));
            Assert.Contains($"version {Migrator.Latest + 1}, newer than this build", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            db.Dispose();
            TestCluster.Instance.DropDatabase(name);
        }
    }

    [Fact]
    public async Task Migrate_IsSafe_WhenTwoProcessesStartAtOnce()
    {
        var (db, name) = TestCluster.CreateDatabase(migrate: false);
        try
        {
            var results = await Task.WhenAll(Task.Run(() => Migrator.Migrate(db)), Task.Run(() => Migrator.Migrate(db)));

            Assert.Equal(Migrator.All.Count, results.Sum(r => r.Applied.Count));
        }
        finally
        {
            db.Dispose();
            TestCluster.Instance.DropDatabase(name);
        }
    }
}
