using Billing.Core.Documents;
using Billing.Core.Invoicing;
using Billing.Core.Usage;
using Billing.Documents;
using NodaTime;

namespace Billing.Core.Tests.Documents;

/// <summary>Invoices as the store would load them, and the shipped template to draw them with.</summary>
internal static class SampleDocuments
{
    private static readonly Lazy<InvoiceRenderer> Shipped = new(() =>
        new InvoiceRenderer(InvoiceTemplate.Load(Path.Combine(RepositoryRoot.Find(), "templates", "invoices", "default")), Path.Combine(RepositoryRoot.Find(), "templates", "fonts")));

    public static InvoiceRenderer Renderer => Shipped.Value;

    /// <summary>The shipped template with some of its English texts replaced (a copy in a temporary folder, removed once loaded).</summary>
    public static InvoiceRenderer RendererWith(params (string Key, string Text)[] texts)
    {
        var source = Path.Combine(RepositoryRoot.Find(), "templates", "invoices", "default");
        var copy = Directory.CreateTempSubdirectory("billing-template-").FullName;
        try
        {
            foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
            {
                var target = Path.Combine(copy, Path.GetRelativePath(source, file));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(file, target);
            }

            var strings = Path.Combine(copy, "en", "strings.txt");
            File.WriteAllLines(strings, File.ReadAllLines(strings).Select(line =>
                texts.FirstOrDefault(t => line.StartsWith(t.Key + " = ", StringComparison.Ordinal)) is { Key: not null } t ? $"{t.Key} = {t.Text}" : line));
            return new InvoiceRenderer(InvoiceTemplate.Load(copy), Path.Combine(RepositoryRoot.Find(), "templates", "fonts"));
        }
        finally
        {
            Directory.Delete(copy, recursive: true);
        }
    }

    public static readonly LocalDate CycleStart = new(2026, 11, 1);

    public static readonly LocalDate CycleEnd = new(2026, 12, 1);

    /// <summary>
    /// INV-2026-000042: two subscribers, a prorated recurring fee, usage with allowance, late usage,
    /// a one-time charge, a discount and an adjustment; 23 % VAT; <paramref name="annex"/> usage records.
    /// </summary>
    public static InvoiceDocument Invoice(int annex = 60, string language = "en", string name = "Zoë Müller", IReadOnlyList<string>? address = null)
    {
        var lines = new List<DocumentLine>
        {
            Line(InvoiceLineKind.Recurring, "Plan Smart 30", "48600100200", null, null, 30, null, CycleStart, CycleEnd, 30.00m),
            Line(InvoiceLineKind.Recurring, "Plan Smart 30", "48600100300", null, null, 16, null, new LocalDate(2026, 11, 15), CycleEnd, 16.00m),
            Line(InvoiceLineKind.Usage, "Calls national", "48600100200", ServiceType.Voice, "national", 7_260, 3_000, CycleStart, CycleEnd, 12.34m),
            Line(InvoiceLineKind.Usage, "Calls international", "48600100200", ServiceType.Voice, "international", 1_230, 0, CycleStart, CycleEnd, 1_234.56m),
            Line(InvoiceLineKind.Usage, "SMS", "48600100300", ServiceType.Sms, "national", 37, 20, CycleStart, CycleEnd, 1.70m),
            Line(InvoiceLineKind.Usage, "Data", "48600100300", ServiceType.Data, null, 2_500_000_000, 2_000_000_000, CycleStart, CycleEnd, 5.00m),
            Line(InvoiceLineKind.LateUsage, "Calls national (October)", "48600100200", ServiceType.Voice, "national", 120, 0, new LocalDate(2026, 10, 1), CycleStart, 0.40m),
            Line(InvoiceLineKind.OneTime, "SIM replacement", "48600100300", null, null, null, null, new LocalDate(2026, 11, 20), new LocalDate(2026, 11, 21), 10.00m),
            Line(InvoiceLineKind.Discount, "Loyalty 10 %", null, null, null, null, null, CycleStart, CycleEnd, -4.60m),
            Line(InvoiceLineKind.Adjustment, "Goodwill credit", null, null, null, null, null, CycleStart, CycleEnd, -2.00m),
        };
        var subtotal = lines.Sum(l => l.Amount);
        var tax = Math.Round(subtotal * 0.23m, 2, MidpointRounding.AwayFromZero);
        var records = Enumerable.Range(0, annex).Select(i => new AnnexRecord(
            i % 2 == 0 ? "48600100200" : "48600100300",
            CycleStart.PlusDays(i % 30).At(new LocalTime(8 + i % 12, i % 60, i % 37)),
            (ServiceType)(i % 3 + 1),
            i % 3 == 2 ? null : "4822" + (1_000_000 + i).ToString(System.Globalization.CultureInfo.InvariantCulture),
            i % 3 == 0 ? 61 + i : i % 3 == 1 ? 1 : 1_048_576L * (i + 1),
            0.012345m * (i + 1),
            i == 7)).OrderBy(r => r.Msisdn, StringComparer.Ordinal).ThenBy(r => r.Start).ToList();
        return new InvoiceDocument
        {
            Kind = DocumentKind.Invoice,
            Number = "INV-2026-000042",
            Currency = "PLN",
            IssueDate = CycleEnd,
            DueDate = CycleEnd.PlusDays(14),
            PeriodStart = CycleStart,
            PeriodEnd = CycleEnd,
            IssuedAt = Instant.FromUtc(2026, 12, 1, 6, 30),
            Customer = new DocumentCustomer("ACC-1001", name, address ?? ["ul. Piotrkowska 104", "90-926 Łódź", "Poland"], language),
            PaymentReference = "INV-2026-000042",
            Summary = new DocumentSummary(150.00m, 150.00m, subtotal, tax, subtotal + tax, subtotal + tax),
            Lines = lines,
            Taxes = [new DocumentTax("VAT 23 %", 0.23m, subtotal, tax)],
            Payments = [new DocumentPayment(new LocalDate(2026, 11, 10), "PAY-7781", 150.00m)],
            DailySpend = Enumerable.Range(0, 30).SelectMany(i => new[]
            {
                new DailySpend(CycleStart.PlusDays(i), ServiceType.Voice, 1.5m + i % 7),
                new DailySpend(CycleStart.PlusDays(i), ServiceType.Sms, 0.3m * (i % 3)),
                new DailySpend(CycleStart.PlusDays(i), ServiceType.Data, i % 5 == 0 ? 2m : 0.5m),
            }).ToList(),
            Annex = records,
        };
    }

    public static InvoiceDocument CreditNote(string language = "en") => new()
    {
        Kind = DocumentKind.CreditNote,
        Number = "CN-2026-000007",
        Currency = "PLN",
        IssueDate = new LocalDate(2026, 12, 5),
        DueDate = new LocalDate(2026, 12, 5),
        PeriodStart = CycleStart,
        PeriodEnd = CycleEnd,
        IssuedAt = Instant.FromUtc(2026, 12, 5, 10, 0),
        Customer = new DocumentCustomer("ACC-1001", "Zoë Müller", ["Rua Augusta 10", "01305-000 São Paulo", "Brazil"], language),
        PaymentReference = "CN-2026-000007",
        Summary = new DocumentSummary(0m, 0m, -10.00m, -2.30m, -12.30m, -12.30m),
        Lines = [Line(InvoiceLineKind.Adjustment, "SIM replacement charged twice", null, null, null, null, null, CycleStart, CycleEnd, -10.00m)],
        Taxes = [new DocumentTax("VAT 23 %", 0.23m, -10.00m, -2.30m)],
        CreditedInvoice = "INV-2026-000042",
        Reason = "SIM replacement charged twice",
    };

    private static DocumentLine Line(InvoiceLineKind kind, string description, string? msisdn, ServiceType? service, string? group, long? quantity, long? allowance, LocalDate from, LocalDate to, decimal amount) =>
        new(kind, description, msisdn, service, group, quantity, allowance, from, to, "standard", amount);
}
