using Billing.Core.Dunning;
using Billing.Core.Money;
using Amount = Billing.Core.Money.Money;
using NodaTime;

namespace Billing.Core.Tests.Dunning;

/// <summary>
/// Drives <see cref="DunningCalculator"/> day by day over explicit dates, the way the job does: what
/// it decides is recorded (steps, suspension, reactivation) and fed back the next day. Payments and
/// promises are set between days by the test.
/// </summary>
internal sealed class LadderSimulation(DunningPolicies policies, string segment = "")
{
    public static readonly Currency Pound = Currency.Of("GBP");

    public static Amount Gbp(decimal amount) => new(amount, Pound);

    private readonly List<DunningItem> _items = [];
    private readonly List<StepRecorded> _recorded = [];

    public List<(LocalDate Day, string Invoice, string Step, StepOutcome Outcome, decimal Fee)> Log { get; } = [];

    public List<(LocalDate Day, string Event)> Events { get; } = [];

    public bool Suspended { get; private set; }

    public LocalDate? PausedUntil { get; set; }

    public Amount Credit { get; set; } = Gbp(0m);

    public DunningItem Invoice(long id, string number, LocalDate due, decimal total)
    {
        var item = new DunningItem(id, number, due.PlusDays(-14), due, Gbp(total), Gbp(0m));
        _items.Add(item);
        return item;
    }

    public void Settle(string number, decimal amount)
    {
        var i = _items.FindIndex(x => x.Number == number);
        _items[i] = _items[i] with { Settled = _items[i].Settled + Gbp(amount) };
    }

    public void Hold(string number, bool held)
    {
        var i = _items.FindIndex(x => x.Number == number);
        _items[i] = _items[i] with { Held = held };
    }

    public AccountDunning Day(LocalDate day)
    {
        var decision = DunningCalculator.Decide(new DunningAccount("A-1", segment, Pound, _items, Credit, _recorded, PausedUntil, Suspended), policies, day);
        foreach (var s in decision.Steps)
        {
            _recorded.Add(new StepRecorded(s.Invoice.InvoiceId, s.Step.Id));
            Log.Add((day, s.Invoice.Number, s.Step.Id, s.Outcome, s.Fee.Amount));
            if (s.Outcome == StepOutcome.Take && s.Step.Action == DunningActionKind.Suspend && !Suspended)
            {
                Suspended = true;
                Events.Add((day, "suspended"));
            }
        }

        if (decision.Reactivate)
        {
            Suspended = false;
            Events.Add((day, "reactivated"));
        }

        return decision;
    }

    public void Run(LocalDate from, LocalDate through, Action<LocalDate>? before = null)
    {
        for (var d = from; d <= through; d = d.PlusDays(1))
        {
            before?.Invoke(d);
            Day(d);
        }
    }

    /// <summary>The shipped default ladder: 7 reminder; 14 second reminder and a 5.00 fee; 21 letter; 30 suspend; 60 agency; minimum 5.00.</summary>
    public static DunningPolicies Shipped() => new([new DunningPolicy("*", 5.00m,
    [
        new DunningStep("reminder", 7, DunningActionKind.Email, "dunning-reminder"),
        new DunningStep("second-reminder", 14, DunningActionKind.Email, "dunning-second-reminder"),
        new DunningStep("late-fee", 14, DunningActionKind.Fee, fee: FeeRule.FixedAmount(5.00m), taxCategory: "zero"),
        new DunningStep("final-notice", 21, DunningActionKind.Letter, "dunning-final-notice"),
        new DunningStep("suspend", 30, DunningActionKind.Suspend),
        new DunningStep("agency", 60, DunningActionKind.Agency),
    ])]);
}
