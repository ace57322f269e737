using System.Collections.Concurrent;

namespace Billing.Cli.Portal;

/// <summary>
/// Failed sign-ins per key (a user name, or a client address): after <c>maxFailures</c> within
/// <see cref="Window"/> the key is refused until the window since its first failure has passed,
/// whatever the password, so a guesser gets a few tries per quarter hour. Held in memory: one serve
/// process, reset by a restart; keys whose window has passed are forgotten.
/// </summary>
public sealed class SignInThrottle(TimeProvider time, int maxFailures = SignInThrottle.MaxFailures)
{
    /// <summary>Failures per user name.</summary>
    public const int MaxFailures = 5;

    /// <summary>Failures per client address, whichever names it tried: an office behind one address still gets several people's typos.</summary>
    public const int MaxFailuresPerAddress = 20;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(15);

    /// <summary>The longest key kept: a user's name has at most 64 characters (<c>billing users add</c>), an IPv6 address 45.</summary>
    public const int MaxKeyLength = 64;

    private const int MinSweep = 64;

    private readonly ConcurrentDictionary<string, (int Failures, DateTimeOffset Since)> _failures = new(StringComparer.Ordinal);

    private int _sweepAt = MinSweep;

    private DateTimeOffset _sweptAt = DateTimeOffset.MinValue;

    /// <summary>True while the name has used up its attempts.</summary>
    public bool Blocked(string name) =>
        _failures.TryGetValue(name, out var f) && f.Failures >= maxFailures && time.GetUtcNow() - f.Since < Window;

    /// <summary>How many names (or addresses) have failures kept.</summary>
    public int Tracked => _failures.Count;

    public void Failed(string name)
    {
        // No user's name (and no address) is longer: such a name never signs in, and kept it would hold its megabytes.
        if (name.Length > MaxKeyLength)
        {
            return;
        }

        var now = time.GetUtcNow();
        _failures.AddOrUpdate(name, _ => (1, now), (_, f) => now - f.Since >= Window ? (1, now) : (f.Failures + 1, f.Since));
        if (_failures.Count >= _sweepAt || now - _sweptAt >= Window)
        {
            Forget(now);
        }
    }

    /// <summary>
    /// Drops the keys whose window has passed (they block nothing any more), so memory holds the last window's guesses only;
    /// run once a window, and when the keys have doubled since the last sweep: each failure costs constant time on average.
    /// </summary>
    private void Forget(DateTimeOffset now)
    {
        foreach (var (key, f) in _failures)
        {
            if (now - f.Since >= Window)
            {
                _failures.TryRemove(new KeyValuePair<string, (int, DateTimeOffset)>(key, f));
            }
        }

        _sweepAt = Math.Max(MinSweep, _failures.Count * 2);
        _sweptAt = now;
    }

    public void Succeeded(string name) => _failures.TryRemove(name, out _);
}
