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

            var e = Assert.Throws<DatabaseUnavailableException>(() => Migrator.Migrate(db));
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

    [Fact]
    public void V0005_deletes_the_benchmarks_synthetic_catalogue_versions_keeps_the_others_and_refuses_the_kind_from_then_on()
    {
        var (db, name) = TestCluster.CreateDatabase(migrate: false);
        try
        {
            using var c = db.Open();
            ApplyMigrationsBefore(c, 5);

            // What a database where `bench rate` ran before looks like: its catalogue as kind synthetic, beside a real one.
            const string Insert = """
                INSERT INTO catalog_versions (label, kind, checksum, effective_from, files, options, loaded_by)
                VALUES (@label, @kind, @label, '2026-01-01T00:00:00Z', '{}', '{}', 'tests')
                """;
            c.Execute(Insert, new { label = "synthetic-5000", kind = "synthetic" });
            c.Execute(Insert, new { label = "shipped", kind = "native" });
            c.Execute(Insert, new { label = "tutorial", kind = "cgrates" });

            var report = Migrator.Migrate(db);

            Assert.Equal(4, report.From);
            Assert.Contains("V0005__catalog_kinds", report.Applied);
            Assert.Equal(["shipped native", "tutorial cgrates"], c.Query<string>("SELECT label || ' ' || kind FROM catalog_versions ORDER BY label"));
            var refused = Assert.Throws<Npgsql.PostgresException>(() => c.Execute(Insert, new { label = "synthetic-500", kind = "synthetic" }));
            Assert.Equal(("23514", "catalog_versions_kind_check"), (refused.SqlState, refused.ConstraintName));
        }
        finally
        {
            db.Dispose();
            TestCluster.Instance.DropDatabase(name);
        }
    }

    [Fact]
    public void V0014_keeps_an_old_charges_band_from_its_json_explanation_leaves_its_balance_unknown_and_drops_the_json()
    {
        var (db, name) = TestCluster.CreateDatabase(migrate: false);
        try
        {
            using var c = db.Open();
            ApplyMigrationsBefore(c, 14);

            // Two charges as V0013's rating wrote them: a call that crossed from peak to off-peak, and a zero-second call (no parts).
            c.Execute("""
                INSERT INTO rated_charges (usage_id, subscription_id, account_id, cycle_start, start_utc, plan_id, catalog_version, amount, currency,
                                           destination_group, matched_prefix, quantity, billed_quantity, allowance_id, allowance_used, explanation, service)
                VALUES (1, 1, 'A', '2026-11-01', '2026-11-02T18:59:30Z', 'P', 1, 0.40, 'GBP', 'UK', '44', 95, 120, 'MIN', 30,
                        '{"connectFee":0,"rawCost":0.4,"parts":[["2026-11-02T18:59:30Z",0,60,"PEAK","R_PEAK",0,30,0.2],["2026-11-02T19:00:30Z",60,60,"*any","R_OFF",0,0,0.2]]}', 1),
                       (2, 1, 'A', '2026-11-01', '2026-11-02T20:00:00Z', 'P', 1, 0.05, 'GBP', 'UK', '44', 0, 0, NULL, 0,
                        '{"connectFee":0.05,"rawCost":0.05,"parts":[]}', 1)
                """);

            var report = Migrator.Migrate(db);

            Assert.Equal(13, report.From);
            Assert.Contains("V0014__charge_columns", report.Applied);
            Assert.Equal(
                [(1L, "PEAK", (long?)null), (2L, null, null)],
                c.Query<(long, string?, long?)>("SELECT usage_id, time_band, allowance_before FROM rated_charges ORDER BY usage_id"));
            Assert.False(c.ExecuteScalar<bool>("SELECT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_name = 'rated_charges' AND column_name = 'explanation')"));
        }
        finally
        {
            db.Dispose();
            TestCluster.Instance.DropDatabase(name);
        }
    }

    [Fact]
    public void The_lean_usage_indexes_migration_gives_archived_files_the_bounds_of_their_usage_ids_and_drops_the_two_brin_indexes()
    {
        var (db, name) = TestCluster.CreateDatabase(migrate: false);
        try
        {
            using var c = db.Open();
            var lean = Migrator.All.Single(m => m.Name == "usage_lean_indexes").Version;
            ApplyMigrationsBefore(c, lean);

            // Two files written before the migration, their rows interleaved; a third with no usage (all suspended).
            var files = c.Query<long>("""
                INSERT INTO cdr_files (source, file_name, checksum, size_bytes, format, status)
                VALUES ('canonical', 'a.csv', 'a', 1, 'canonical', 'archived'), ('canonical', 'b.csv', 'b', 1, 'canonical', 'archived'),
                       ('canonical', 'c.csv', 'c', 1, 'canonical', 'archived')
                RETURNING id
                """).AsList();
            c.Execute("""
                INSERT INTO usage (source, record_key, service, msisdn, start_utc, duration_s, volume_bytes, file_id, line_no)
                SELECT 'canonical', 'k' || i, 1, '447700900001', '2026-11-01T00:00:00Z', 60, 0, CASE WHEN i % 3 = 0 THEN @b ELSE @a END, i
                FROM generate_series(1, 30) i
                """, new { a = files[0], b = files[1] });

            Migrator.Migrate(db);

            var bounds = c.Query<(string, long?, long?)>("SELECT file_name, usage_ids_from, usage_ids_to FROM cdr_files ORDER BY file_name").AsList();
            var expected = c.Query<(string, long?, long?)>("""
                SELECT f.file_name, min(u.id), max(u.id) FROM cdr_files f LEFT JOIN usage u ON u.file_id = f.id
                GROUP BY f.file_name ORDER BY f.file_name
                """).AsList();
            Assert.Equal(expected, bounds);
            Assert.Equal((null, null), (bounds[2].Item2, bounds[2].Item3));
            Assert.Equal(["usage_id", "usage_identity", "usage_start"], c.Query<string>("SELECT indexname FROM pg_indexes WHERE tablename = 'usage' ORDER BY indexname"));
        }
        finally
        {
            db.Dispose();
            TestCluster.Instance.DropDatabase(name);
        }
    }

    [Fact]
    public void The_record_key_first_migration_keeps_every_usage_row_and_id_continues_the_identity_and_still_refuses_a_record_twice()
    {
        var (db, name) = TestCluster.CreateDatabase(migrate: false);
        try
        {
            using var c = db.Open();
            var rewrite = Migrator.All.Single(m => m.Name == "usage_record_key_first").Version;
            ApplyMigrationsBefore(c, rewrite);

            // The same record key from two sources, a data record with no destination, and the identity moved past the last row
            // (as a file's claim moves it since V0016).
            c.Execute("""
                INSERT INTO usage (source, record_key, service, msisdn, destination, start_utc, duration_s, volume_bytes, cell_id, file_id, line_no)
                VALUES ('canonical', 'k-1', 1, '447700900001', '442079460123', '2026-11-01T08:00:00Z', 60, 0, 'cell-7', 1, 2),
                       ('cucm', 'k-1', 2, '447700900002', '447700900001', '2026-11-01T09:00:00Z', 0, 0, NULL, 2, 3),
                       ('canonical', 'k-2', 3, '447700900001', NULL, '2026-11-01T10:00:00.123456Z', 0, 5242880, NULL, 1, 3)
                """);
            var lastTaken = c.ExecuteScalar<long>("SELECT nextval(pg_get_serial_sequence('usage', 'id'))");
            // A session takes ids 1,000 at a time (CACHE 1000): the sequence itself stands at the end of that block.
            var sequenceAt = c.ExecuteScalar<long>("SELECT last_value FROM usage_id_seq");
            const string Rows = """
                SELECT id || ' ' || source || ' ' || record_key || ' ' || service || ' ' || msisdn || ' ' || coalesce(destination, '-') || ' '
                       || start_utc || ' ' || duration_s || ' ' || volume_bytes || ' ' || coalesce(cell_id, '-') || ' ' || file_id || ' ' || line_no
                FROM usage ORDER BY id
                """;
            var before = c.Query<string>(Rows).AsList();

            Migrator.Migrate(db);

            Assert.Equal(3, before.Count);
            Assert.Equal(before, c.Query<string>(Rows));
            Assert.Equal((4L, 1000L), (lastTaken, sequenceAt));
            using (var other = db.Open())
            {
                Assert.Equal(sequenceAt + 1, other.ExecuteScalar<long>("SELECT nextval(pg_get_serial_sequence('usage', 'id'))"));
            }

            Assert.Equal(
                ["CREATE INDEX usage_id ON public.usage USING brin (id)",
                 "CREATE UNIQUE INDEX usage_identity ON public.usage USING btree (record_key, source)",
                 "CREATE INDEX usage_start ON public.usage USING brin (start_utc)"],
                c.Query<string>("SELECT indexdef FROM pg_indexes WHERE tablename = 'usage' ORDER BY indexname"));
            const string Insert = """
                INSERT INTO usage (source, record_key, service, msisdn, start_utc, duration_s, volume_bytes, file_id, line_no)
                VALUES ('cucm', 'k-1', 1, '447700900003', '2026-11-02T08:00:00Z', 30, 0, 3, 2)
                """;
            Assert.Equal(0, c.Execute(Insert + " ON CONFLICT (source, record_key) DO NOTHING"));
            var twice = Assert.Throws<Npgsql.PostgresException>(() => c.Execute(Insert));
            Assert.Equal(("23505", "usage_identity"), (twice.SqlState, twice.ConstraintName));
        }
        finally
        {
            db.Dispose();
            TestCluster.Instance.DropDatabase(name);
        }
    }

    [Fact]
    public void The_usage_id_brin_migration_gives_each_charge_its_records_destination_and_each_hold_its_records_number_and_time_and_drops_the_btree_on_id()
    {
        var (db, name) = TestCluster.CreateDatabase(migrate: false);
        try
        {
            using var c = db.Open();
            var brin = Migrator.All.Single(m => m.Name == "usage_id_brin").Version;
            ApplyMigrationsBefore(c, brin);

            // A call and a data session, both charged; an SMS held; a hold whose usage record is gone.
            var ids = c.Query<long>("""
                INSERT INTO usage (source, record_key, service, msisdn, destination, start_utc, duration_s, volume_bytes, file_id, line_no)
                VALUES ('canonical', 'k-1', 1, '447700900001', '442079460123', '2026-11-01T08:00:00Z', 60, 0, 1, 2),
                       ('canonical', 'k-2', 3, '447700900001', NULL, '2026-11-01T09:00:00Z', 0, 5242880, 1, 3),
                       ('canonical', 'k-3', 2, '447700900002', '447700900001', '2026-11-01T10:00:00.123456Z', 0, 0, 1, 4)
                RETURNING id
                """).AsList();
            c.Execute("""
                INSERT INTO rated_charges (usage_id, subscription_id, account_id, cycle_start, start_utc, plan_id, catalog_version, amount, currency,
                                           quantity, billed_quantity, service)
                VALUES (@a, 1, 'ACC-1', '2026-11-01', '2026-11-01T08:00:00Z', 'p', 1, 0.1, 'GBP', 60, 60, 1),
                       (@b, 1, 'ACC-1', '2026-11-01', '2026-11-01T09:00:00Z', 'p', 1, 0.2, 'GBP', 5242880, 5242880, 3);
                INSERT INTO rating_holds (usage_id, reason, detail) VALUES (@c, 'no-tariff', 'none'), (@c + 1000, 'no-tariff', 'gone');
                """, new { a = ids[0], b = ids[1], c = ids[2] });

            Migrator.Migrate(db);

            Assert.Equal([(ids[0], "442079460123"), (ids[1], (string?)null)],
                c.Query<(long, string?)>("SELECT usage_id, destination FROM rated_charges ORDER BY usage_id"));
            Assert.Equal([(ids[2], "447700900002", "2026-11-01 10:00:00.123456"), (ids[2] + 1000, null, null)],
                c.Query<(long, string?, string?)>("SELECT usage_id, msisdn, (start_utc AT TIME ZONE 'UTC')::text FROM rating_holds ORDER BY usage_id"));
            Assert.Equal(["CREATE INDEX usage_id ON public.usage USING brin (id)"],
                c.Query<string>("SELECT indexdef FROM pg_indexes WHERE tablename = 'usage' AND indexdef LIKE '%(id)'"));
        }
        finally
        {
            db.Dispose();
            TestCluster.Instance.DropDatabase(name);
        }
    }

    /// <summary>Brings a database to the schema just before <paramref name="version"/>, recorded as the Migrator records it.</summary>
    private static void ApplyMigrationsBefore(Npgsql.NpgsqlConnection c, int version)
    {
        c.Execute("CREATE TABLE schema_migrations (version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())");
        foreach (var m in Migrator.All.Where(m => m.Version < version))
        {
            c.Execute(m.Sql);
            c.Execute("INSERT INTO schema_migrations (version, name) VALUES (@Version, @Name)", new { m.Version, m.Name });
        }
    }
}
