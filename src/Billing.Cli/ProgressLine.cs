using System.Globalization;

namespace Billing.Cli;

/// <summary>
/// A long command's progress on stderr. At a terminal, one line rewritten in place (a bar); anywhere else — a pipe,
/// a log file, a CI job — whole lines, one per tenth of the work and the last, so nothing runs into the next line.
/// </summary>
public sealed class ProgressLine
{
    private const int BarWidth = 20;
    private readonly TextWriter _error;
    private readonly bool _terminal;
    private readonly string _what;
    private readonly string _unit;
    private long _lastTenth;
    private bool _open;

    public ProgressLine(TextWriter error, bool terminal, string what, string unit)
    {
        _error = error;
        _terminal = terminal;
        _what = what;
        _unit = unit;
    }

    /// <summary>Progress for a command: none with --json (stdout is for machines, stderr stays quiet), else on stderr as it is.</summary>
    public static ProgressLine? For(GlobalOptions g, string what, string unit) =>
        g.Json ? null : new ProgressLine(Console.Error, !Console.IsErrorRedirected, what, unit);

    public void Report(long done, long total)
    {
        var counts = $"{done.ToString("N0", CultureInfo.InvariantCulture)} / {total.ToString("N0", CultureInfo.InvariantCulture)} {_unit}";
        if (_terminal)
        {
            var filled = total <= 0 ? BarWidth : (int)Math.Min(BarWidth, done * BarWidth / total);
            _error.Write($"\r{_what}: [{new string('#', filled)}{new string('.', BarWidth - filled)}] {counts}");
            _open = true;
            if (done >= total)
            {
                End();
            }

            return;
        }

        var tenth = total <= 0 ? 10 : Math.Min(10, done * 10 / total);
        if (tenth > _lastTenth || done >= total)
        {
            _lastTenth = tenth;
            _error.WriteLine($"{_what}: {counts}");
        }
    }

    /// <summary>Ends a bar left open (the work stopped short of its total, e.g. partitions another process was rating).</summary>
    public void End()
    {
        if (_open)
        {
            _error.WriteLine();
            _open = false;
        }
    }
}
