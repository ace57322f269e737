using Billing.Core.Rating;
using Dapper;
using NodaTime;
using Npgsql;

namespace Billing.Storage.Rating;

/// <summary>
/// Subscriber partitions of rating, claimed with session advisory locks: a process rates a partition
/// only while it holds its lock, so two processes never rate the same subscriber.
/// </summary>
public static class RatingPartitions
{
    /// <summary>
    /// Subscriber partitions: usage of one account's numbers always falls into the same one (by a hash
    /// of the account, from msisdn_partitions; a number of no account yet by its own hash). Four suit the
    /// one-to-four workers of a small operator: at most four processes rate at once.
    /// </summary>
    public const int Count = 4;

    /// <summary>
    /// How many partitions a rating run claims and reads together (each read of an id range reads every
    /// usage row of it, whatever the partitions asked for): half, so that two processes at once each read
    /// the usage once, and one alone reads it twice, not once per partition.
    /// </summary>
    public const int PerRound = Count / 2;

    /// <summary>Rounds of <see cref="PerRound"/> partitions that cover them all: how many times a run alone reads each id range.</summary>
    public const int RoundsPerRun = Count / PerRound;

    private const int PartitionLockSpace = 1381253457;

    /// <summary>
    /// The partitions in the order a run claims them, <see cref="PerRound"/> at a time: from round <paramref name="start"/> (modulo
    /// the number of rounds) on. Runs given consecutive starts begin a whole round apart, so that two at once each claim a round of
    /// their own. Begun at the same partition, they would race for it and for the next: one could win one partition of the first
    /// round and the other the rest, and then rate alone at the end (in `billing bench rate` one worker rated alone for 12 s of a
    /// 20 s run: three partitions against one).
    /// </summary>
    public static IReadOnlyList<int[]> Rounds(int start)
    {
        var first = (int)(unchecked((uint)start) % RoundsPerRun) * PerRound;
        return Enumerable.Range(0, Count).Select(i => (first + i) % Count).Chunk(PerRound).ToList();
    }

    /// <summary>Claims a subscriber partition for this session (until released or disconnected); false if another process has it.</summary>
    public static bool TryClaim(NpgsqlConnection conn, int partition) =>
        conn.ExecuteScalar<bool>("SELECT pg_try_advisory_lock(@space, @partition)", new { space = PartitionLockSpace, partition });

    public static void Release(NpgsqlConnection conn, int partition) =>
        conn.ExecuteScalar<bool>("SELECT pg_advisory_unlock(@space, @partition)", new { space = PartitionLockSpace, partition });

    /// <summary>The database server's clock: when a rating run or a sweep began, on one clock for every process.</summary>
    public static Instant Clock(NpgsqlConnection conn) => conn.ExecuteScalar<Instant>("SELECT clock_timestamp()");

    /// <summary>
    /// Which of <paramref name="partitions"/> (claimed by this session) a sweep has rated since <paramref name="since"/>: its
    /// last completed sweep began then or later, covered ids [<paramref name="from"/>, <paramref name="through"/>] and treated
    /// suspended usage as <paramref name="suspended"/> does. Such a sweep saw every record and every lifted cause of a hold that
    /// a run begun at <paramref name="since"/> would see, so that run has nothing left to do in them.
    /// </summary>
    public static IReadOnlyList<int> SweptSince(NpgsqlConnection conn, IReadOnlyCollection<int> partitions, Instant since, long from, long through, SuspendedUsage suspended)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        return partitions.Count == 0 ? [] : conn.Query<int>("""
            SELECT partition FROM rating_sweeps
            WHERE partition = ANY(@partitions) AND started_at >= @since AND from_id <= @from AND through_id >= @through AND suspended_usage = @mode
            ORDER BY partition
            """, new { partitions = partitions.ToArray(), since, from, through, mode = suspended.ToString() }).AsList();
    }

    /// <summary>Records that a sweep begun at <paramref name="startedAt"/> rated <paramref name="partitions"/> over ids [<paramref name="from"/>, <paramref name="through"/>] to the end.</summary>
    public static void MarkSwept(NpgsqlConnection conn, IReadOnlyCollection<int> partitions, long from, long through, Instant startedAt, SuspendedUsage suspended)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        conn.Execute("""
            INSERT INTO rating_sweeps (partition, from_id, through_id, suspended_usage, started_at, finished_at)
            SELECT p, @from, @through, @mode, @startedAt, clock_timestamp() FROM unnest(@partitions) AS p
            ON CONFLICT (partition) DO UPDATE SET from_id = EXCLUDED.from_id, through_id = EXCLUDED.through_id,
                suspended_usage = EXCLUDED.suspended_usage, started_at = EXCLUDED.started_at, finished_at = EXCLUDED.finished_at
            """, new { partitions = partitions.ToArray(), from, through, mode = suspended.ToString(), startedAt });
    }

    /// <summary>Blocks until this session holds every subscriber partition (a re-rate waits for running rating).</summary>
    public static void LockAll(NpgsqlConnection conn)
    {
        for (var p = 0; p < Count; p++)
        {
            conn.Execute("SELECT pg_advisory_lock(@space, @p)", new { space = PartitionLockSpace, p });
        }
    }

    public static void UnlockAll(NpgsqlConnection conn)
    {
        for (var p = 0; p < Count; p++)
        {
            Release(conn, p);
        }
    }

    /// <summary>
    /// Blocks until this session shares every subscriber partition: rating (which claims a partition
    /// exclusively) and re-rating are held off, but other sharers — bill-run approvals of other batches —
    /// are not, so batches are approved side by side.
    /// </summary>
    public static void ShareAll(NpgsqlConnection conn)
    {
        for (var p = 0; p < Count; p++)
        {
            conn.Execute("SELECT pg_advisory_lock_shared(@space, @p)", new { space = PartitionLockSpace, p });
        }
    }

    public static void UnshareAll(NpgsqlConnection conn)
    {
        for (var p = 0; p < Count; p++)
        {
            conn.Execute("SELECT pg_advisory_unlock_shared(@space, @p)", new { space = PartitionLockSpace, p });
        }
    }
}
