using System.Runtime.CompilerServices;
using Billing.Core.Money;

namespace Billing.Core.Invoicing;

/// <summary>A computed invoice broke one of its invariants: a bug in the calculator, never a data problem.</summary>
public sealed class InvoiceInvariantException(string message) : InvalidOperationException(message);

/// <summary>
/// What every draft must hold before anyone stores it: one currency; every line amount at most the
/// minor unit's decimals; lines numbered 1..n; Σ lines = subtotal; Σ category taxes = tax;
/// subtotal + tax = total; each invoiced usage, late-usage and overdraft summary on exactly one line
/// with its charge count; amount due = previous balance − payments and credits + total; due date =
/// issue date + payment terms.
/// </summary>
internal static class InvoiceInvariants
{
    public static void Check(InvoiceRequest request, InvoiceDraft draft)
    {
        var currency = request.Account.Currency;
        Money.Money[] totals = [draft.Subtotal, draft.Tax, draft.Total, draft.PreviousBalance, draft.PaymentsAndCredits, draft.AmountDue];
        var amounts = draft.Lines.Select(l => l.Amount).Concat(draft.Taxes.SelectMany(t => new[] { t.Base, t.Amount })).Concat(totals);
        Hold(draft.Currency == currency && amounts.All(a => a.Currency == currency), $"an amount is not in {currency.Code}");

        var finer = draft.Lines.FirstOrDefault(l => Rounding.ToMinorUnit(l.Amount.Amount, currency) != l.Amount.Amount);
        Hold(finer is null, $"line {finer?.Number} amount {finer?.Amount.ToInvariantString()} {currency.Code} has more decimals than {currency.Code} allows");
        Hold(draft.Lines.Select(l => l.Number).SequenceEqual(Enumerable.Range(1, draft.Lines.Count)), "lines are not numbered 1..n");

        Hold(draft.Lines.Sum(l => l.Amount.Amount) == draft.Subtotal.Amount, $"lines sum to {draft.Lines.Sum(l => l.Amount.Amount)}, not the subtotal {draft.Subtotal}");
        Hold(draft.Taxes.Sum(t => t.Amount.Amount) == draft.Tax.Amount, $"category taxes sum to {draft.Taxes.Sum(t => t.Amount.Amount)}, not the tax {draft.Tax}");
        Hold(draft.Subtotal.Amount + draft.Tax.Amount == draft.Total.Amount, $"subtotal {draft.Subtotal} + tax {draft.Tax} is not the total {draft.Total}");

        var usage = request.IsPrepaid ? [] : request.Usage;
        var late = request.IsPrepaid ? [] : request.LateUsage.Select(l => l.Usage).ToList();
        Carried(draft, InvoiceLineKind.Usage, usage.Count, usage.Sum(u => u.ChargeCount));
        Carried(draft, InvoiceLineKind.LateUsage, late.Count, late.Sum(u => u.ChargeCount));
        Carried(draft, InvoiceLineKind.Overdraft, request.Overdraft.Count, request.Overdraft.Sum(o => o.ChargeCount));

        Hold(draft.AmountDue.Amount == draft.PreviousBalance.Amount - draft.PaymentsAndCredits.Amount + draft.Total.Amount, $"amount due {draft.AmountDue} does not follow from the balance");
        Hold(draft.PreviousBalance.Amount == request.Balance.PreviousBalance && draft.PaymentsAndCredits.Amount == request.Balance.PaymentsAndCredits, "the balance is not the one given");
        Hold(draft.DueDate == request.IssueDate.PlusDays(request.Account.PaymentTermsDays), $"due date {draft.DueDate:uuuu-MM-dd} is not the issue date plus the payment terms");
    }

    private static void Carried(InvoiceDraft draft, InvoiceLineKind kind, int summaries, long charges)
    {
        var lines = draft.Lines.Where(l => l.Kind == kind).ToList();
        Hold(lines.Count == summaries, $"{summaries} {kind.Code()} summaries became {lines.Count} lines");
        Hold(lines.Sum(l => l.ChargeCount) == charges, $"{kind.Code()} lines carry {lines.Sum(l => l.ChargeCount)} charges, not {charges}");
    }

    private static void Hold(bool holds, string breach)
    {
        if (!holds)
        {
            throw new InvoiceInvariantException($"invoice invariant broken: {breach}");
        }
    }

    // The breach is formatted only when the invariant does not hold: formatting every message of every
    // draft (amounts, currencies, counts) cost a good part of the calculation of a bill run.
    private static void Hold(bool holds, [InterpolatedStringHandlerArgument(nameof(holds))] ref BreachText breach)
    {
        if (!holds)
        {
            throw new InvoiceInvariantException($"invoice invariant broken: {breach.ToStringAndClear()}");
        }
    }

    /// <summary>A breach message, formatted only when its invariant does not hold (as Debug.Assert's messages).</summary>
    [InterpolatedStringHandler]
    private ref struct BreachText
    {
        private DefaultInterpolatedStringHandler _text;

        public BreachText(int literalLength, int formattedCount, bool holds, out bool format)
        {
            format = !holds;
            _text = format ? new DefaultInterpolatedStringHandler(literalLength, formattedCount) : default;
        }

        public void AppendLiteral(string value) => _text.AppendLiteral(value);

        public void AppendFormatted<T>(T value) => _text.AppendFormatted(value);

        public void AppendFormatted<T>(T value, string? format) => _text.AppendFormatted(value, format);

        public string ToStringAndClear() => _text.ToStringAndClear();
    }
}
