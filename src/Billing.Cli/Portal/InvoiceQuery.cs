using System.Globalization;
using Billing.Storage.Invoicing;
using NodaTime;
using NodaTime.Text;

namespace Billing.Cli.Portal;

/// <summary>
/// The invoice list's query string read into a search (a value that does not parse is dropped and
/// said so, never guessed at) and written back into the links of the pager.
/// </summary>
public sealed record InvoiceQuery(InvoiceSearch Search, int Page, string SortKey, string? Problem)
{
    public const int PageSize = 25;

    /// <summary>The orders offered: the query string's key, its label and the store's order.</summary>
    public static readonly IReadOnlyList<(string Key, string Label, InvoiceSort Sort)> Sorts =
    [
        ("date-desc", "newest first", InvoiceSort.DateDescending),
        ("date-asc", "oldest first", InvoiceSort.DateAscending),
        ("amount-desc", "largest total first", InvoiceSort.AmountDescending),
        ("amount-asc", "smallest total first", InvoiceSort.AmountAscending),
    ];

    /// <summary>The longest text searched by: longer is ignored, and said so.</summary>
    public const int MaxText = 200;

    private static readonly Dictionary<string, string> Labels = new(StringComparer.Ordinal)
    {
        ["number"] = "Number", ["account"] = "Account", ["name"] = "Customer name", ["period"] = "Period", ["status"] = "Status", ["run"] = "Bill run", ["sort"] = "Sort", ["page"] = "Page",
    };

    private static readonly YearMonthPattern Month = YearMonthPattern.CreateWithInvariantCulture("uuuu-MM");

    public string PeriodText => Search.Period is { } p ? Month.Format(p) : "";

    public static InvoiceQuery From(IQueryCollection q)
    {
        ArgumentNullException.ThrowIfNull(q);
        var problems = new List<string>();
        string? Text(string key)
        {
            var t = q[key].ToString().Trim();
            if (t.Length > MaxText)
            {
                problems.Add($"{Labels.GetValueOrDefault(key, key)} '{t[..10]}…' is longer than {MaxText} characters: ignored.");
                return null;
            }

            return t.Length > 0 ? t : null;
        }

        YearMonth? period = null;
        if (Text("period") is { } periodText)
        {
            var parsed = Month.Parse(periodText);
            if (parsed.Success)
            {
                period = parsed.Value;
            }
            else
            {
                problems.Add($"Period '{periodText}' is not a month (yyyy-MM): ignored.");
            }
        }

        var status = Text("status");
        if (status is not null && !InvoiceSearch.Statuses.Contains(status))
        {
            problems.Add($"Status '{status}' is not one of {string.Join(", ", InvoiceSearch.Statuses)}: ignored.");
            status = null;
        }

        long? run = null;
        if (Text("run") is { } runText)
        {
            if (long.TryParse(runText, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            {
                run = id;
            }
            else
            {
                problems.Add($"Bill run '{runText}' is not a run number: ignored.");
            }
        }

        var sortKey = Text("sort");
        var sort = Sorts.FirstOrDefault(s => s.Key == sortKey);
        if (sort.Key is null)
        {
            sort = Sorts[0];
        }

        // Pages past what an int offset holds are not pages anyone reads: the last possible one instead.
        var page = int.TryParse(Text("page"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1 ? Math.Min(n, int.MaxValue / PageSize) : 1;
        var search = new InvoiceSearch(Text("number"), Text("account"), Text("name"), period, status, run, sort.Sort, (page - 1) * PageSize, PageSize);
        return new InvoiceQuery(search, page, sort.Key, problems.Count == 0 ? null : string.Join(" ", problems));
    }

    /// <summary>This search's URL at another page.</summary>
    public string Url(int page)
    {
        var s = Search;
        var pairs = new List<KeyValuePair<string, string?>>
        {
            new("number", s.Number), new("account", s.Account), new("name", s.Name), new("period", Search.Period is null ? null : PeriodText),
            new("status", s.Status), new("run", s.RunId?.ToString(CultureInfo.InvariantCulture)), new("sort", SortKey), new("page", page.ToString(CultureInfo.InvariantCulture)),
        };
        return "/portal/invoices" + Microsoft.AspNetCore.Http.QueryString.Create(pairs.Where(p => p.Value is not null));
    }
}
