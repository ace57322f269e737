using Billing.Core.Catalog;
using Billing.Core.Invoicing;
using Billing.Core.Money;
using Billing.Core.Usage;
using static Billing.Core.Tests.Invoicing.Bill;

namespace Billing.Core.Tests.Invoicing;

/// <summary>Each invariant, fed a draft that breaks it: the check must throw and say which.</summary>
public sealed class InvoiceInvariantTests
{
    private static readonly InvoiceRequest Request = Bill.Request(Closing("2026-12-01"),
        subscriptions: [On("P1", "2026-10-01")],
        fees: Plans(("P1", Fee(30.00m, FeeBilling.Arrears))),
        usage: [Summary(10.00m, charges: 4), Summary(2.50m, charges: 2, service: ServiceType.Sms)],
        lateUsage: [new LateUsageSummary(Summary(1.00m, charges: 3), Closing("2026-11-01"))],
        overdraft: [new OverdraftSummary("447700900001", 1.50m, 5, D("2026-11-02"), D("2026-11-03"), "standard")],
        balance: new BalanceInputs(20.00m, 5.00m));

    private static readonly InvoiceDraft Good = InvoiceCalculator.Calculate(Request);

    private static void Breaks(InvoiceDraft broken, string breach, InvoiceRequest? request = null)
    {
        var ex = Assert.Throws<InvoiceInvariantException>(() => InvoiceInvariants.Check(request ?? Request, broken));
        Assert.Contains(breach, ex.Message, StringComparison.Ordinal);
    }

    private static InvoiceDraft WithLine(int index, Func<InvoiceLine, InvoiceLine> change) =>
        Good with { Lines = [.. Good.Lines.Select((l, i) => i == index ? change(l) : l)] };

    [Fact]
    public void The_good_draft_holds_every_invariant()
    {
        InvoiceInvariants.Check(Request, Good);

        Assert.Equal((45.00m, 9.00m, 54.00m, 69.00m), (Good.Subtotal.Amount, Good.Tax.Amount, Good.Total.Amount, Good.AmountDue.Amount));
    }

    [Fact]
    public void A_line_finer_than_the_minor_unit_breaks_it()
    {
        var broken = WithLine(0, l => l with { Amount = Euros(30.001m) }) with { Subtotal = Euros(45.001m), Total = Euros(54.001m), AmountDue = Euros(69.001m) };

        Breaks(broken, "line 1 amount 30.001 EUR has more decimals than EUR allows");
    }

    [Fact]
    public void Lines_that_do_not_sum_to_the_subtotal_break_it()
    {
        Breaks(WithLine(1, l => l with { Amount = Euros(10.01m) }), "lines sum to 45.01, not the subtotal 45.00 EUR");
    }

    [Fact]
    public void Category_taxes_that_do_not_sum_to_the_tax_break_it()
    {
        Breaks(Good with { Taxes = [Good.Taxes[0] with { Amount = Euros(9.01m) }] }, "category taxes sum to 9.01, not the tax 9.00 EUR");
    }

    [Fact]
    public void A_total_that_is_not_subtotal_plus_tax_breaks_it()
    {
        Breaks(Good with { Total = Euros(54.01m), AmountDue = Euros(69.01m) }, "subtotal 45.00 EUR + tax 9.00 EUR is not the total 54.01 EUR");
    }

    [Fact]
    public void An_amount_in_another_currency_breaks_it()
    {
        Breaks(WithLine(0, l => l with { Amount = new Billing.Core.Money.Money(30.00m, Currency.Of("GBP")) }), "an amount is not in EUR");
        Breaks(Good with { Currency = Currency.Of("GBP") }, "an amount is not in EUR");
        Breaks(Good with { AmountDue = new Billing.Core.Money.Money(69.00m, Currency.Of("GBP")) }, "an amount is not in EUR");
        Breaks(Good with { Taxes = [Good.Taxes[0] with { Amount = new Billing.Core.Money.Money(9.00m, Currency.Of("GBP")) }] }, "an amount is not in EUR");
    }

    [Fact]
    public void A_usage_summary_left_off_the_invoice_breaks_it()
    {
        var usage = Good.Lines.First(l => l.Kind == InvoiceLineKind.Usage);
        var lines = Good.Lines.Where(l => l != usage).Select((l, i) => l with { Number = i + 1 }).ToList();
        var less = usage.Amount.Amount;
        var broken = Good with
        {
            Lines = lines,
            Subtotal = Euros(45.00m - less),
            Total = Euros(54.00m - less),
            AmountDue = Euros(69.00m - less),
        };

        Breaks(broken, "2 usage summaries became 1 lines");
    }

    [Theory]
    [InlineData(InvoiceLineKind.Usage, "usage lines carry 7 charges, not 6")]
    [InlineData(InvoiceLineKind.LateUsage, "late-usage lines carry 4 charges, not 3")]
    [InlineData(InvoiceLineKind.Overdraft, "overdraft lines carry 6 charges, not 5")]
    public void A_line_that_lost_or_gained_charges_breaks_it(InvoiceLineKind kind, string breach)
    {
        var index = Good.Lines.ToList().FindIndex(l => l.Kind == kind);

        Breaks(WithLine(index, l => l with { ChargeCount = l.ChargeCount + 1 }), breach);
    }

    [Fact]
    public void A_late_usage_summary_billed_twice_breaks_it()
    {
        var late = Good.Lines.First(l => l.Kind == InvoiceLineKind.LateUsage);
        var broken = Good with { Lines = [.. Good.Lines, late with { Number = Good.Lines.Count + 1, ChargeCount = 0, Amount = Euros(0m) }] };

        Breaks(broken, "1 late-usage summaries became 2 lines");
    }

    [Fact]
    public void An_amount_due_that_does_not_follow_from_the_balance_breaks_it()
    {
        Breaks(Good with { AmountDue = Euros(54.00m) }, "amount due 54.00 EUR does not follow from the balance");
        Breaks(Good with { PreviousBalance = Euros(0m), AmountDue = Euros(49.00m) }, "the balance is not the one given");
        Breaks(Good with { PaymentsAndCredits = Euros(0m), AmountDue = Euros(74.00m) }, "the balance is not the one given");
    }

    [Fact]
    public void A_due_date_that_is_not_the_issue_date_plus_the_terms_breaks_it()
    {
        Breaks(Good with { DueDate = Good.DueDate.PlusDays(1) }, "due date 2026-12-16 is not the issue date plus the payment terms");
    }

    [Fact]
    public void Lines_not_numbered_one_to_n_break_it()
    {
        Breaks(WithLine(0, l => l with { Number = 7 }), "lines are not numbered 1..n");
    }

    [Fact]
    public void A_prepaid_draft_with_a_usage_line_breaks_it()
    {
        var prepaid = Bill.Request(Closing("2026-12-01"), PrepaidTerms(), usage: [Summary(1.00m)]);
        var draft = InvoiceCalculator.Calculate(prepaid);
        var usage = InvoiceCalculator.Calculate(Bill.Request(Closing("2026-12-01"), usage: [Summary(1.00m)]));

        Assert.Empty(draft.Lines);
        Breaks(usage with { Warnings = [] }, "0 usage summaries became 1 lines", prepaid);
    }
}
