using Billing.Core.Accounts;
using Billing.Core.Catalog;
using Billing.Core.Cycles;
using Billing.Core.Invoicing;
using Billing.Core.Money;
using Billing.Core.Usage;
using NodaTime;
using NodaTime.Text;

namespace Billing.Core.Tests.Invoicing;

/// <summary>Plain values the invoicing tests build requests from: EUR, tax region GB with standard 20 % and reduced 5 %.</summary>
internal static class Bill
{
    public static readonly Currency Eur = Currency.Of("EUR");

    public static readonly TaxTable Taxes = new([new TaxRate("GB", "standard", 0.20m, "VAT"), new TaxRate("GB", "reduced", 0.05m, "VAT reduced")]);

    public static LocalDate D(string iso) => LocalDatePattern.Iso.Parse(iso).Value;

    /// <summary>The cycle that ends (exclusive) on <paramref name="end"/>.</summary>
    public static BillCycle Closing(string end) => BillCycle.EndingOn(D(end));

    public static AccountTerms PostpaidTerms(string id = "ACC1", Currency? currency = null) => new(id, currency ?? Eur, "GB", PaymentType.Postpaid);

    public static AccountTerms PrepaidTerms(string id = "ACC1") => new(id, Eur, "GB", PaymentType.Prepaid);

    public static Billing.Core.Money.Money Euros(decimal amount) => new(amount, Eur);

    public static RecurringFee Fee(decimal amount, FeeBilling billing = FeeBilling.Advance, string id = "monthly", string description = "Monthly charge", string tax = "standard") =>
        new(id, description, amount, tax, billing);

    public static IReadOnlyDictionary<string, IReadOnlyList<RecurringFee>> Plans(params (string Plan, RecurringFee Fee)[] fees) =>
        fees.GroupBy(f => f.Plan).ToDictionary(g => g.Key, g => (IReadOnlyList<RecurringFee>)[.. g.Select(f => f.Fee)]);

    public static SubscriptionPeriod On(string plan, string from, string? to = null, string subscription = "S1", string msisdn = "447700900001") =>
        new(subscription, msisdn, plan, D(from), to is null ? null : D(to));

    public static IssuedRecurringLine Billed(string plan, string from, string to, decimal amount, string fee = "monthly", string subscription = "S1", string tax = "standard") =>
        new(subscription, "447700900001", plan, fee, D(from), D(to), amount, tax);

    public static UsageSummary Summary(
        decimal amount,
        long charges = 1,
        string msisdn = "447700900001",
        ServiceType service = ServiceType.Voice,
        string group = "national",
        string tax = "standard",
        string plan = "P1",
        long quantity = 60,
        long allowance = 0,
        string subscription = "S1") =>
        new(subscription, msisdn, plan, service, group, tax, quantity, allowance, charges, amount);

    public static InvoiceDraft Calculate(BillCycle cycle, AccountTerms? account = null, TaxTable? taxes = null, IReadOnlyList<SubscriptionPeriod>? subscriptions = null,
        IReadOnlyDictionary<string, IReadOnlyList<RecurringFee>>? fees = null, IReadOnlyList<IssuedRecurringLine>? issued = null, IReadOnlyList<UsageSummary>? usage = null,
        IReadOnlyList<LateUsageSummary>? lateUsage = null, IReadOnlyList<OneTimeCharge>? oneTime = null, IReadOnlyList<Adjustment>? adjustments = null,
        IReadOnlyList<OverdraftSummary>? overdraft = null, IReadOnlyList<DiscountRule>? discounts = null, BalanceInputs? balance = null, LocalDate? issueDate = null) =>
        InvoiceCalculator.Calculate(Request(cycle, account, taxes, subscriptions, fees, issued, usage, lateUsage, oneTime, adjustments, overdraft, discounts, balance, issueDate));

    public static InvoiceRequest Request(BillCycle cycle, AccountTerms? account = null, TaxTable? taxes = null, IReadOnlyList<SubscriptionPeriod>? subscriptions = null,
        IReadOnlyDictionary<string, IReadOnlyList<RecurringFee>>? fees = null, IReadOnlyList<IssuedRecurringLine>? issued = null, IReadOnlyList<UsageSummary>? usage = null,
        IReadOnlyList<LateUsageSummary>? lateUsage = null, IReadOnlyList<OneTimeCharge>? oneTime = null, IReadOnlyList<Adjustment>? adjustments = null,
        IReadOnlyList<OverdraftSummary>? overdraft = null, IReadOnlyList<DiscountRule>? discounts = null, BalanceInputs? balance = null, LocalDate? issueDate = null) =>
        new(account ?? PostpaidTerms(), cycle, issueDate ?? cycle.End, taxes ?? Taxes, subscriptions, fees, issued, usage, lateUsage, oneTime, adjustments, overdraft, discounts, balance);

    /// <summary>Lines as (kind code, period, amount) for one-line assertions.</summary>
    public static IEnumerable<(string Kind, string From, string To, decimal Amount)> Shape(this InvoiceDraft draft) =>
        draft.Lines.Select(l => (l.Kind.Code(), Iso(l.PeriodStart), Iso(l.PeriodEnd), l.Amount.Amount));

    public static string Iso(LocalDate date) => LocalDatePattern.Iso.Format(date);
}
