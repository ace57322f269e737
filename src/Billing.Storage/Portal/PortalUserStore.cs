using Dapper;
using NodaTime;
using Npgsql;

namespace Billing.Storage.Portal;

/// <summary>A portal user as stored: the password only as its hash.</summary>
public sealed record PortalUser
{
    public string Name { get; init; } = "";
    public string Role { get; init; } = "";
    public string PasswordHash { get; init; } = "";
    public Instant CreatedAt { get; init; }
    public string CreatedBy { get; init; } = "";
    public Instant PasswordSetAt { get; init; }
    public Instant? LastSignInAt { get; init; }
}

/// <summary>The finance portal's users and their roles (<c>portal_users</c>). Hashing is the caller's: this store never sees a password.</summary>
public static class PortalUserStore
{
    /// <summary>The roles a user can have.</summary>
    public static readonly IReadOnlyList<string> Roles = ["finance", "operations"];

    private const string Columns = "name, role, password_hash, created_at, created_by, password_set_at, last_sign_in_at";

    /// <summary>Adds a user; false (and nothing changed) if the name is taken.</summary>
    public static bool Add(NpgsqlConnection conn, string name, string role, string passwordHash, string by) =>
        conn.Execute("""
            INSERT INTO portal_users (name, role, password_hash, created_by) VALUES (@name, @role, @passwordHash, @by)
            ON CONFLICT (name) DO NOTHING
            """, new { name, role, passwordHash, by }) == 1;

    /// <summary>The user of this name (names are matched exactly), or null.</summary>
    public static PortalUser? Find(NpgsqlConnection conn, string name) =>
        conn.QuerySingleOrDefault<PortalUser>($"SELECT {Columns} FROM portal_users WHERE name = @name", new { name });

    public static IReadOnlyList<PortalUser> List(NpgsqlConnection conn) =>
        conn.Query<PortalUser>($"SELECT {Columns} FROM portal_users ORDER BY name").AsList();

    /// <summary>Removes a user; false if there was none. Their open sessions end at their next request.</summary>
    public static bool Remove(NpgsqlConnection conn, string name) =>
        conn.Execute("DELETE FROM portal_users WHERE name = @name", new { name }) == 1;

    /// <summary>Records a sign-in, replacing the hash when the hasher asked for a re-hash (a stronger format).</summary>
    public static void SignedIn(NpgsqlConnection conn, string name, string? rehashed) =>
        conn.Execute("""
            UPDATE portal_users SET last_sign_in_at = now(),
                password_hash = coalesce(@rehashed, password_hash)
            WHERE name = @name
            """, new { name, rehashed });
}
