using System.Globalization;
using System.Text;

namespace Billing.Cli;

/// <summary>A plain aligned text table for terminal summaries; numbers right-aligned.</summary>
public sealed class TextTable(params string[] headers)
{
    private readonly List<string[]> _rows = [];

    public TextTable Add(params object?[] cells)
    {
        _rows.Add([.. cells.Select(Format)]);
        return this;
    }

    public override string ToString()
    {
        var widths = headers.Select((h, i) => Math.Max(h.Length, _rows.Count == 0 ? 0 : _rows.Max(r => r[i].Length))).ToArray();
        var numeric = headers.Select((_, i) => _rows.Count > 0 && _rows.All(r => r[i].Length == 0 || r[i].All(c => char.IsDigit(c) || c is ',' or '.' or '-' or '%' or '/' or ' '))).ToArray();
        var sb = new StringBuilder();
        Line(sb, headers, widths, numeric);
        sb.AppendLine(string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (var r in _rows)
        {
            Line(sb, r, widths, numeric);
        }

        return sb.ToString();
    }

    private static void Line(StringBuilder sb, string[] cells, int[] widths, bool[] numeric)
    {
        for (var i = 0; i < cells.Length; i++)
        {
            var cell = numeric[i] ? cells[i].PadLeft(widths[i]) : cells[i].PadRight(widths[i]);
            sb.Append(i == 0 ? "" : "  ").Append(cell);
        }

        sb.Length = sb.ToString().TrimEnd().Length;
        sb.Append('\n');
    }

    private static string Format(object? value) => value switch
    {
        null => "",
        long l => l.ToString("N0", CultureInfo.InvariantCulture),
        int i => i.ToString("N0", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
