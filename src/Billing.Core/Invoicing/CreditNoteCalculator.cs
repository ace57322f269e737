using Billing.Core.Money;

namespace Billing.Core.Invoicing;

/// <summary>A line of an issued invoice, as a credit note sees it.</summary>
public sealed record IssuedInvoiceLine(int Number, string Description, string TaxCategory, decimal Amount);

/// <summary>
/// The tax of one category on an issued invoice, at the rate in force on its issue date, and what earlier credit
/// notes gave back of that category (<paramref name="CreditedNet"/>, <paramref name="CreditedTax"/>, as positive amounts).
/// </summary>
public sealed record IssuedInvoiceTax(string Category, decimal Rate, decimal Base, decimal Amount, decimal CreditedNet = 0m, decimal CreditedTax = 0m)
{
    /// <summary>The category's gross not credited yet.</summary>
    public decimal UncreditedGross => Base + Amount - CreditedNet - CreditedTax;
}

/// <summary>
/// An issued invoice and what earlier credit notes already took from it (<paramref name="Credited"/>,
/// the sum of their totals as a positive amount; <paramref name="CreditedLines"/>, the numbers of the lines credited in full).
/// </summary>
public sealed record IssuedInvoice(string Number, Currency Currency, decimal Total, IReadOnlyList<IssuedInvoiceLine> Lines, IReadOnlyList<IssuedInvoiceTax> Taxes, decimal Credited = 0m,
    IReadOnlyCollection<int>? CreditedLines = null)
{
    public IReadOnlyCollection<int> CreditedLines { get; } = CreditedLines ?? [];

    public string Number { get; } = Require.Text(Number, nameof(Number));

    public decimal Credited { get; } = Require.NotNegative(Credited, nameof(Credited));

    /// <summary>What can still be credited.</summary>
    public decimal Uncredited => Total - Credited;
}

/// <summary>One tax category of a credit note: net and tax, both negative; <paramref name="InvoiceLine"/> the invoice's line it credits in full, if any.</summary>
public sealed record CreditNoteLine(string Description, string TaxCategory, decimal Rate, Money.Money Net, Money.Money Tax, int? InvoiceLine = null);

/// <summary>A credit note to issue against <see cref="InvoiceNumber"/>; its total is negative.</summary>
public sealed record CreditNoteDraft(string InvoiceNumber, IReadOnlyList<CreditNoteLine> Lines, Money.Money Subtotal, Money.Money Tax, Money.Money Total);

public enum CreditNoteRefusalCode
{
    /// <summary>The amount credited would be zero or negative.</summary>
    NotPositive,

    /// <summary>More than the invoice still has uncredited.</summary>
    BeyondUncredited,

    /// <summary>The invoice has no such line.</summary>
    UnknownLine,

    /// <summary>The amount has more decimals than the currency's minor unit.</summary>
    FinerThanMinorUnit,

    /// <summary>The line was credited in full by an earlier credit note.</summary>
    AlreadyCredited,
}

public sealed record CreditNoteRefusal(CreditNoteRefusalCode Code, string Reason);

/// <summary>Either a credit note to issue or the reason it is refused.</summary>
public sealed record CreditNoteDecision(CreditNoteDraft? Note, CreditNoteRefusal? Refusal);

/// <summary>
/// Credit notes against an issued invoice (the invoice itself is never changed). Tax is at the
/// invoice's own rates — those in force on its issue date — so tax comes back at the rate it was
/// charged.
/// <list type="bullet">
/// <item>By line: the line in full — at most what its category has not had credited (a discount line of the category
/// took part of it); net = −amount, tax = −(round((the category's net credited before + amount) ×
/// its rate) − the category's tax credited before): round(amount × rate) on a first credit, and crediting every
/// line one by one gives back exactly the tax the invoice charged on the category.</item>
/// <item>By amount: X is the gross credited, tax included. It is split over the invoice's tax
/// categories in proportion to the gross earlier credit notes left of them (base + tax − credited;
/// categories with none left take no part),
/// the remainder on the largest; per category net = round(gross / (1 + rate)), tax = gross − net,
/// so the note's total is exactly −X.</item>
/// </list>
/// Refused: a credit ≤ 0, finer than the minor unit, beyond what the invoice still has uncredited, or of a line
/// credited in full already.
/// </summary>
public static class CreditNoteCalculator
{
    public static CreditNoteDecision ForLine(IssuedInvoice invoice, int lineNumber)
    {
        ArgumentNullException.ThrowIfNull(invoice);
        var line = invoice.Lines.FirstOrDefault(l => l.Number == lineNumber);
        if (line is null)
        {
            return Refuse(CreditNoteRefusalCode.UnknownLine, $"invoice {invoice.Number} has no line {lineNumber}");
        }

        if (invoice.CreditedLines.Contains(lineNumber))
        {
            return Refuse(CreditNoteRefusalCode.AlreadyCredited, $"line {lineNumber} of invoice {invoice.Number} is credited already");
        }

        var category = CategoryOf(invoice, line.TaxCategory);
        var rate = category.Rate;
        // Never more than the category has left: a discount line of the category took part of its lines' amount, and giving a line
        // back in full would return more net and tax than the invoice charged on the category.
        var net = Math.Min(line.Amount, category.Base - category.CreditedNet);
        // The category's tax on all of it credited so far, less the tax given back already: line by line, the credits add up
        // to the category's tax exactly, as the invoice rounded it once on the category's subtotal.
        var tax = Math.Min(Rounding.ToMinorUnit((category.CreditedNet + net) * rate, invoice.Currency) - category.CreditedTax, category.Amount - category.CreditedTax);
        return Decide(invoice, net + tax, () => [new CreditNoteLine($"Credit of line {line.Number}: {line.Description}", line.TaxCategory, rate, Negative(net, invoice), Negative(tax, invoice), line.Number)]);
    }

    public static CreditNoteDecision ForAmount(IssuedInvoice invoice, decimal gross)
    {
        ArgumentNullException.ThrowIfNull(invoice);
        if (Rounding.ToMinorUnit(gross, invoice.Currency) != gross)
        {
            return Refuse(CreditNoteRefusalCode.FinerThanMinorUnit, $"{gross} has more decimals than {invoice.Currency.Code} allows");
        }

        return Decide(invoice, gross, () =>
        {
            var categories = invoice.Taxes
                .Select(t => (Tax: t, Gross: t.UncreditedGross))
                .Where(c => c.Gross > 0m)
                .OrderBy(c => c.Tax.Category, StringComparer.Ordinal)
                .ToList();
            var parts = ProportionalSplit.Split(gross, [.. categories.Select(c => c.Gross)], invoice.Currency);
            return categories.Select((c, i) =>
            {
                var net = Rounding.ToMinorUnit(parts[i] / (1m + c.Tax.Rate), invoice.Currency);
                return new CreditNoteLine($"Credit on invoice {invoice.Number}", c.Tax.Category, c.Tax.Rate, Negative(net, invoice), Negative(parts[i] - net, invoice));
            }).ToList();
        });
    }

    private static CreditNoteDecision Decide(IssuedInvoice invoice, decimal credited, Func<IReadOnlyList<CreditNoteLine>> lines)
    {
        if (credited <= 0m)
        {
            return Refuse(CreditNoteRefusalCode.NotPositive, $"a credit note credits an amount > 0, not {credited}");
        }

        if (credited > invoice.Uncredited)
        {
            return Refuse(CreditNoteRefusalCode.BeyondUncredited, $"invoice {invoice.Number} has {invoice.Uncredited} {invoice.Currency.Code} left to credit, not {credited}");
        }

        var noteLines = lines();
        var zero = Money.Money.Zero(invoice.Currency);
        var subtotal = noteLines.Aggregate(zero, (sum, l) => sum + l.Net);
        var tax = noteLines.Aggregate(zero, (sum, l) => sum + l.Tax);
        return new CreditNoteDecision(new CreditNoteDraft(invoice.Number, noteLines, subtotal, tax, subtotal + tax), null);
    }

    private static IssuedInvoiceTax CategoryOf(IssuedInvoice invoice, string category) =>
        invoice.Taxes.FirstOrDefault(t => t.Category == category)
        ?? throw new InvalidOperationException($"invoice {invoice.Number} has no tax for category {category}");

    private static Money.Money Negative(decimal amount, IssuedInvoice invoice) => new(-amount, invoice.Currency);

    private static CreditNoteDecision Refuse(CreditNoteRefusalCode code, string reason) => new(null, new CreditNoteRefusal(code, reason));
}
