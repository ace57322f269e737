using Billing.Core.Catalog;
using Billing.Core.Invoicing;
using Billing.Core.Money;
using Billing.Core.Usage;
using static Billing.Core.Tests.Invoicing.Bill;

namespace Billing.Core.Tests.Invoicing;

/// <summary>
/// The fingerprint a draft is stored with and compared by at approval: it must change with anything
/// the draft charges, not with its balance, and stay the same text from one version to the next — a
/// draft stored by the previous version and approved by this one must not look changed.
/// </summary>
public sealed class InvoiceFingerprintTests
{
    private static readonly InvoiceDraft Draft = InvoiceCalculator.Calculate(Bill.Request(Closing("2026-12-01"),
        subscriptions: [On("P1", "2026-10-01")],
        fees: Plans(("P1", Fee(30.00m, FeeBilling.Advance))),
        usage: [Summary(10.005m, charges: 4), Summary(2.50m, charges: 2, service: ServiceType.Sms)],
        lateUsage: [new LateUsageSummary(Summary(1.00m, charges: 3), Closing("2026-11-01"))],
        overdraft: [new OverdraftSummary("447700900001", 1.50m, 5, D("2026-11-02"), D("2026-11-03"), "standard")],
        balance: new BalanceInputs(20.00m, 5.00m)));

    /// <summary>A line of every optional field, a negative amount, and an error, on top of the calculated draft.</summary>
    private static readonly InvoiceDraft Rich = Draft with
    {
        Lines = [.. Draft.Lines, new InvoiceLine
        {
            Number = Draft.Lines.Count + 1,
            Kind = InvoiceLineKind.Adjustment,
            Description = "Re-rated usage of INV-2026-000007 — Zoë, Łódź",
            Msisdn = "447700900001",
            SubscriptionId = "17",
            PlanId = "P1",
            Service = ServiceType.Data,
            DestinationGroup = "Data",
            Quantity = 1_048_576,
            AllowanceUsed = 0,
            ChargeCount = 2,
            ExactAmount = -0.125000m,
            PeriodStart = D("2026-10-01"),
            PeriodEnd = D("2026-11-01"),
            TaxCategory = "standard",
            Amount = Cash(-0.13m, "EUR"),
            RuleId = "R9",
            OriginalInvoiceNumber = "INV-2026-000007",
            SourceIds = ["41", "42"],
        }],
        Errors = [new InvoiceError(InvoiceErrorCode.MissingTaxRate, "no rate for (UK, zero) on 2026-12-01")],
    };

    private static Billing.Core.Money.Money Cash(decimal amount, string currency) => Billing.Core.Money.Money.Of(amount, currency);

    [Fact]
    public void The_fingerprint_of_a_draft_is_the_same_text_as_the_previous_version_hashed()
    {
        Assert.Equal("4edd868739394ec331752f4ae7906368", InvoiceFingerprint.Of(Draft));
        Assert.Equal("71a04c32bc5cf1e5d6c00eb5262e62d6", InvoiceFingerprint.Of(Rich));
    }

    [Fact]
    public void Payments_recorded_since_the_draft_leave_its_fingerprint_as_it_was()
    {
        var paid = Draft with { PaymentsAndCredits = Cash(25.00m, "EUR"), AmountDue = Draft.AmountDue - Cash(20.00m, "EUR") };
        Assert.Equal(InvoiceFingerprint.Of(Draft), InvoiceFingerprint.Of(paid));
    }

    [Fact]
    public void A_cent_more_on_one_line_or_one_more_charge_behind_it_gives_another_fingerprint()
    {
        var line = Draft.Lines[1];
        var cent = Draft with { Lines = [.. Draft.Lines.Select(l => l == line ? l with { Amount = l.Amount + Cash(0.01m, "EUR") } : l)] };
        var charge = Draft with { Lines = [.. Draft.Lines.Select(l => l == line ? l with { ChargeCount = l.ChargeCount + 1 } : l)] };
        var source = Rich with { Lines = [.. Rich.Lines.Select(l => l.SourceIds.Count > 0 ? l with { SourceIds = ["41", "43"] } : l)] };
        Assert.NotEqual(InvoiceFingerprint.Of(Draft), InvoiceFingerprint.Of(cent));
        Assert.NotEqual(InvoiceFingerprint.Of(Draft), InvoiceFingerprint.Of(charge));
        Assert.NotEqual(InvoiceFingerprint.Of(Rich), InvoiceFingerprint.Of(source));
    }
}
