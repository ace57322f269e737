using Billing.Core.Accounts;
using Billing.Core.Catalog;
using Billing.Core.Cycles;
using Billing.Core.Invoicing;
using Billing.Core.Money;
using Billing.Core.Usage;
using NodaTime;

namespace Billing.Core.Tests.Invoicing;

/// <summary>
/// Many random requests from a fixed seed (so a failure reproduces): every draft reconciles, every
/// summary is on one line, no day is billed twice or missed, discounts never take a category below
/// zero, and the same inputs in another order give the same invoice.
/// </summary>
public sealed class InvoicePropertyTests
{
    private const int Requests = 400;

    private static readonly string[] Categories = ["standard", "reduced", "zero"];

    private static readonly string[] CurrencyCodes = ["EUR", "EUR", "JPY", "KWD"];

    private static readonly string[] SubscriptionIds = ["S1", "S2", "S3"];

    private sealed class Generator(int seed)
    {
        private readonly Random random = new(seed);

        private int Int(int from, int toExclusive) => random.Next(from, toExclusive);

        private bool Chance(int percent) => random.Next(100) < percent;

        private T Pick<T>(IReadOnlyList<T> items) => items[random.Next(items.Count)];

        /// <summary>A 6-decimal amount in [−max/10, max).</summary>
        private decimal Charge(int max) => random.Next(-max * 100_000, max * 1_000_000) / 1_000_000m;

        private decimal InMinorUnit(Currency currency, int max) => Rounding.ToMinorUnit(random.Next(1, max * 1000) / 1000m, currency);

        public InvoiceRequest Next()
        {
            var cycle = BillCycle.EndingOn(new LocalDate(Int(2025, 2029), Int(1, 13), Int(1, 29)));
            var currency = Currency.Of(Pick(CurrencyCodes));
            var account = new AccountTerms("ACC1", currency, "GB", Chance(25) ? PaymentType.Prepaid : PaymentType.Postpaid, Int(0, 40));
            string[] plans = ["P1", "P2", "P3"];
            var fees = plans.ToDictionary(p => p, p => (IReadOnlyList<RecurringFee>)[.. Enumerable.Range(0, Int(0, 3)).Select(i =>
                new RecurringFee($"F{i}", $"Fee {i}", InMinorUnit(currency, 80), Pick(Categories), Chance(50) ? FeeBilling.Advance : FeeBilling.Arrears))]);

            var periods = new List<SubscriptionPeriod>();
            var issued = new List<IssuedRecurringLine>();
            foreach (var subscription in SubscriptionIds.Take(Int(0, 4)))
            {
                var from = cycle.Start.PlusDays(Int(-45, 70));
                var msisdn = $"4477009000{Int(10, 99)}";
                while (true)
                {
                    LocalDate? to = Chance(55) ? from.PlusDays(Int(1, 45)) : null;
                    periods.Add(new SubscriptionPeriod(subscription, msisdn, Pick(plans), from, to));
                    if (to is null || Chance(40))
                    {
                        break;
                    }

                    from = to.Value;
                }

                // Earlier invoices: some lines of each fee of a plan the subscription had, inside the window, not overlapping.
                foreach (var plan in periods.Where(p => p.SubscriptionId == subscription).Select(p => p.PlanId).Distinct())
                {
                    foreach (var fee in fees[plan].Where(_ => Chance(60)))
                    {
                        foreach (var window in new[] { cycle, cycle.Next }.Where(_ => Chance(60)))
                        {
                            var start = window.Start.PlusDays(Chance(50) ? 0 : Int(0, window.Days));
                            var end = Chance(50) ? window.End : start.PlusDays(Int(1, Period.DaysBetween(start, window.End) + 1));
                            issued.Add(new IssuedRecurringLine(subscription, msisdn, plan, fee.Id, start, end, InMinorUnit(currency, 80), fee.TaxCategory));
                        }
                    }
                }
            }

            UsageSummary Usage() => new(Pick(SubscriptionIds), $"4477009000{Int(10, 99)}", Pick(plans), Pick([ServiceType.Voice, ServiceType.Sms, ServiceType.Data]),
                Pick(["national", "mobile", "international"]), Pick(Categories), Int(0, 100_000), Int(0, 1000), Int(0, 500), Charge(60));

            var rules = Enumerable.Range(0, Int(0, 4)).Select(i => Chance(50)
                ? new DiscountRule($"D{i}", "percent", Chance(50) ? DiscountScope.Plan : DiscountScope.Account, Chance(50) ? Pick(plans) : "ACC1", DiscountKind.Percentage, Int(1, 101) / 100m, (DiscountedLines)Int(1, 8))
                : new DiscountRule($"D{i}", "fixed", Chance(50) ? DiscountScope.Plan : DiscountScope.Account, Chance(50) ? Pick(plans) : "ACC1", DiscountKind.Fixed, Int(1, 20_000) / 100m, (DiscountedLines)Int(1, 8)));
            var taxes = new TaxTable(Categories.Where(_ => Chance(90)).Select(c => new TaxRate("GB", c, Pick([0m, 0.05m, 0.20m, 0.175m]), c)));

            return new InvoiceRequest(account, cycle, cycle.End.PlusDays(Int(0, 3)), taxes,
                subscriptions: periods,
                feesByPlan: fees,
                issuedRecurring: issued,
                usage: [.. Enumerable.Range(0, Int(0, 8)).Select(_ => Usage())],
                lateUsage: [.. Enumerable.Range(0, Int(0, 3)).Select(_ => new LateUsageSummary(Usage(), BillCycle.EndingOn(cycle.Start)))],
                oneTimeCharges: [.. Enumerable.Range(0, Int(0, 3)).Select(i => new OneTimeCharge($"C{i}", "charge", InMinorUnit(currency, 50), Pick(Categories), null, cycle.Start.PlusDays(Int(0, 28))))],
                adjustments: [.. Enumerable.Range(0, Int(0, 5)).Select(i => new Adjustment($"A{i}", "adjust", Charge(20), Pick(Categories), Chance(70) ? AdjustmentKind.Rerate : AdjustmentKind.Manual, Chance(80) ? Pick(["INV-1", "INV-2"]) : null, cycle.Start.PlusDays(Int(0, 28))))],
                overdraft: [.. Enumerable.Range(0, Int(0, 3)).Select(_ => new OverdraftSummary($"4477009000{Int(10, 99)}", Math.Abs(Charge(30)), Int(0, 50), cycle.Start, cycle.Start.PlusDays(Int(0, 28)), Pick(Categories)))],
                discounts: rules.ToList(),
                balance: new BalanceInputs(Charge(100), Math.Abs(Charge(100)), Chance(70) ? Charge(200) : null, Int(0, 3), Int(0, 3)));
        }

        public IReadOnlyList<T> Shuffle<T>(IReadOnlyList<T> items) => [.. items.OrderBy(_ => random.Next())];
    }

    private static IEnumerable<InvoiceRequest> Random(int seed)
    {
        var generator = new Generator(seed);
        return Enumerable.Range(0, Requests).Select(_ => generator.Next());
    }

    [Fact]
    public void Every_draft_reconciles_lines_subtotal_tax_total_and_amount_due()
    {
        foreach (var request in Random(20261201))
        {
            var draft = InvoiceCalculator.Calculate(request);
            var currency = request.Account.Currency;

            Assert.All(draft.Lines, l => Assert.Equal(Rounding.ToMinorUnit(l.Amount.Amount, currency), l.Amount.Amount));
            Assert.Equal(draft.Lines.Sum(l => l.Amount.Amount), draft.Subtotal.Amount);
            var expectedTaxes = draft.Lines.GroupBy(l => l.TaxCategory)
                .Select(g => (Category: g.Key, Rate: request.Taxes.RateOn("GB", g.Key, request.IssueDate)?.Rate, Base: g.Sum(l => l.Amount.Amount)))
                .ToList();
            Assert.Equal(expectedTaxes.Where(t => t.Rate is not null).Sum(t => Rounding.ToMinorUnit(t.Base * t.Rate!.Value, currency)), draft.Tax.Amount);
            Assert.Equal(expectedTaxes.Count(t => t.Rate is null), draft.Errors.Count);
            Assert.Equal(draft.Subtotal.Amount + draft.Tax.Amount, draft.Total.Amount);
            Assert.Equal(request.Balance.PreviousBalance - request.Balance.PaymentsAndCredits + draft.Total.Amount, draft.AmountDue.Amount);
        }
    }

    [Fact]
    public void Every_invoiced_summary_is_on_exactly_one_line_with_all_its_charges()
    {
        foreach (var request in Random(7))
        {
            var draft = InvoiceCalculator.Calculate(request);
            var usage = request.IsPrepaid ? [] : request.Usage;
            var late = request.IsPrepaid ? [] : request.LateUsage;

            Assert.Equal(usage.Count, draft.Lines.Count(l => l.Kind == InvoiceLineKind.Usage));
            Assert.Equal(usage.Sum(u => u.ChargeCount), draft.Lines.Where(l => l.Kind == InvoiceLineKind.Usage).Sum(l => l.ChargeCount));
            Assert.Equal(late.Count, draft.Lines.Count(l => l.Kind == InvoiceLineKind.LateUsage));
            Assert.Equal(late.Sum(u => u.Usage.ChargeCount), draft.Lines.Where(l => l.Kind == InvoiceLineKind.LateUsage).Sum(l => l.ChargeCount));
            Assert.Equal(request.Overdraft.Sum(o => o.ChargeCount), draft.Lines.Where(l => l.Kind == InvoiceLineKind.Overdraft).Sum(l => l.ChargeCount));
        }
    }

    [Fact]
    public void After_the_invoice_every_day_of_the_window_is_billed_once_if_due_and_never_if_not()
    {
        foreach (var request in Random(42))
        {
            var draft = InvoiceCalculator.Calculate(request);
            foreach (var (plan, fees) in request.FeesByPlan)
            {
                foreach (var fee in fees)
                {
                    var window = fee.Billing == FeeBilling.Arrears ? new[] { request.Cycle } : [request.Cycle, request.Cycle.Next];
                    foreach (var subscription in request.Subscriptions.Select(p => p.SubscriptionId).Distinct())
                    {
                        foreach (var day in window.SelectMany(c => Enumerable.Range(0, c.Days).Select(c.Start.PlusDays)))
                        {
                            var due = request.Subscriptions.Any(p => p.SubscriptionId == subscription && p.PlanId == plan && p.Covers(day)) ? 1 : 0;
                            var before = request.IssuedRecurring.Count(l => l.SubscriptionId == subscription && l.PlanId == plan && l.FeeId == fee.Id && l.Covers(day));
                            var now = draft.Lines
                                .Where(l => l.Kind == InvoiceLineKind.Recurring && l.SubscriptionId == subscription && l.PlanId == plan && l.FeeId == fee.Id && day >= l.PeriodStart && day < l.PeriodEnd)
                                .Sum(l => l.Description.EndsWith("(credit)", StringComparison.Ordinal) ? -1 : 1);

                            Assert.Equal(due, before + now);
                        }
                    }
                }
            }
        }
    }

    [Fact]
    public void Discounts_never_take_a_tax_category_below_zero_nor_add_to_it()
    {
        foreach (var request in Random(99))
        {
            var draft = InvoiceCalculator.Calculate(request);
            var discounts = draft.Lines.Where(l => l.Kind == InvoiceLineKind.Discount).ToList();

            Assert.All(discounts, d => Assert.True(d.Amount.Amount < 0m));
            foreach (var category in discounts.Select(d => d.TaxCategory).Distinct())
            {
                var discountable = draft.Lines.Where(l => l.TaxCategory == category && l.Kind is InvoiceLineKind.Usage or InvoiceLineKind.Recurring or InvoiceLineKind.OneTime).Sum(l => l.Amount.Amount);
                Assert.True(discountable + discounts.Where(d => d.TaxCategory == category).Sum(d => d.Amount.Amount) >= 0m);
            }
        }
    }

    [Fact]
    public void The_same_inputs_in_another_order_give_the_same_invoice()
    {
        var shuffler = new Generator(5);
        foreach (var request in Random(1234).Take(150))
        {
            var shuffled = new InvoiceRequest(request.Account, request.Cycle, request.IssueDate, new TaxTable(shuffler.Shuffle(request.Taxes.Rows)),
                shuffler.Shuffle(request.Subscriptions), request.FeesByPlan, shuffler.Shuffle(request.IssuedRecurring), shuffler.Shuffle(request.Usage),
                shuffler.Shuffle(request.LateUsage), shuffler.Shuffle(request.OneTimeCharges), shuffler.Shuffle(request.Adjustments), shuffler.Shuffle(request.Overdraft),
                shuffler.Shuffle(request.Discounts), request.Balance);

            var a = InvoiceCalculator.Calculate(request);
            var b = InvoiceCalculator.Calculate(shuffled);

            Assert.Equal(a.Lines.Select(Key), b.Lines.Select(Key));
            Assert.Equal(a.Total, b.Total);
        }
    }

    private static string Key(InvoiceLine l) =>
        $"{l.Number}|{l.Kind}|{l.Msisdn}|{l.Service}|{l.DestinationGroup}|{l.PeriodStart}|{l.PeriodEnd}|{l.SubscriptionId}|{l.PlanId}|{l.FeeId}|{l.RuleId}|{l.TaxCategory}|{l.Amount}|{string.Join(",", l.SourceIds)}|{l.Description}";
}
