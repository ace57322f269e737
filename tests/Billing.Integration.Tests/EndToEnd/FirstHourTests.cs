using System.Text.Json;
using Billing.Cli;
using Billing.Integration.Tests.Infrastructure;
using NodaTime;

namespace Billing.Integration.Tests.EndToEnd;

/// <summary>What a new user tripped over in the first hour, through the real `billing` executable.</summary>
public sealed class FirstHourTests : IDisposable
{
    private readonly ScratchDatabase _db = new();
    private readonly TempDir _work = new();

    public void Dispose()
    {
        _db.Dispose();
        _work.Dispose();
    }

    [Fact]
    public void Price_takes_the_compound_duration_its_help_shows_1m35s_as_95_seconds_and_numbers_a_rates_steps_from_1_in_text_and_json()
    {
        string[] price = ["price", "--catalog", RatingData.TemplateCatalog, "--plan", "uk_prepaid", "--service", "voice", "--destination", "07700900123", "--start", "2026-11-02T18:59:30Z"];

        var compound = BillingProcess.Run(_work.Path, [.. price, "--usage", "1m35s", "--json"]);
        var seconds = BillingProcess.Run(_work.Path, [.. price, "--usage", "95", "--json"]);
        var text = BillingProcess.Run(_work.Path, [.. price, "--usage", "1h2m3s"]);

        Assert.True(compound.Exit == 0, $"exit {compound.Exit}: {compound.Err}");
        Assert.Equal(seconds.Out, compound.Out);
        using var json = JsonDocument.Parse(compound.Out);
        Assert.Equal(95, json.RootElement.GetProperty("quantity").GetInt64());
        var part = json.RootElement.GetProperty("parts")[0];
        Assert.Equal(1, part.GetProperty("step").GetInt32());
        Assert.True(text.Exit == 0, $"exit {text.Exit}: {text.Err}");
        Assert.StartsWith("3,723 s voice to 447700900123", text.Out, StringComparison.Ordinal);
        // The text table's step column says the same 1 as the JSON: the rate's first step.
        var row = text.Out.Split('\n').First(l => l.Contains(part.GetProperty("rate").GetString()!, StringComparison.Ordinal) && l.StartsWith("18:59:30", StringComparison.Ordinal));
        Assert.Equal("1", row.Split(' ', StringSplitOptions.RemoveEmptyEntries)[5]);
        Assert.Contains("cost (6 dp)", text.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Catalog_load_warns_of_waiting_usage_older_than_every_version_and_the_hold_names_the_effective_date_that_prices_it()
    {
        using (var c = _db.Db.Open())
        {
            RatingData.AddSubscriber(c, "A-1", "447700900123", "uk_postpaid_300", Instant.FromUtc(2026, 10, 1, 0, 0));
            RatingData.InsertUsage(c, [
                UsageSpec.Voice("r1", "447700900123", "447700900999", Instant.FromUtc(2026, 11, 2, 9, 0), 60),
                UsageSpec.Voice("r2", "447700900123", "447700900999", Instant.FromUtc(2026, 11, 5, 9, 0), 60),
            ]);
        }

        var late = Billing("catalog", "load", RatingData.TemplateCatalog, "--effective", "2026-11-10");
        var rate = Billing("rate");
        var held = Billing("suspense", "list");

        Assert.Contains(
            "warning: 2 usage record(s) not rated yet start before 2026-11-10T00:00:00Z, when the earliest catalogue version takes effect (the first at 2026-11-02T09:00:00Z): " +
            "no version prices them, so rating holds them as no-catalog. Load the catalogue with --effective 2026-11-02 (or earlier) to price them.",
            late.Out, StringComparison.Ordinal);
        Assert.Contains("held 2 (no-catalog 2)", rate.Out, StringComparison.Ordinal);
        Assert.Contains("load the catalogue with --effective 2026-11-02 or earlier", held.Out, StringComparison.Ordinal);
        // Piped stderr gets whole lines, no carriage returns: one range of usage ids in each of the 2 rounds of 2 subscriber partitions.
        Assert.Equal(
            ["rating: 1 / 2 id ranges × rounds of partitions", "rating: 2 / 2 id ranges × rounds of partitions", ""],
            rate.Err.Split('\n'));

        var onTime = Billing("catalog", "load", RatingData.TemplateCatalog, "--effective", "2026-11-01");
        var again = Billing("rate");

        Assert.DoesNotContain("warning:", onTime.Out, StringComparison.Ordinal);
        Assert.Contains("Rated 2 usage record(s)", again.Out, StringComparison.Ordinal);
        Assert.Contains("held 0", again.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void A_progress_line_at_a_terminal_is_one_bar_rewritten_in_place_and_ends_its_line_when_the_work_is_done()
    {
        var error = new StringWriter();
        var bar = new ProgressLine(error, terminal: true, "rating", "ranges");

        bar.Report(1, 4);
        bar.Report(4, 4);
        bar.End();

        Assert.Equal("\rrating: [#####...............] 1 / 4 ranges\rrating: [####################] 4 / 4 ranges" + Environment.NewLine, error.ToString());
    }

    [Fact]
    public void Piped_progress_is_a_whole_line_per_tenth_of_the_work_and_the_last()
    {
        var error = new StringWriter();
        var lines = new ProgressLine(error, terminal: false, "drafting", "batches");

        for (var done = 1; done <= 40; done++)
        {
            lines.Report(done, 40);
        }

        Assert.Equal(
            ["drafting: 4 / 40 batches", "drafting: 8 / 40 batches", "drafting: 12 / 40 batches", "drafting: 16 / 40 batches", "drafting: 20 / 40 batches",
             "drafting: 24 / 40 batches", "drafting: 28 / 40 batches", "drafting: 32 / 40 batches", "drafting: 36 / 40 batches", "drafting: 40 / 40 batches", ""],
            error.ToString().Split(Environment.NewLine));
    }

    [Fact]
    public void After_the_demo_charges_list_shows_a_postpaid_accounts_charges_with_their_invoice_a_prepaid_accounts_as_paid_from_the_wallet_and_suspense_show_a_rows_raw_line()
    {
        var demo = Billing("demo", "--samples", Repo.SampleCdrs);
        Assert.True(demo.Exit == 0, $"exit {demo.Exit}: {demo.Err}");

        var list = Billing("charges", "list", "--account", "ACME-001", "--cycle", "2026-11-15", "--json");
        var text = Billing("charges", "list", "--account", "ACME-001");
        using var json = JsonDocument.Parse(list.Out);
        var charges = json.RootElement.GetProperty("charges").EnumerateArray().ToList();

        Assert.Equal(("2026-11-01", "2026-12-01"), (json.RootElement.GetProperty("cycleStart").GetString(), json.RootElement.GetProperty("cycleEnd").GetString()));
        Assert.Equal(20, charges.Count);
        Assert.All(charges, c => Assert.Equal("INV-2026-000001", c.GetProperty("invoice").GetString()));
        // 312 s to Europe on Postpaid 300: no allowance for Europe, priced in full.
        var europe = charges.First(c => c.GetProperty("destinationGroup").GetString() == "europe");
        Assert.Equal(("2026-11-02T08:17:41Z", 312L, "1.660000"), (europe.GetProperty("start").GetString(), europe.GetProperty("billedQuantity").GetInt64(), europe.GetProperty("amount").GetString()));
        Assert.Contains("ACME-001 (postpaid, GBP), bill cycle 1 Nov – 30 Nov 2026: 20 rated charge(s), billed on INV-2026-000001 (the latest cycle with charges", text.Out, StringComparison.Ordinal);
        Assert.Contains("charge (GBP, 6 dp)", text.Out, StringComparison.Ordinal);

        // A prepaid account's charges were paid from its wallet when rated: no invoice claims them.
        var prepaid = Billing("charges", "list", "--account", "P-1002", "--json");
        using var wallet = JsonDocument.Parse(prepaid.Out);
        var call = Assert.Single(wallet.RootElement.GetProperty("charges").EnumerateArray());
        Assert.Equal(("prepaid", 360L, "9.000000", JsonValueKind.Null),
            (wallet.RootElement.GetProperty("paymentType").GetString(), call.GetProperty("billedQuantity").GetInt64(), call.GetProperty("amount").GetString(), call.GetProperty("invoice").ValueKind));
        Assert.Contains("debited from the wallet as rated", Billing("charges", "list", "--account", "P-1002").Out, StringComparison.Ordinal);

        using var c = _db.Db.Open();
        var id = Dapper.SqlMapper.ExecuteScalar<long>(c, "SELECT id FROM suspense WHERE reason = 'unknown-service'");
        var shown = Billing("suspense", "show", id.ToString(System.Globalization.CultureInfo.InvariantCulture), "--json");
        var missing = Billing("suspense", "show", "999999");
        using var row = JsonDocument.Parse(shown.Out);

        Assert.Equal(("unknown-service", "open", "canonical"), (row.RootElement.GetProperty("reason").GetString(), row.RootElement.GetProperty("status").GetString(), row.RootElement.GetProperty("source").GetString()));
        Assert.Contains(",mms,", row.RootElement.GetProperty("rawLine").GetString(), StringComparison.Ordinal);
        Assert.Equal((2, "billing: No suspense row #999999. `billing suspense list` names the first row of each reason.\n"), (missing.Exit, missing.Err));
    }

    private (int Exit, string Out, string Err) Billing(params string[] args) =>
        BillingProcess.Run(_work.Path, [.. args, "--db", _db.Db.ConnectionString]);
}
