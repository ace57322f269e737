using System.Globalization;
using Billing.Core.Money;

namespace Billing.Core.Reconciliation;

/// <summary>
/// An issued invoice's figures beside the sums of its lines and taxes, its finest line and tax amount
/// (the one with the most decimals) and the amount due of the account's invoice before it.
/// </summary>
public sealed record InvoiceFigures
{
    public string Number { get; init; } = "";

    public string AccountId { get; init; } = "";

    public string Currency { get; init; } = "";

    public decimal Subtotal { get; init; }

    public decimal Tax { get; init; }

    public decimal Total { get; init; }

    public decimal PreviousBalance { get; init; }

    public decimal PaymentsAndCredits { get; init; }

    public decimal AmountDue { get; init; }

    public long Lines { get; init; }

    public decimal LinesSum { get; init; }

    public decimal TaxesSum { get; init; }

    public int? FinestLineNo { get; init; }

    public decimal? FinestLineAmount { get; init; }

    public string? FinestTaxCategory { get; init; }

    public decimal? FinestTaxAmount { get; init; }

    /// <summary>The amount due of the account's issued invoice of the cycle before (0 for its first invoice).</summary>
    public decimal LastAmountDue { get; init; }
}

/// <summary>What the checked invoices add up to, per currency.</summary>
public sealed record SumsSummary(long Invoices, long Lines, IReadOnlyDictionary<string, decimal> Total, IReadOnlyDictionary<string, decimal> AmountDue);

/// <summary>
/// The sums link: lines = subtotal, Σ category taxes = tax, subtotal + tax = total, every line and tax
/// amount at the currency's minor unit, the previous balance = the last invoice's amount due, and
/// amount due = previous balance − payments and credits + total.
/// </summary>
public static class InvoiceSumsCheck
{
    public static IEnumerable<ChainDifference> Check(InvoiceFigures invoice)
    {
        ArgumentNullException.ThrowIfNull(invoice);
        var inv = CultureInfo.InvariantCulture;
        var currency = Money.Currency.Of(invoice.Currency.Trim());
        string A(decimal amount) => amount.ToString(inv);
        ChainDifference D(string code, string detail) => new(ChainLink.InvoiceSums, code, $"{invoice.Number} of {invoice.AccountId}", detail);

        if (invoice.LinesSum != invoice.Subtotal)
        {
            yield return D(DifferenceCodes.LinesNotSubtotal, $"{invoice.Lines} lines sum to {A(invoice.LinesSum)}, the subtotal is {A(invoice.Subtotal)} {currency.Code}");
        }

        if (invoice.TaxesSum != invoice.Tax)
        {
            yield return D(DifferenceCodes.TaxesNotTax, $"category taxes sum to {A(invoice.TaxesSum)}, the tax is {A(invoice.Tax)} {currency.Code}");
        }

        if (invoice.Subtotal + invoice.Tax != invoice.Total)
        {
            yield return D(DifferenceCodes.TotalNotSubtotalPlusTax, $"subtotal {A(invoice.Subtotal)} + tax {A(invoice.Tax)} = {A(invoice.Subtotal + invoice.Tax)}, the total is {A(invoice.Total)} {currency.Code}");
        }

        if (invoice.PreviousBalance != invoice.LastAmountDue)
        {
            yield return D(DifferenceCodes.PreviousBalanceNotLastDue, $"previous balance {A(invoice.PreviousBalance)}, the invoice before it left {A(invoice.LastAmountDue)} {currency.Code} due");
        }

        var due = invoice.PreviousBalance - invoice.PaymentsAndCredits + invoice.Total;
        if (invoice.AmountDue != due)
        {
            yield return D(DifferenceCodes.AmountDueNotBalance,
                $"previous {A(invoice.PreviousBalance)} − payments and credits {A(invoice.PaymentsAndCredits)} + total {A(invoice.Total)} = {A(due)}, the amount due is {A(invoice.AmountDue)} {currency.Code}");
        }

        if (invoice.FinestLineAmount is { } line && Rounding.ToMinorUnit(line, currency) != line)
        {
            yield return D(DifferenceCodes.FinerThanMinorUnit, $"line {invoice.FinestLineNo} amount {A(line)} has more decimals than {currency.Code} allows ({currency.MinorUnit})");
        }

        if (invoice.FinestTaxAmount is { } tax && Rounding.ToMinorUnit(tax, currency) != tax)
        {
            yield return D(DifferenceCodes.FinerThanMinorUnit, $"{invoice.FinestTaxCategory} tax {A(tax)} has more decimals than {currency.Code} allows ({currency.MinorUnit})");
        }
    }

    public static SumsSummary Record(IEnumerable<InvoiceFigures> invoices, DifferenceLog log)
    {
        ArgumentNullException.ThrowIfNull(invoices);
        ArgumentNullException.ThrowIfNull(log);
        long n = 0, lines = 0;
        var total = new SortedDictionary<string, decimal>(StringComparer.Ordinal);
        var due = new SortedDictionary<string, decimal>(StringComparer.Ordinal);
        foreach (var i in invoices)
        {
            foreach (var d in Check(i))
            {
                log.Add(d);
            }

            n++;
            lines += i.Lines;
            var code = i.Currency.Trim();
            total[code] = total.GetValueOrDefault(code) + i.Total;
            due[code] = due.GetValueOrDefault(code) + i.AmountDue;
        }

        return new SumsSummary(n, lines, total, due);
    }
}
