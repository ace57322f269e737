using Billing.Core.Rating;
using Billing.Integration.Tests.Infrastructure;
using Billing.Integration.Tests.Invoicing;
using Billing.Jobs.Catalog;
using Billing.Jobs.Dunning;
using Billing.Jobs.Rating;
using Billing.Notifications;
using Billing.Storage.Dunning;
using Dapper;
using NodaTime;
using static Billing.Integration.Tests.Invoicing.ReceivablesWorld;

namespace Billing.Integration.Tests.Dunning;

/// <summary>
/// A suspended subscriber's usage under both settings of dunning.suspendedUsage, against a real database:
/// B-1's December invoice (36.00, due 2026-12-15) is unpaid, so the run of 2027-01-14 (30 days past due)
/// suspends +447700900960; a 90 s call to the USA follows on 2027-01-20.
/// </summary>
public sealed class SuspendedUsageTests : IDisposable
{
    private static readonly LocalDate Due = new(2026, 12, 15);
    private const string Msisdn = "447700900960";

    private readonly ReceivablesWorld _world = new(("B-1", Msisdn));
    private readonly TempDir _files = new();

    public SuspendedUsageTests()
    {
        _world.Bill(December);
        Dunning(30);
        using var c = _world.Open();
        RatingData.InsertUsage(c, [UsageSpec.Voice("during", Msisdn, "12025550123", Instant.FromUtc(2027, 1, 20, 10, 0), 90)]);
    }

    public void Dispose()
    {
        _world.Dispose();
        _files.Dispose();
    }

    private void Dunning(int daysPastDue) =>
        new DunningJob(_world.Db, new CatalogCache(), () => NotificationTemplates.Load(Path.Combine(Repo.Root, "templates", "notifications")),
            new DunningOptions(), _files.Path, Rendering.Letters(_files.Path), _world.Clock).Run(Due.PlusDays(daysPastDue), false, "tests");

    private RatingRunResult Rate(SuspendedUsage mode) => new RateUsageJob(_world.Db, new CatalogCache(), null, mode).RateAll(1000);

    private (long Charges, string? Hold) State()
    {
        using var c = _world.Open();
        return c.QuerySingle<(long, string?)>("SELECT (SELECT count(*) FROM rated_charges), (SELECT reason || ': ' || detail FROM rating_holds)");
    }

    [Fact]
    public void With_rate_the_call_of_a_suspended_subscriber_is_charged_and_the_next_invoice_shows_the_suspension()
    {
        var run = Rate(SuspendedUsage.Rate);

        Assert.Equal((1L, 0L), (run.Rated, run.Held));
        Assert.Equal((1L, (string?)null), State());
        _world.Clock.Reset(Instant.FromUtc(2027, 2, 2, 6, 0));
        var february = _world.Bill(new LocalDate(2027, 2, 1));
        Assert.Contains(_world.Lines(february[0]), l => l.Kind == "usage");
        using var c = _world.Open();
        var id = c.ExecuteScalar<long>("SELECT id FROM invoices WHERE number = @n", new { n = february[0] });
        Assert.Equal([new Core.Documents.DocumentSuspension(Msisdn, Due.PlusDays(30), null, "dunning: invoice INV-2026-000001 30 days overdue")],
            DunningStore.OnInvoices(c, [id])[id].ToList());
        var january = c.ExecuteScalar<long>("SELECT id FROM invoices WHERE number = 'INV-2026-000001'");
        Assert.Empty(DunningStore.OnInvoices(c, [january])[january]); // issued before the suspension

        var pdf = Rendering.Job(_world.Db, _files.Path).RenderOne(february[0])!.Value.Pdf;
        using var document = UglyToad.PdfPig.PdfDocument.Open(pdf);
        var text = string.Join(" ", document.GetPages().Select(p => UglyToad.PdfPig.DocumentLayoutAnalysis.TextExtractor.ContentOrderTextExtractor.GetText(p))).Replace('\n', ' ');
        Assert.Contains($"Subscriber +{Msisdn}: outgoing service suspended since 14 Jan 2027 (dunning: invoice INV-2026-000001 30 days overdue)", text, StringComparison.Ordinal);
    }

    [Fact]
    public void With_hold_the_call_is_held_as_suspended_until_the_payment_s_reactivation_and_then_charged_once()
    {
        var held = Rate(SuspendedUsage.Hold);
        var again = Rate(SuspendedUsage.Hold);

        Assert.Equal((0L, 1L), (held.Rated, held.Held));
        Assert.Equal(1L, held.HeldByReason[HoldReasons.Suspended]);
        Assert.Equal((0L, "suspended: +447700900960 suspended by dunning since 2027-01-14 (dunning.suspendedUsage = hold): rated once reactivated"), State());
        Assert.Equal((0L, 0L), (again.Rated, again.Held)); // still suspended: not read again

        _world.Pay("B-1", 36.00m, "BANK-1");
        Dunning(31);
        var released = Rate(SuspendedUsage.Hold);

        Assert.Equal((1L, 0L), (released.Rated, released.Held));
        Assert.Equal((1L, (string?)null), State());
        Assert.Equal((0L, 0L), (Rate(SuspendedUsage.Hold).Rated, Rate(SuspendedUsage.Rate).Rated));
    }

    [Fact]
    public void Usage_held_as_suspended_is_charged_by_the_next_run_once_the_setting_is_rate()
    {
        Rate(SuspendedUsage.Hold);

        var run = Rate(SuspendedUsage.Rate);

        Assert.Equal((1L, 0L), (run.Rated, run.Held));
        Assert.Equal((1L, (string?)null), State());
    }

    [Fact]
    public void A_number_added_to_a_suspended_account_and_a_plan_change_of_a_suspended_number_are_suspended_too_and_reactivated_with_the_account()
    {
        const string added = "447700900961";
        using (var c = _world.Open())
        {
            RatingData.AddSubscriber(c, "B-1", added, "uk_postpaid_300", Instant.FromUtc(2027, 1, 16, 0, 0), billCycleDay: 1);
            RatingData.AddSubscriber(c, "B-1", Msisdn, "uk_postpaid_300", Instant.FromUtc(2027, 1, 18, 0, 0), billCycleDay: 1); // a new period of the suspended number
            RatingData.InsertUsage(c, [UsageSpec.Voice("added", added, "12025550123", Instant.FromUtc(2027, 1, 20, 11, 0), 90)]);
        }

        var held = Rate(SuspendedUsage.Hold);

        Assert.Equal((0L, 2L), (held.Rated, held.HeldByReason.GetValueOrDefault(HoldReasons.Suspended)));
        using (var c = _world.Open())
        {
            Assert.Equal([(Msisdn, Due.PlusDays(30)), (Msisdn, Due.PlusDays(30)), (added, Due.PlusDays(30))],
                DunningStore.OpenSuspensions(c, "B-1").Select(s => (s.Msisdn, s.Since)).Order());
        }

        _world.Pay("B-1", 36.00m, "BANK-1");
        Dunning(31);

        Assert.Equal(2L, Rate(SuspendedUsage.Hold).Rated);
        using (var c = _world.Open())
        {
            Assert.Empty(DunningStore.OpenSuspensions(c, "B-1"));
        }
    }
}
