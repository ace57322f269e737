using Billing.Core.Reconciliation;
using NodaTime;

namespace Billing.Core.Tests.Reconciliation;

/// <summary>The pure decisions of `billing reconcile`: each link's rule, fed the rows a store reads.</summary>
public sealed class ChainCheckTests
{
    private static readonly FileTally GoodFile = new()
    {
        FileId = 7, Status = "archived", Source = "canonical", FileName = "a.csv",
        Read = 10, Accepted = 6, Suspended = 2, Duplicates = 1, Filtered = 1, UsageRows = 7, SuspenseRows = 2, RecycledIntoUsage = 1,
    };

    private static List<string> Codes(IEnumerable<ChainDifference> differences) => [.. differences.Select(d => d.Code)];

    [Fact]
    public void A_file_reconciles_when_its_usage_rows_are_its_accepted_records_plus_those_recycled_from_its_suspense()
    {
        var log = new DifferenceLog();

        var summary = MediationCheck.Record([GoodFile, GoodFile with { FileId = 8, Read = 3, Accepted = 3, Suspended = 0, Duplicates = 0, Filtered = 0, UsageRows = 3, SuspenseRows = 0, RecycledIntoUsage = 0 }], [], log);

        Assert.Equal(0, log.Count);
        Assert.Equal(new MediationSummary(2, 13, 9, 2, 1, 1, 1), summary);
    }

    [Theory]
    [InlineData(11, 7, 2, "manifest-sum", "read 11 ≠ accepted 6 + suspended 2 + duplicates 1 + filtered 1 = 10")]
    [InlineData(10, 6, 2, "accepted-not-in-usage", "accepted 6, but 6 usage rows of which 1 recycled from its suspense = 5 accepted in usage")]
    [InlineData(10, 7, 3, "suspended-not-in-suspense", "suspended 2, but 3 suspense rows")]
    public void A_file_whose_counts_disagree_is_named_with_the_figures(long read, long usageRows, long suspenseRows, string code, string detail)
    {
        var d = Assert.Single(MediationCheck.Check(GoodFile with { Read = read, UsageRows = usageRows, SuspenseRows = suspenseRows }));

        Assert.Equal((ChainLink.Mediation, code, "file #7 canonical/a.csv", detail), (d.Link, d.Code, d.Subject, d.Detail));
    }

    [Fact]
    public void Usage_rows_of_a_file_no_archived_manifest_has_are_a_difference_and_not_summed()
    {
        var log = new DifferenceLog();

        var summary = MediationCheck.Record([new FileTally { FileId = 9, UsageRows = 4 }], [new RecycledWithoutUsage(3, 7, 41)], log);

        Assert.Equal(["records-of-unarchived-file", "recycled-usage-missing"], Codes(log.First));
        Assert.Equal("4 usage and 0 suspense rows name a file that is not in the manifest", log.First[0].Detail);
        Assert.Equal("recycled into usage #41, which is not a usage row of that file", log.First[1].Detail);
        Assert.Equal(0, summary.Files);
    }

    [Fact]
    public void Rating_counts_every_problem_names_the_listed_examples_and_sums_holds_by_reason()
    {
        var log = new DifferenceLog();
        var at = Instant.FromUtc(2026, 11, 3, 10, 0);
        UsageCount[] counts =
        [
            new(UsageStates.Rated, null, 90), new(UsageStates.Held, "no-tariff", 4), new(UsageStates.Held, "unknown-subscriber", 2),
            new(UsageStates.Held, " ", 1), new(UsageStates.Neither, null, 25), new(UsageStates.Both, "no-tariff", 1),
        ];
        UsageExample[] examples =
        [
            new() { State = UsageStates.Neither, UsageId = 5, Record = "canonical:r5", Msisdn = "447700900950", Start = at, Account = "B-1" },
            new() { State = UsageStates.Both, UsageId = 6, Record = "canonical:r6", Msisdn = "447700900950", Start = at, Account = "B-1", Reason = "no-tariff" },
            new() { State = UsageStates.Held, UsageId = 8, Record = "canonical:r8", Msisdn = "447700900999", Start = at, Reason = " " },
            new() { State = UsageStates.Rated, UsageId = 9, Start = at, Account = "B-2" },
        ];

        var summary = RatingCheck.Record(counts, chargesWithoutUsage: 3, examples, log);

        // 25 neither (1 named) + 1 both + 1 held without a reason + 3 charges without usage (1 named).
        Assert.Equal(30, log.Count);
        Assert.Equal(["neither-rated-nor-held", "rated-and-held", "held-without-reason", "charge-without-usage"], Codes(log.First));
        Assert.Equal(("usage #5 canonical:r5", "447700900950 at 2026-11-03T10:00:00Z, account B-1: neither rated nor held"), (log.First[0].Subject, log.First[0].Detail));
        Assert.Equal("447700900999 at 2026-11-03T10:00:00Z, no subscriber at the time: held with no reason", log.First[2].Detail);
        Assert.Equal("charge of usage #9", log.First[3].Subject);
        Assert.Equal((123L, 90L, 6L), (summary.Usage, summary.Rated, summary.Held));
        Assert.Equal(new Dictionary<string, long> { ["no-tariff"] = 4, ["unknown-subscriber"] = 2 }, summary.HeldByReason);
    }

    private static readonly LineTally Line = new()
    {
        Invoice = "INV-2026-000001", AccountId = "B-1", Kind = "usage", Cycle = new LocalDate(2026, 11, 1), Msisdn = "447700900950", PlanId = "P", Service = 2,
        DestinationGroup = "uk_mobile", Currency = "GBP", Lines = 1, LineCharges = 2, LineAmount = 0.2m, Charges = 2, ChargeAmount = 0.2m,
    };

    [Fact]
    public void A_line_whose_charge_count_or_exact_sum_differs_from_the_charges_it_bills_is_named_and_the_rest_counted_as_matched()
    {
        var log = new DifferenceLog();
        LineTally[] lines =
        [
            Line,
            Line with { Charges = 3, ChargeAmount = 0.3m },
            Line with { LineAmount = 0.200001m },
            Line with { Lines = 0, LineCharges = 0, LineAmount = 0m },
            Line with { Kind = "late-usage", Charges = 0, ChargeAmount = 0m },
        ];

        var summary = InvoicingCheck.Record(lines, [], [], 1, 0, log);

        Assert.Equal(1, summary.LinesMatched);
        Assert.Equal(
        [
            "the line carries 2 charges (0.2 GBP); the rated charges the invoice bills: 3 (0.3 GBP)",
            "the line carries 2 charges (0.200001 GBP); the rated charges the invoice bills: 2 (0.2 GBP)",
            "no line carries the 2 rated charges (0.2 GBP) the invoice bills",
            "1 line(s) carry 2 charges (0.2 GBP), but the invoice bills no rated charge of it",
        ], log.First.Select(d => d.Detail));
        Assert.Equal("INV-2026-000001 late-usage line 447700900950 sms uk_mobile of [2026-11-01, 2026-12-01)", log.First[3].Subject);
    }

    [Fact]
    public void Charges_not_billed_yet_and_late_ones_waiting_are_counted_apart_while_wrong_states_are_differences()
    {
        var log = new DifferenceLog();
        var nov = new LocalDate(2026, 11, 1);
        ChargeCount[] charges =
        [
            new() { State = ChargeStates.Billed, Currency = "GBP", Count = 40, Amount = 12.5m },
            new() { State = ChargeStates.Billed, Currency = "GBP", Invoice = "INV-2027-000001", Count = 2, Amount = 0.2m },
            new() { State = ChargeStates.NotBilled, AccountId = "B-3", Cycle = nov, Currency = "GBP", Count = 5, Amount = 1.25m },
            new() { State = ChargeStates.NotBilled, AccountId = "B-4", Cycle = nov, Currency = "EUR", Count = 1, Amount = 0.5m },
            new() { State = ChargeStates.LateWaiting, AccountId = "B-1", Cycle = nov, Currency = "GBP", Count = 3, Amount = 0.3m },
            new() { State = ChargeStates.BilledTwice, AccountId = "B-1", Cycle = nov, Invoice = "INV-2027-000001", CycleInvoice = "INV-2026-000001", Currency = "GBP", Count = 1, Amount = 0.1m, FirstUsageId = 77 },
            new() { State = ChargeStates.LateOfUninvoicedCycle, AccountId = "B-2", Cycle = nov, Currency = "GBP", Count = 1, Amount = 0.1m, FirstUsageId = 78 },
            new() { State = ChargeStates.LateOnMissingInvoice, AccountId = "B-2", Cycle = nov, Invoice = "#12", Currency = "GBP", Count = 1, Amount = 0.1m, FirstUsageId = 79 },
        ];

        var s = InvoicingCheck.Record([], charges, [new UnrecordedCycle("INV-2026-000002", "B-2", nov, null)], 2, 1, log);

        Assert.Equal((42L, 2L, 2L, 6L, 3L), (s.ChargesBilled, s.LateBilled, s.NotBilledAccounts, s.NotBilledCharges, s.LateWaiting));
        Assert.Equal(12.7m, s.AmountBilled["GBP"]);
        Assert.Equal((1.25m, 0.5m), (s.AmountNotBilled["GBP"], s.AmountNotBilled["EUR"]));
        Assert.Equal(["cycle-not-recorded", "billed-twice", "late-charge-of-uninvoiced-cycle", "late-charge-on-missing-invoice"], Codes(log.First));
        Assert.Equal("its cycle [2026-11-01, 2026-12-01) is recorded as billed by no invoice", log.First[0].Detail);
        Assert.Equal(("1 charge(s) of B-1, cycle starting 2026-11-01 (0.1 GBP; first usage #77)", "on INV-2026-000001, the invoice of their cycle, and marked billed by INV-2027-000001 as well"),
            (log.First[1].Subject, log.First[1].Detail));
        Assert.Equal("late, marked billed by #12, which is not an issued invoice", log.First[3].Detail);
    }

    private static readonly InvoiceFigures Invoice = new()
    {
        Number = "INV-2026-000001", AccountId = "B-1", Currency = "GBP", Subtotal = 30.50m, Tax = 6.10m, Total = 36.60m,
        PreviousBalance = 20.00m, PaymentsAndCredits = 20.00m, AmountDue = 36.60m, Lines = 4, LinesSum = 30.50m, TaxesSum = 6.10m,
        FinestLineNo = 3, FinestLineAmount = 0.30m, FinestTaxCategory = "standard", FinestTaxAmount = 6.10m, LastAmountDue = 20.00m,
    };

    [Fact]
    public void An_invoice_whose_sums_hold_has_no_difference_and_is_summed_per_currency()
    {
        var log = new DifferenceLog();

        var summary = InvoiceSumsCheck.Record([Invoice, Invoice with { Number = "INV-2026-000002" }], log);

        Assert.Equal(0, log.Count);
        Assert.Equal((2L, 8L, 73.20m, 73.20m), (summary.Invoices, summary.Lines, summary.Total["GBP"], summary.AmountDue["GBP"]));
    }

    public static TheoryData<InvoiceFigures, string, string> BrokenSums => new()
    {
        { Invoice with { LinesSum = 30.51m }, "lines-not-subtotal", "4 lines sum to 30.51, the subtotal is 30.50 GBP" },
        { Invoice with { TaxesSum = 6.11m }, "taxes-not-tax", "category taxes sum to 6.11, the tax is 6.10 GBP" },
        { Invoice with { Total = 36.61m, AmountDue = 36.61m }, "total-not-subtotal-plus-tax", "subtotal 30.50 + tax 6.10 = 36.60, the total is 36.61 GBP" },
        { Invoice with { AmountDue = 56.60m }, "amount-due-not-balance", "previous 20.00 − payments and credits 20.00 + total 36.60 = 36.60, the amount due is 56.60 GBP" },
        { Invoice with { LastAmountDue = 25.00m }, "previous-balance-not-last-due", "previous balance 20.00, the invoice before it left 25.00 GBP due" },
        { Invoice with { FinestLineAmount = 0.295m }, "finer-than-minor-unit", "line 3 amount 0.295 has more decimals than GBP allows (2)" },
        { Invoice with { FinestTaxAmount = 6.105m }, "finer-than-minor-unit", "standard tax 6.105 has more decimals than GBP allows (2)" },
    };

    [Theory]
    [MemberData(nameof(BrokenSums))]
    public void An_invoice_whose_sums_break_is_named_with_the_figures(InvoiceFigures invoice, string code, string detail)
    {
        var d = Assert.Single(InvoiceSumsCheck.Check(invoice));

        Assert.Equal((ChainLink.InvoiceSums, code, "INV-2026-000001 of B-1", detail), (d.Link, d.Code, d.Subject, d.Detail));
    }

    [Fact]
    public void The_log_keeps_the_first_twenty_differences_and_counts_all_including_those_a_store_did_not_list()
    {
        var log = new DifferenceLog();
        var d = new ChainDifference(ChainLink.Rating, "neither-rated-nor-held", "usage #1", "…");

        log.Add(Enumerable.Repeat(d, 15), total: 40);
        log.Add(Enumerable.Repeat(d, 10), total: 10);

        Assert.Equal((20, 50L), (log.First.Count, log.Count));
    }
}
