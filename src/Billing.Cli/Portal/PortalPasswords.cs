using Billing.Storage.Portal;
using Microsoft.AspNetCore.Identity;

namespace Billing.Cli.Portal;

/// <summary>
/// Portal passwords, hashed by ASP.NET Core Identity's <see cref="PasswordHasher{TUser}"/> (PBKDF2,
/// HMAC-SHA512, a random salt per hash, its format versioned). Only the hash is ever stored.
/// </summary>
public static class PortalPasswords
{
    public const int MinimumLength = 10;

    private static readonly PasswordHasher<PortalUser> Hasher = new();

    // Verified against when the name is unknown, so that a wrong name takes as long as a wrong password.
    private static readonly Lazy<string> Decoy = new(() => Hasher.HashPassword(new PortalUser(), Guid.NewGuid().ToString("N")));

    /// <summary>Why a password cannot be used, or null.</summary>
    public static string? Problem(string password) =>
        password.Length < MinimumLength ? $"a password has at least {MinimumLength} characters (this one has {password.Length})"
        : string.IsNullOrWhiteSpace(password) ? "a password is not only spaces"
        : null;

    public static string Hash(string password) => Hasher.HashPassword(new PortalUser(), password);

    /// <summary>Whether the password is the user's; <paramref name="rehashed"/> is a new hash when the stored one's format is outdated.</summary>
    public static bool Verify(PortalUser? user, string password, out string? rehashed)
    {
        rehashed = null;
        var result = Hasher.VerifyHashedPassword(user ?? new PortalUser(), user?.PasswordHash ?? Decoy.Value, password);
        if (user is null || result == PasswordVerificationResult.Failed)
        {
            return false;
        }

        if (result == PasswordVerificationResult.SuccessRehashNeeded)
        {
            rehashed = Hash(password);
        }

        return true;
    }
}
