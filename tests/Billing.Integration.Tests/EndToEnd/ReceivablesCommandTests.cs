using System.Text.Json;
using Billing.Core.Invoicing;
using Billing.Integration.Tests.Infrastructure;
using Billing.Integration.Tests.Invoicing;
using Billing.Mediation.Imports;
using NodaTime;
using static Billing.Integration.Tests.Invoicing.ReceivablesWorld;

namespace Billing.Integration.Tests.EndToEnd;

/// <summary>`billing invoices|credit-note|accounts statement|charges|payments` through the real executable on a database the bill run billed.</summary>
public sealed class ReceivablesCommandTests : IDisposable
{
    private const string Msisdn = "447700900950";
    private readonly ReceivablesWorld _world = new(("B-1", Msisdn), ("B-2", "447700900951"));
    private readonly TempDir _work = new();

    public void Dispose()
    {
        _world.Dispose();
        _work.Dispose();
    }

    private (int Exit, string Out, string Err) Billing(params string[] args) =>
        BillingProcess.Run(_work.Path, [.. args, "--db", _world.ConnectionString]);

    private static string Ok((int Exit, string Out, string Err) run)
    {
        Assert.True(run.Exit == 0, $"exit {run.Exit}: {run.Err}");
        return run.Out;
    }

    /// <summary>The line of a text table that starts with <paramref name="first"/>, its cells separated by one space.</summary>
    private static string Row(string table, string first) =>
        string.Join(' ', table.Split('\n').Single(l => l.StartsWith(first + " ", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries));

    private static JsonElement Json((int Exit, string Out, string Err) run)
    {
        using var doc = JsonDocument.Parse(Ok(run));
        return doc.RootElement.Clone();
    }

    [Fact]
    public void An_issued_invoice_reads_as_the_documented_JSON_and_a_credit_note_on_it_shows_in_the_statement()
    {
        // December: fees 15.00 + 15.00, 90 s to the USA 0.30, three SMS 0.30, a zero-rated handset 25.00; VAT 20 % of 30.60.
        _world.Usage(
            UsageSpec.Sms("s1", Msisdn, "447700900123", Instant.FromUtc(2026, 11, 3, 10, 0)),
            UsageSpec.Sms("s2", Msisdn, "447700900123", Instant.FromUtc(2026, 11, 4, 10, 0)),
            UsageSpec.Sms("s3", Msisdn, "447700900123", Instant.FromUtc(2026, 11, 5, 10, 0)),
            UsageSpec.Voice("v1", Msisdn, "12025550123", Instant.FromUtc(2026, 11, 6, 10, 0), 90));
        _world.Charges().Record([new AccountChargeRow(1, "CH-1", "B-1", InvoiceLineKind.OneTime, 25.00m, "Handset", "zero", Msisdn, new LocalDate(2026, 11, 20))], "tests");
        _world.Bill(December);
        File.WriteAllText(_work.File("billing.json"), """{ "invoicing": { "creditNoteNumbers": "CN-{seq:0000}" } }""");

        var json = Ok(Billing("invoices", "show", "INV-2026-000001", "--json"));
        var text = Ok(Billing("invoices", "show", "INV-2026-000001"));
        var listed = Json(Billing("invoices", "list", "--json", "--status", "issued", "--account", "B-1"));
        var credit = Ok(Billing("credit-note", "INV-2026-000001", "--amount", "12.00", "--reason", "Goodwill"));
        var beyond = Billing("credit-note", "INV-2026-000001", "--amount", "49.73", "--reason", "Goodwill");
        var statement = Json(Billing("accounts", "statement", "B-1", "--json"));

        Assert.Equal(""""
            {
              "number": "INV-2026-000001",
              "account": "B-1",
              "run": 1,
              "status": "issued",
              "currency": "GBP",
              "periodStart": "2026-11-01",
              "periodEnd": "2026-12-01",
              "issueDate": "2026-12-01",
              "dueDate": "2026-12-15",
              "lines": [
                {
                  "kind": "recurring",
                  "description": "Postpaid 300 monthly charge, 1 Nov \u2013 30 Nov 2026 (in arrears)",
                  "msisdn": "447700900950",
                  "service": null,
                  "destinationGroup": null,
                  "quantity": 30,
                  "periodStart": "2026-11-01",
                  "periodEnd": "2026-12-01",
                  "taxCategory": "standard",
                  "amount": "15.00"
                },
                {
                  "kind": "recurring",
                  "description": "Postpaid 300 monthly charge, 1 Dec \u2013 31 Dec 2026 (in advance)",
                  "msisdn": "447700900950",
                  "service": null,
                  "destinationGroup": null,
                  "quantity": 31,
                  "periodStart": "2026-12-01",
                  "periodEnd": "2027-01-01",
                  "taxCategory": "standard",
                  "amount": "15.00"
                },
                {
                  "kind": "usage",
                  "description": "Voice \u2013 usa_canada",
                  "msisdn": "447700900950",
                  "service": "voice",
                  "destinationGroup": "usa_canada",
                  "quantity": 90,
                  "periodStart": "2026-11-01",
                  "periodEnd": "2026-12-01",
                  "taxCategory": "standard",
                  "amount": "0.30"
                },
                {
                  "kind": "usage",
                  "description": "SMS \u2013 uk_mobile",
                  "msisdn": "447700900950",
                  "service": "sms",
                  "destinationGroup": "uk_mobile",
                  "quantity": 3,
                  "periodStart": "2026-11-01",
                  "periodEnd": "2026-12-01",
                  "taxCategory": "standard",
                  "amount": "0.30"
                },
                {
                  "kind": "one-time",
                  "description": "Handset",
                  "msisdn": "447700900950",
                  "service": null,
                  "destinationGroup": null,
                  "quantity": null,
                  "periodStart": "2026-11-20",
                  "periodEnd": "2026-11-21",
                  "taxCategory": "zero",
                  "amount": "25.00"
                }
              ],
              "taxes": [
                {
                  "category": "standard",
                  "rate": "0.2",
                  "base": "30.60",
                  "amount": "6.12"
                },
                {
                  "category": "zero",
                  "rate": "0",
                  "base": "25.00",
                  "amount": "0.00"
                }
              ],
              "subtotal": "55.60",
              "tax": "6.12",
              "total": "61.72",
              "previousBalance": "0.00",
              "paymentsAndCredits": "0.00",
              "amountDue": "61.72",
              "suspensions": []
            }
            """".ReplaceLineEndings(), json.Trim().ReplaceLineEndings());
        Assert.StartsWith("Invoice INV-2026-000001\n  account   B-1  Customer B-1\n  period    2026-11-01 – 2026-11-30\n", text.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Equal("1 recurring Postpaid 300 monthly charge, 1 Nov – 30 Nov 2026 (in arrears) +447700900950 30 days 2026-11-01 – 2026-11-30 standard 15.00", Row(text, "1"));
        Assert.Equal("3 usage Voice – usa_canada +447700900950 90 s 2026-11-01 – 2026-11-30 standard 0.30", Row(text, "3"));
        Assert.Equal("5 one-time Handset +447700900950 2026-11-20 zero 25.00", Row(text, "5"));
        Assert.Equal("VAT 0% zero 0% 25.00 0.00", Row(text, "VAT 0%"));
        Assert.Equal("Amount due by 2026-12-15 61.72", Row(text, "Amount due by"));
        Assert.Equal([("INV-2026-000001", "61.72", "61.72")], listed.EnumerateArray().Select(i => (i.GetProperty("number").GetString(), i.GetProperty("total").GetString(), i.GetProperty("outstanding").GetString())));
        Assert.StartsWith("Issued credit note CN-0001 on INV-2026-000001 (B-1)", credit, StringComparison.Ordinal);
        Assert.Contains("12.00 against INV-2026-000001.", credit, StringComparison.Ordinal);
        Assert.Equal((2, "billing: No credit note issued: invoice INV-2026-000001 has 49.72 GBP left to credit, not 49.73.", ""),
            (beyond.Exit, beyond.Err.TrimEnd(), beyond.Out));
        Assert.Equal(("49.72", "0.00"), (statement.GetProperty("openBalance").GetString(), statement.GetProperty("unallocatedCredit").GetString()));
        Assert.Equal([("invoice", "INV-2026-000001", "61.72", "49.72"), ("credit-note", "CN-0001", "-12.00", null)],
            statement.GetProperty("entries").EnumerateArray().Select(e => (e.GetProperty("kind").GetString(), e.GetProperty("reference").GetString(), e.GetProperty("amount").GetString(), e.GetProperty("outstanding").GetString())).OrderByDescending(e => e.Item1));
        Assert.Equal([("credit-note", "CN-0001", "INV-2026-000001", "12.00")],
            statement.GetProperty("allocations").EnumerateArray().Select(a => (a.GetProperty("source").GetString(), a.GetProperty("reference").GetString(), a.GetProperty("invoice").GetString(), a.GetProperty("amount").GetString())));
    }

    [Fact]
    public void Charges_and_payments_files_are_recorded_once_all_or_nothing_and_single_ones_from_the_command_line()
    {
        _world.Bill(December); // B-1: INV-2026-000001, B-2: INV-2026-000002, 36.00 each
        var badCharges = _work.File("bad-charges.csv");
        File.WriteAllText(badCharges, """
            reference,account_id,amount,description,tax_category,msisdn,date,kind
            CH-1,B-1,25.00,Handset,zero,07700900950,2026-12-03,
            CH-2,NOBODY,1.00,Fee,,,,
            CH-3,B-1,1.001,Fee,,,,
            """);
        var charges = _work.File("charges.csv");
        File.WriteAllText(charges, """
            reference,account_id,amount,description,tax_category,msisdn,date,kind
            CH-1,B-1,25.00,Handset,zero,07700900950,2026-12-03,
            CH-2,B-2,-5.00,Goodwill credit,,,,adjustment
            """);
        var payments = _work.File("payments.csv");
        File.WriteAllText(payments, """
            reference,account_id,amount,paid_at,currency,invoice
            BANK-1,B-1,50.00,2026-12-10T09:30:00Z,GBP,INV-2026-000001
            BANK-2,B-2,10.00,2026-12-11,,
            """);

        var bad = Billing("charges", "import", badCharges);
        var imported = Ok(Billing("charges", "import", charges));
        var again = Ok(Billing("charges", "import", charges));
        var adjustment = Json(Billing("charges", "add", "B-1", "-5.00", "--kind", "adjustment", "--description", "Goodwill credit", "--json"));
        var paid = Ok(Billing("payments", "import", payments));
        var paidAgain = Ok(Billing("payments", "import", payments));
        var added = Ok(Billing("payments", "add", "B-2", "26.00", "--reference", "BANK-3", "--at", "2026-12-12"));

        Assert.Equal(2, bad.Exit);
        Assert.Equal(
            $"Nothing recorded: 2 row(s) of {badCharges} need fixing:\n  {badCharges}:3: no account 'NOBODY'\n  {badCharges}:4: amount 1.001 has more decimals than GBP allows (2)\n",
            bad.Out.ReplaceLineEndings("\n"));
        Assert.StartsWith($"{charges}: recorded 2 charge(s) (net 20.00 GBP) for the accounts' next invoices; 0 already recorded", imported, StringComparison.Ordinal);
        Assert.StartsWith($"{charges}: recorded 0 charge(s) for the accounts' next invoices; 2 already recorded by an earlier import (same reference): nothing recorded twice.", again, StringComparison.Ordinal);
        var recorded = Assert.Single(adjustment.GetProperty("recorded").EnumerateArray());
        var today = SystemClock.Instance.GetCurrentInstant().InZone(DateTimeZoneProviders.Tzdb["Europe/London"]).Date.ToString("uuuu-MM-dd", null);
        Assert.Equal(("adjustment", "-5.00", "standard", today),
            (recorded.GetProperty("kind").GetString(), recorded.GetProperty("amount").GetString(), recorded.GetProperty("taxCategory").GetString(), recorded.GetProperty("date").GetString()));
        Assert.StartsWith($"{payments}: recorded 2 payment(s) (60.00 GBP); 0 already recorded", paid, StringComparison.Ordinal);
        Assert.Equal("BANK-1 B-1 50.00 INV-2026-000001 36.00 14.00", Row(paid, "BANK-1"));
        Assert.Equal("BANK-2 B-2 10.00 INV-2026-000002 10.00 0.00", Row(paid, "BANK-2"));
        Assert.StartsWith($"{payments}: recorded 0 payment(s); 2 already recorded by an earlier import (same reference): nothing recorded twice.", paidAgain, StringComparison.Ordinal);
        Assert.Equal("Recorded payment BANK-3: 26.00 GBP from B-2, paid 2026-12-12 00:00 UTC. 26.00 to INV-2026-000002.", added.Trim());
        Assert.Equal((0m, 0m), (_world.Outstanding("INV-2026-000001"), _world.Outstanding("INV-2026-000002")));
    }
}
