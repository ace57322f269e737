using Dapper;
using NodaTime;
using Npgsql;

namespace Billing.Storage.Invoicing;

/// <summary>How a search orders its invoices: by issue date or by total, newest or largest first unless ascending.</summary>
public enum InvoiceSort
{
    DateDescending,
    DateAscending,
    AmountDescending,
    AmountAscending,
}

/// <summary>
/// What finance searches invoices by (null = any): the number's start, the account id, part of
/// the customer's name (any case), the month the period ends in (its last day's month), a status
/// (<c>draft</c>, <c>issued</c>, <c>unpaid</c> = issued with something outstanding, <c>paid</c>), a bill run.
/// </summary>
public sealed record InvoiceSearch(
    string? Number = null,
    string? Account = null,
    string? Name = null,
    YearMonth? Period = null,
    string? Status = null,
    long? RunId = null,
    InvoiceSort Sort = InvoiceSort.DateDescending,
    int Offset = 0,
    int Limit = 50)
{
    public static readonly IReadOnlyList<string> Statuses = ["draft", "issued", "unpaid", "paid"];
}

/// <summary>One page of a search, and how many invoices match in all.</summary>
public sealed record InvoicePage(IReadOnlyList<StoredInvoice> Invoices, long Matching);

public static partial class InvoiceStore
{
    /// <summary>What payments, credit notes and credit invoices have settled of the invoice <c>i</c>.</summary>
    internal const string Allocated = "coalesce((SELECT sum(x.amount) FROM allocations x WHERE x.invoice_id = i.id), 0)";

    /// <summary>What the issued invoice <c>i</c> still owes: its total less what is settled, never below zero (an invoice of a negative total is credit and owes nothing).</summary>
    internal const string Outstanding = $"greatest(i.total - {Allocated}, 0)";

    private const string Matches = $"""
         WHERE (@number::text IS NULL OR i.number LIKE @number ESCAPE '\')
           AND (@account::text IS NULL OR i.account_id = @account)
           AND (@name::text IS NULL OR a.name ILIKE @name ESCAPE '\')
           AND (@periodFrom::date IS NULL OR (i.cycle_end > @periodFrom AND i.cycle_end <= @periodTo))
           AND (@runId::bigint IS NULL OR i.run_id = @runId)
           AND CASE @status::text
                 WHEN 'draft' THEN i.status = 'draft'
                 WHEN 'issued' THEN i.status = 'issued'
                 WHEN 'unpaid' THEN i.status = 'issued' AND i.total > {Allocated}
                 WHEN 'paid' THEN i.status = 'issued' AND i.total <= {Allocated}
                 ELSE true END
        """;

    /// <summary>A page of the invoices matching <paramref name="search"/> (without their lines), and the count of all that match.</summary>
    public static InvoicePage Search(NpgsqlConnection conn, InvoiceSearch search)
    {
        ArgumentNullException.ThrowIfNull(search);
        if (search.Status is not null && !InvoiceSearch.Statuses.Contains(search.Status))
        {
            throw new ArgumentException($"status '{search.Status}' is not one of {string.Join(", ", InvoiceSearch.Statuses)}", nameof(search));
        }

        var order = search.Sort switch
        {
            InvoiceSort.DateAscending => "i.issue_date, i.number NULLS LAST, i.id",
            InvoiceSort.AmountDescending => "i.total DESC, i.issue_date DESC, i.id DESC",
            InvoiceSort.AmountAscending => "i.total, i.issue_date, i.id",
            _ => "i.issue_date DESC, i.number DESC NULLS LAST, i.id DESC",
        };
        var args = new
        {
            number = Starting(search.Number),
            account = search.Account is { Length: > 0 } a ? a : null,
            name = search.Name is { Length: > 0 } n ? "%" + EscapeLike(n) + "%" : null,
            periodFrom = search.Period?.OnDayOfMonth(1),
            periodTo = search.Period?.OnDayOfMonth(1).PlusMonths(1),
            runId = search.RunId,
            status = search.Status,
            limit = search.Limit,
            offset = search.Offset,
        };
        const string From = " FROM invoices i JOIN accounts a ON a.id = i.account_id";
        var matching = conn.ExecuteScalar<long>("SELECT count(*)" + From + Matches, args);
        var page = conn.Query<StoredInvoice>(Head + Matches + $" ORDER BY {order} LIMIT @limit OFFSET @offset", args).AsList();
        return new InvoicePage(page, matching);
    }

    private static string? Starting(string? text) => text is { Length: > 0 } t ? EscapeLike(t) + "%" : null;

    /// <summary>Text matched literally by LIKE: its wildcards and the escape character escaped.</summary>
    private static string EscapeLike(string text) => text.Replace(@"\", @"\\", StringComparison.Ordinal).Replace("%", @"\%", StringComparison.Ordinal).Replace("_", @"\_", StringComparison.Ordinal);
}
