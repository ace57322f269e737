using Billing.Core.Usage;
using Dapper;
using NodaTime;
using Npgsql;

namespace Billing.Storage;

/// <summary>Usage stored per source and service: how many records, their seconds and bytes, the first and last start.</summary>
public sealed record UsageBySource(string Source, ServiceType Service, long Records, long Seconds, long Bytes, Instant First, Instant Last);

/// <summary>Reads of the mediated usage (<c>usage</c>); <see cref="UsageWriter"/> writes it.</summary>
public static class UsageStore
{
    public static IReadOnlyList<UsageBySource> BySource(NpgsqlConnection conn) =>
        conn.Query<(string Source, short Service, long Records, long Seconds, long Bytes, Instant First, Instant Last)>("""
            SELECT source, service, count(*), sum(duration_s)::bigint, sum(volume_bytes)::bigint, min(start_utc), max(start_utc)
            FROM usage GROUP BY source, service ORDER BY source, service
            """).Select(r => new UsageBySource(r.Source, (ServiceType)r.Service, r.Records, r.Seconds, r.Bytes, r.First, r.Last)).ToList();
}
