using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Billing.Core.Usage;
using Billing.Storage.Invoicing;
using NodaTime;
using NodaTime.Text;

namespace Billing.Cli.Commands;

/// <summary>billing invoices list | show | render | pdf: invoices as finance reads them, as JSON, or as PDF documents.</summary>
public static partial class InvoiceCommands
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static Command Build(Cli cli)
    {
        ArgumentNullException.ThrowIfNull(cli);
        var account = new Option<string?>("--account") { Description = "Only this account's" };
        var run = new Option<string?>("--run") { Description = "Only this bill run's: its date (2026-12-01) or number" };
        var status = new Option<string?>("--status") { Description = "Only draft or issued invoices" };
        var limit = new Option<int>("--limit") { Description = "How many, newest first (at least 1)", DefaultValueFactory = _ => 50 }.AtLeast(1);
        var list = new Command("list", "Invoices, newest first: number, account, period, totals, amount due and what is still outstanding") { account, run, status, limit };
        list.SetAction(p => cli.Run(p, g => List(g, p.GetValue(account), p.GetValue(run), p.GetValue(status), p.GetValue(limit), Console.Out)));
        var number = new Argument<string?>("number") { Description = "The invoice number (INV-2026-000001)", Arity = ArgumentArity.ZeroOrOne };
        var cycleEnd = new Option<string?>("--cycle-end") { Description = "With --account instead of NUMBER: the invoice (issued, else the draft) of the cycle ending on this date (exclusive, yyyy-MM-dd)" };
        var show = new Command("show", "One invoice: header, lines, taxes, totals and the account balance") { number, account, cycleEnd };
        show.SetAction(p => cli.Run(p, g => Show(g, p.GetValue(number), p.GetValue(account), p.GetValue(cycleEnd), Console.Out)));
        return new Command("invoices", "Invoices, drafts and issued") { list, show, RenderCommand(cli), PdfCommand(cli) };
    }

    public static int List(GlobalOptions g, string? account, string? run, string? status, int limit, TextWriter output)
    {
        if (status is not (null or "draft" or "issued"))
        {
            throw new UserErrorException($"--status must be draft or issued, not '{status}'.");
        }

        if (limit < 1)
        {
            throw new UserErrorException($"--limit must be at least 1, not {limit}.");
        }

        using var rt = Runtime.Start(g);
        using var conn = rt.Db.Open();
        long? runId = run is null ? null : (BillRunStore.Find(conn, run) ?? throw new UserErrorException($"No bill run '{run}' (give its number or its date; `billing bill-run list`).")).Id;
        var invoices = InvoiceStore.List(conn, new InvoiceFilter(account, runId, status, limit));
        if (g.Json)
        {
            output.WriteLine(JsonSerializer.Serialize(invoices.Select(i => new
            {
                number = i.Number,
                account = i.AccountId,
                run = i.RunId,
                status = i.Status,
                currency = i.Currency,
                periodStart = Iso(i.CycleStart),
                periodEnd = Iso(i.CycleEnd),
                issueDate = Iso(i.IssueDate),
                dueDate = Iso(i.DueDate),
                subtotal = MoneyText.Json(i.Subtotal, i.Currency),
                tax = MoneyText.Json(i.Tax, i.Currency),
                total = MoneyText.Json(i.Total, i.Currency),
                amountDue = MoneyText.Json(i.AmountDue, i.Currency),
                outstanding = i.Outstanding is { } o ? MoneyText.Json(o, i.Currency) : null,
            }), BillingConfig.Json));
            return 0;
        }

        if (invoices.Count == 0)
        {
            output.WriteLine("No invoices match: `billing bill-run DATE` makes drafts, `billing bill-run approve` issues them.");
            return 0;
        }

        output.Write(Table(invoices));
        output.WriteLine($"Showing {invoices.Count}, newest first; periods are inclusive here (the JSON's periodEnd is exclusive).");
        return 0;
    }

    /// <summary>The invoice list as a table: number, account, run, period (inclusive), dates, total, amount due, what is outstanding.</summary>
    internal static string Table(IEnumerable<StoredInvoice> invoices)
    {
        var table = new TextTable("number", "account", "run", "period", "issued", "due", "currency", "total", "amount due", "outstanding");
        foreach (var i in invoices)
        {
            table.Add(i.Number ?? "(draft)", i.AccountId, i.RunId is { } r ? $"#{r}" : "", Period(i.CycleStart, i.CycleEnd), Iso(i.IssueDate), Iso(i.DueDate), i.Currency,
                BillRunCommands.Amount(i.Total, i.Currency), BillRunCommands.Amount(i.AmountDue, i.Currency), i.Outstanding is { } o ? BillRunCommands.Amount(o, i.Currency) : "");
        }

        return table.ToString();
    }

    public static int Show(GlobalOptions g, string? number, string? account, string? cycleEndText, TextWriter output)
    {
        var byNumber = number is not null && account is null && cycleEndText is null;
        var byCycle = number is null && account is not null && cycleEndText is not null;
        if (!byNumber && !byCycle)
        {
            throw new UserErrorException("Give an invoice NUMBER, or --account ID --cycle-end DATE for the invoice (or draft) of a cycle.");
        }

        using var rt = Runtime.Start(g);
        using var conn = rt.Db.Open();
        StoredInvoice invoice;
        if (number is not null)
        {
            invoice = InvoiceStore.Read(conn, number) ?? throw new UserErrorException($"No invoice {number} (`billing invoices list` shows them; a draft has no number yet: --account ID --cycle-end DATE).");
        }
        else
        {
            var parsed = LocalDatePattern.Iso.Parse(cycleEndText!);
            var cycleEnd = parsed.Success ? parsed.Value : throw new UserErrorException($"--cycle-end '{cycleEndText}' is not a date (yyyy-MM-dd).");
            invoice = InvoiceStore.ReadForCycle(conn, account!, cycleEnd) ?? throw new UserErrorException($"Account {account} has no invoice for the cycle ending {cycleEndText}.");
        }

        var suspensions = Billing.Storage.Dunning.DunningStore.OnInvoices(conn, [invoice.Id])[invoice.Id].ToList();
        if (g.Json)
        {
            output.WriteLine(JsonSerializer.Serialize(Json(invoice, suspensions), BillingConfig.Json));
            return 0;
        }

        Print(invoice, suspensions, output);
        return 0;
    }

    /// <summary>The JSON of one invoice, as README documents it: amounts as decimal strings, dates ISO, periodEnd exclusive.</summary>
    public static object Json(StoredInvoice invoice, IReadOnlyList<Billing.Core.Documents.DocumentSuspension> suspensions)
    {
        ArgumentNullException.ThrowIfNull(suspensions);
        ArgumentNullException.ThrowIfNull(invoice);
        var c = invoice.Currency;
        return new
        {
            number = invoice.Number,
            account = invoice.AccountId,
            run = invoice.RunId,
            status = invoice.Status,
            currency = c,
            periodStart = Iso(invoice.CycleStart),
            periodEnd = Iso(invoice.CycleEnd),
            issueDate = Iso(invoice.IssueDate),
            dueDate = Iso(invoice.DueDate),
            lines = invoice.Lines.Select(l => new
            {
                kind = l.Kind,
                description = l.Description,
                msisdn = l.Msisdn,
                service = l.Service is { } s ? ((ServiceType)s).Code() : null,
                destinationGroup = l.DestinationGroup,
                quantity = l.Quantity,
                periodStart = Iso(l.PeriodStart),
                periodEnd = Iso(l.PeriodEnd),
                taxCategory = l.TaxCategory,
                amount = MoneyText.Json(l.Amount, c),
            }),
            taxes = invoice.Taxes.Select(t => new { category = t.Category, rate = MoneyText.Exact(t.Rate), @base = MoneyText.Json(t.Base, c), amount = MoneyText.Json(t.Amount, c) }),
            subtotal = MoneyText.Json(invoice.Subtotal, c),
            tax = MoneyText.Json(invoice.Tax, c),
            total = MoneyText.Json(invoice.Total, c),
            previousBalance = MoneyText.Json(invoice.PreviousBalance, c),
            paymentsAndCredits = MoneyText.Json(invoice.PaymentsAndCredits, c),
            amountDue = MoneyText.Json(invoice.AmountDue, c),
            suspensions = suspensions.Select(x => new { msisdn = x.Msisdn, since = Iso(x.Since), until = x.Until is { } u ? Iso(u) : null, reason = x.Reason }),
        };
    }

    private static void Print(StoredInvoice i, IReadOnlyList<Billing.Core.Documents.DocumentSuspension> suspensions, TextWriter output)
    {
        string A(decimal amount) => BillRunCommands.Amount(amount, i.Currency);
        output.WriteLine(i.Number is { } n ? $"Invoice {n}" : "DRAFT invoice (not issued: no number yet)");
        output.WriteLine($"  account   {i.AccountId}  {i.AccountName}");
        output.WriteLine($"  period    {Period(i.CycleStart, i.CycleEnd)}");
        output.WriteLine($"  issued    {Iso(i.IssueDate)}   due {Iso(i.DueDate)}   bill run {(i.RunId is { } r ? $"#{r}" : "-")}   {i.Status}");
        foreach (var x in suspensions)
        {
            output.WriteLine($"  suspended +{x.Msisdn} {(x.Until is { } until ? $"from {Iso(x.Since)} to {Iso(until)}" : $"since {Iso(x.Since)}")}: {x.Reason}");
        }

        output.WriteLine();
        var lines = new TextTable("#", "kind", "description", "number", "quantity", "period", "tax", $"amount {i.Currency}");
        foreach (var l in i.Lines)
        {
            lines.Add(l.LineNo, l.Kind, l.Description, l.Msisdn is { } m ? "+" + m : "", Quantity(l), Period(l.PeriodStart, l.PeriodEnd), l.TaxCategory, A(l.Amount));
        }

        output.Write(lines.ToString());
        output.WriteLine();
        var taxes = new TextTable("tax", "category", "rate", "base", "amount");
        foreach (var t in i.Taxes)
        {
            taxes.Add(t.Name, t.Category, (t.Rate * 100m).ToString("0.##", Inv) + "%", A(t.Base), A(t.Amount));
        }

        output.Write(taxes.ToString());
        output.WriteLine();
        var totals = new TextTable("", i.Currency);
        totals.Add("Subtotal", A(i.Subtotal)).Add("Tax", A(i.Tax)).Add("Total (current charges)", A(i.Total));
        totals.Add("Previous balance", A(i.PreviousBalance)).Add("Payments and credits", A(-i.PaymentsAndCredits)).Add($"Amount due by {Iso(i.DueDate)}", A(i.AmountDue));
        if (i.Outstanding is { } o)
        {
            totals.Add("Of this invoice still outstanding", A(o));
        }

        output.Write(totals.ToString());
        if (i.AmountDue < 0m)
        {
            output.WriteLine($"A credit of {A(-i.AmountDue)} {i.Currency} is carried forward to the next invoice.");
        }
    }

    internal static string Quantity(StoredInvoiceLine l) => l.Quantity is not { } q ? "" : l.Kind == "recurring" ? $"{q} days" : (ServiceType?)l.Service switch
    {
        ServiceType.Voice => $"{q:N0} s",
        ServiceType.Sms => $"{q:N0} SMS",
        ServiceType.Data => $"{q:N0} B",
        _ => q.ToString("N0", Inv),
    };

    /// <summary>A half-open period of days as people read it: its first and last day.</summary>
    internal static string Period(LocalDate from, LocalDate toExclusive) =>
        toExclusive == from.PlusDays(1) ? Iso(from) : $"{Iso(from)} – {Iso(toExclusive.PlusDays(-1))}";

    private static string Iso(LocalDate d) => d.ToString("uuuu-MM-dd", Inv);
}
