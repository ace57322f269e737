using Dapper;
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

    private const int PartitionLockSpace = 1381253457;

    /// <summary>Claims a subscriber partition for this session (until released or disconnected); false if another process has it.</summary>
    public static bool TryClaim(NpgsqlConnection conn, int partition) =>
        conn.ExecuteScalar<bool>("SELECT pg_try_advisory_lock(@space, @partition)", new { space = PartitionLockSpace, partition });

    public static void Release(NpgsqlConnection conn, int partition) =>
        conn.ExecuteScalar<bool>("SELECT pg_advisory_unlock(@space, @partition)", new { space = PartitionLockSpace, partition });

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
