using System.Collections.Concurrent;

namespace Billing.Cli.Portal;

/// <summary>
/// Failed sign-ins per key (a user name, or a client address): after <c>maxFailures</c> within
/// <see cref="Window"/> the key is refused until the window since its first failure has passed,
/// whatever the password, so a guesser gets a few tries per quarter hour. Held in memory: one serve
/// process, reset by a restart.
/// </summary>
public sealed class SignInThrottle(TimeProvider time, int maxFailures = SignInThrottle.MaxFailures)
{
    /// <summary>Failures per user name.</summary>
    public const int MaxFailures = 5;

    /// <summary>Failures per client address, whichever names it tried: an office behind one address still gets several people's typos.</summary>
    public const int MaxFailuresPerAddress = 20;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(15);

    private readonly ConcurrentDictionary<string, (int Failures, DateTimeOffset Since)> _failures = new(StringComparer.Ordinal);

    /// <summary>True while the name has used up its attempts.</summary>
    public bool Blocked(string name) =>
        _failures.TryGetValue(name, out var f) && f.Failures >= maxFailures && time.GetUtcNow() - f.Since < Window;

    public void Failed(string name)
    {
        var now = time.GetUtcNow();
        _failures.AddOrUpdate(name, _ => (1, now), (_, f) => now - f.Since >= Window ? (1, now) : (f.Failures + 1, f.Since));
    }

    public void Succeeded(string name) => _failures.TryRemove(name, out _);
}
