using System.Text;
using Billing.Core.Documents;
using Billing.Core.Invoicing;
using Billing.Core.Money;
using Billing.Core.Usage;
using Dapper;
using NodaTime;
using Npgsql;

namespace Billing.Storage.Documents;

/// <summary>A file written to the document store, as recorded.</summary>
public sealed record RenderedDocument(DocumentKind Kind, string Number, string Path, long SizeBytes, string Sha256, Instant RenderedAt);

/// <summary>
/// What documents are drawn from: issued invoices and credit notes loaded with everything their PDF
/// shows (lines, taxes, account name, address and language, payments and credits, daily spend per
/// service, the itemised annex) in a few set-based queries per batch; and the record of each file
/// written (<c>documents</c>: path, size, SHA-256).
/// </summary>
public static class DocumentStore
{
    /// <summary>The numbers of a bill run's issued invoices (of one batch's accounts when <paramref name="accounts"/> is given), in number order.</summary>
    public static IReadOnlyList<string> InvoiceNumbers(NpgsqlConnection conn, long runId, IReadOnlyCollection<string>? accounts = null) =>
        conn.Query<string>("""
            SELECT number FROM invoices
            WHERE run_id = @runId AND status = 'issued' AND (@accounts::text[] IS NULL OR account_id = ANY(@accounts))
            ORDER BY number
            """, new { runId, accounts = accounts?.ToArray() }).AsList();

    /// <summary>
    /// A bill run's issued invoices with no PDF recorded whose account is in none of its batches: issued under an earlier
    /// plan of the run, which a later plan (of the accounts still to issue) replaced.
    /// </summary>
    public static IReadOnlyList<string> UnplannedUnrendered(NpgsqlConnection conn, long runId) =>
        conn.Query<string>("""
            SELECT i.number FROM invoices i
            WHERE i.run_id = @runId AND i.status = 'issued'
              AND i.account_id NOT IN (SELECT unnest(b.accounts) FROM bill_run_batches b WHERE b.run_id = @runId)
              AND NOT EXISTS (SELECT 1 FROM documents d WHERE d.kind = 'invoice' AND d.number = i.number)
            ORDER BY i.number
            """, new { runId }).AsList();

    /// <summary>The numbers of the credit notes against a bill run's invoices.</summary>
    public static IReadOnlyList<string> CreditNoteNumbers(NpgsqlConnection conn, long runId) =>
        conn.Query<string>("""
            SELECT n.number FROM credit_notes n JOIN invoices i ON i.id = n.invoice_id WHERE i.run_id = @runId ORDER BY n.number
            """, new { runId }).AsList();

    /// <summary>Which kind of document <paramref name="number"/> is, or null if no issued invoice or credit note has it.</summary>
    public static DocumentKind? KindOf(NpgsqlConnection conn, string number) =>
        conn.ExecuteScalar<string?>("""
            SELECT 'invoice' FROM invoices WHERE number = @number AND status = 'issued'
            UNION ALL SELECT 'credit-note' FROM credit_notes WHERE number = @number
            LIMIT 1
            """, new { number }) switch
        {
            "invoice" => DocumentKind.Invoice,
            "credit-note" => DocumentKind.CreditNote,
            _ => null,
        };

    /// <summary>
    /// The invoices a chunk loads, as every query after the first reads them: the numbers are looked up once (with the
    /// account's zone and whether its annex is on), and each query after joins these ids, not the numbers and the
    /// accounts again — which, inlined in each query, PostgreSQL answered with a scan of accounts or a table of lines
    /// that grew with the database (5 ms a query for 200 invoices among 20,000). The lines and taxes are read per invoice
    /// (<c>LATERAL</c>, by their primary keys, in their order): joined to the whole list, PostgreSQL hashed all of a table
    /// small enough to look cheap to it — every invoice's lines for 200 invoices among 1,000, 21 ms against 3 ms, and
    /// every invoice's taxes at 20,000 (6–11 ms a chunk).
    /// </summary>
    private const string Batch = """
        WITH b AS (SELECT * FROM unnest(@ids, @zones, @annexes) AS b(id, zone, annex))
        """;

    /// <summary>
    /// The issued invoices with these numbers as documents, in the order asked (unknown numbers are
    /// left out). The annex is loaded for accounts that have it on, when <paramref name="annex"/> is on.
    /// </summary>
    public static IReadOnlyList<InvoiceDocument> LoadInvoices(NpgsqlConnection conn, IReadOnlyCollection<string> numbers, bool annex)
    {
        ArgumentNullException.ThrowIfNull(numbers);
        if (numbers.Count == 0)
        {
            return [];
        }

        var heads = conn.Query<InvoiceHead>("""
            SELECT i.id, i.number, i.account_id, a.name, a.billing_address, a.language, trim(i.currency) AS currency,
                   i.cycle_start, i.cycle_end, i.issue_date, i.due_date, i.issued_at, i.subtotal, i.tax, i.total,
                   i.previous_balance, i.payments_and_credits, i.amount_due, a.time_zone, a.itemised_annex AND @annex AS annex
            FROM invoices i JOIN accounts a ON a.id = i.account_id
            WHERE i.number = ANY(@numbers) AND i.status = 'issued'
            ORDER BY i.id
            """, new { numbers = numbers.ToArray(), annex }).AsList();
        if (heads.Count == 0)
        {
            return [];
        }

        var chunk = new { ids = heads.Select(h => h.Id).ToArray(), zones = heads.Select(h => h.TimeZone).ToArray(), annexes = heads.Select(h => h.Annex).ToArray() };
        using var q = conn.QueryMultiple($$"""
            {{Batch}}
            SELECT l.invoice_id, l.kind, l.description, l.msisdn, l.service, l.destination_group, l.quantity, l.allowance_used,
                   l.period_start, l.period_end, l.tax_category, l.amount
            FROM b CROSS JOIN LATERAL (SELECT * FROM invoice_lines l WHERE l.invoice_id = b.id ORDER BY l.line_no) l;

            {{Batch}}
            SELECT t.invoice_id, t.name, t.rate, t.base, t.amount
            FROM b CROSS JOIN LATERAL (SELECT * FROM invoice_taxes t WHERE t.invoice_id = b.id ORDER BY t.category) t;

            -- Payments and credit notes recorded after the account's previous issued invoice, up to this one.
            {{Batch}}
            SELECT i.id AS invoice_id, (p.at AT TIME ZONE b.zone)::date AS day, p.reference, p.amount
            FROM b JOIN invoices i ON i.id = b.id
            CROSS JOIN LATERAL (
                SELECT max(prev.issued_at) AS since FROM invoices prev
                WHERE prev.account_id = i.account_id AND prev.status = 'issued' AND prev.issued_at < i.issued_at) w
            JOIN LATERAL (
                SELECT pm.paid_at AS at, pm.reference, pm.amount FROM payments pm
                WHERE pm.account_id = i.account_id AND pm.created_at <= i.issued_at AND (w.since IS NULL OR pm.created_at > w.since)
                UNION ALL
                SELECT n.created_at, n.number, -n.total FROM credit_notes n
                WHERE n.account_id = i.account_id AND n.created_at <= i.issued_at AND (w.since IS NULL OR n.created_at > w.since)) p ON true
            ORDER BY i.id, p.at, p.reference;

            -- Daily spend per service over the cycle (the cycle's own charges, on the account's local days), by
            -- subscription: rated_charges is indexed on (subscription_id, cycle_start, …), not on the account.
            -- Only for invoices without the annex: the annex holds the same charges, summed in C#.
            {{Batch}}
            SELECT b.id AS invoice_id, (r.start_utc AT TIME ZONE b.zone)::date AS day, r.service, sum(r.amount) AS amount
            FROM b JOIN invoices i ON i.id = b.id JOIN subscriptions s ON s.account_id = i.account_id
            JOIN rated_charges r ON r.subscription_id = s.id AND r.cycle_start = i.cycle_start AND NOT r.late
            WHERE NOT b.annex
            GROUP BY b.id, 2, r.service ORDER BY b.id, 2, r.service;
            """, chunk);

        var lines = q.Read<LineRow>().ToLookup(l => l.InvoiceId);
        var taxes = q.Read<TaxRow>().ToLookup(t => t.InvoiceId);
        var payments = q.Read<PaymentRow>().ToLookup(p => p.InvoiceId);
        var spend = q.Read<SpendRow>().ToLookup(s => s.InvoiceId);
        // Texts that repeat (a line's description and tax category, a subscriber's number) kept once per chunk, not once per
        // document or record: the documents wait in memory to be drawn, and each collection meanwhile copies what they hold.
        var strings = new Strings();
        var annexOf = chunk.annexes.Contains(true) ? Annex(conn, chunk.ids, chunk.zones, chunk.annexes, strings) : []; // on the connection the grids' reader, read to the end, has left
        var byNumber = heads.ToDictionary(h => h.Number, StringComparer.Ordinal);
        var suspensions = Dunning.DunningStore.OnInvoices(conn, [.. heads.Select(h => h.Id)]);
        return numbers.Where(byNumber.ContainsKey).Select(n =>
        {
            var h = byNumber[n];
            var M = Minor(h);
            var records = annexOf.GetValueOrDefault(h.Id, []);
            return Head(h, DocumentKind.Invoice) with
            {
                Suspensions = [.. suspensions[h.Id]],
                Lines = lines[h.Id].Select(l => new DocumentLine(
                    InvoiceLineKinds.TryParse(l.Kind, out var kind) ? kind : throw new InvalidDataException($"invoice {h.Number}: unknown line kind '{l.Kind}'"),
                    strings.Once(l.Description), strings.Once(l.Msisdn), (ServiceType?)l.Service, strings.Once(l.DestinationGroup), l.Quantity, l.AllowanceUsed,
                    l.PeriodStart, l.PeriodEnd, strings.Once(l.TaxCategory), M(l.Amount))).ToList(),
                Taxes = taxes[h.Id].Select(t => new DocumentTax(strings.Once(t.Name), t.Rate, M(t.Base), M(t.Amount))).ToList(),
                Payments = payments[h.Id].Select(p => new DocumentPayment(p.Day, p.Reference, M(p.Amount))).ToList(),
                DailySpend = spend.Contains(h.Id)
                    ? spend[h.Id].Select(s => new DailySpend(s.Day, (ServiceType)s.Service, s.Amount)).ToArray()
                    : SpendOf(records),
                Annex = records,
            };
        }).ToList();
    }

    /// <summary>
    /// The daily spend of an invoice whose annex was loaded: its records of the cycle (not the late ones), summed per
    /// local day and service — what the spend query sums for an invoice without the annex.
    /// </summary>
    private static DailySpend[] SpendOf(AnnexRecord[] annex)
    {
        var sums = new Dictionary<(LocalDate Day, ServiceType Service), decimal>();
        foreach (var a in annex)
        {
            if (!a.Late)
            {
                var key = (a.Start.Date, a.Service);
                sums[key] = sums.GetValueOrDefault(key) + a.Amount;
            }
        }

        var spend = new DailySpend[sums.Count];
        var i = 0;
        foreach (var ((day, service), amount) in sums)
        {
            spend[i++] = new DailySpend(day, service, amount);
        }

        Array.Sort(spend, static (x, y) => x.Day != y.Day ? x.Day.CompareTo(y.Day) : x.Service.CompareTo(y.Service));
        return spend;
    }

    /// <summary>
    /// The annex of each invoice of the chunk (ids, with their zones) whose annex is on: the cycle's charges and the late ones the
    /// invoice bills, per subscriber then time. From the charges alone: each holds its record's event time and
    /// destination, and its subscription the number. Read row by row straight into the records (the most rows a
    /// document has: no row object for each, and nothing but the records left when a collection comes mid-load);
    /// a subscriber's number is kept once per chunk, not once per record, and the numbers called by a document's records
    /// in one string (<see cref="AnnexRecord"/>), not one string each.
    /// The cycle's charges and the late ones are read apart (V0025), so the query reads this cycle's charges, not every
    /// cycle's; PostgreSQL returns them by invoice and each invoice's records are put in order here (subscriber, event
    /// time, usage id — the order PostgreSQL sorted in before, at about a quarter of the query's time).
    /// The event time is put in the account's zone here, by NodaTime as the core cuts cycles, not by PostgreSQL for
    /// every row (AT TIME ZONE was about a third of the query's time).
    /// </summary>
    private static Dictionary<long, AnnexRecord[]> Annex(NpgsqlConnection conn, long[] ids, string?[] zones, bool[] annexes, Strings strings)
    {
        using var cmd = new NpgsqlCommand($$"""
            {{Batch}}
            SELECT b.id AS invoice_id, s.msisdn, r.start_utc, r.service, r.destination, r.quantity, r.amount, r.late, r.usage_id
            FROM b JOIN invoices i ON i.id = b.id JOIN subscriptions s ON s.account_id = i.account_id
            JOIN LATERAL (
                SELECT r.start_utc, r.service, r.destination, r.quantity, r.amount, r.late, r.usage_id FROM rated_charges r
                WHERE r.subscription_id = s.id AND r.cycle_start = i.cycle_start AND NOT r.late
                UNION ALL
                SELECT r.start_utc, r.service, r.destination, r.quantity, r.amount, r.late, r.usage_id FROM rated_charges r
                WHERE r.late AND r.invoice_id = i.id AND r.subscription_id = s.id) r ON true
            WHERE b.annex
            ORDER BY b.id
            """, conn);
        cmd.Parameters.AddWithValue("ids", ids);
        cmd.Parameters.AddWithValue("zones", zones);
        cmd.Parameters.AddWithValue("annexes", annexes);
        var zoneOf = ids.Zip(zones).ToDictionary(x => x.First, x => x.Second);
        var annex = new Dictionary<long, AnnexRecord[]>();
        // A document's records, each with where its number called is in the document's one text of them (-1: none), and
        // what it is ordered by: its subscriber's number, event time (UTC: local times repeat when clocks go back) and usage id.
        var records = new List<(AnnexRecord Record, int From, int Length, Instant At, long UsageId)>(128);
        var numbersCalled = new StringBuilder(2048);
        var invoice = 0L;
        void Done()
        {
            records.Sort(static (x, y) =>
            {
                var c = string.CompareOrdinal(x.Record.Msisdn, y.Record.Msisdn);
                c = c != 0 ? c : x.At.CompareTo(y.At);
                return c != 0 ? c : x.UsageId.CompareTo(y.UsageId);
            });
            var text = numbersCalled.ToString();
            annex[invoice] = [.. records.Select(r => r.Length < 0 ? r.Record : new AnnexRecord(r.Record.Msisdn, r.Record.Start, r.Record.Service, text, r.From, r.Length, r.Record.Quantity, r.Record.Amount, r.Record.Late))];
            records.Clear();
            numbersCalled.Clear();
        }

        DateTimeZone zone = DateTimeZone.Utc;
        using (var reader = cmd.ExecuteReader())
        {
            while (reader.Read())
            {
                var id = reader.GetInt64(0);
                if (id != invoice)
                {
                    if (records.Count > 0)
                    {
                        Done();
                    }

                    zone = Zone(zoneOf[id]);
                }

                invoice = id;
                var (from, length) = (numbersCalled.Length, -1);
                if (!reader.IsDBNull(4))
                {
                    numbersCalled.Append(reader.GetString(4));
                    length = numbersCalled.Length - from;
                }

                var at = reader.GetFieldValue<Instant>(2);
                records.Add((new AnnexRecord(strings.Once(reader.GetString(1)), at.InZone(zone).LocalDateTime, (ServiceType)reader.GetInt16(3),
                    null, reader.GetInt64(5), reader.GetDecimal(6), reader.GetBoolean(7)), from, length, at, reader.GetInt64(8)));
            }
        }

        if (records.Count > 0)
        {
            Done();
        }

        return annex;
    }

    /// <summary>Equal texts as one string: the first of them met.</summary>
    private sealed class Strings
    {
        private readonly Dictionary<string, string> _seen = new(StringComparer.Ordinal);

        [return: System.Diagnostics.CodeAnalysis.NotNullIfNotNull(nameof(text))]
        public string? Once(string? text) => text is null ? null : _seen.TryGetValue(text, out var first) ? first : _seen[text] = text;
    }

    /// <summary>The account's time zone as the core knows it (the IANA database NodaTime carries, as cycles are cut in).</summary>
    private static DateTimeZone Zone(string? id) =>
        id is not null && DateTimeZoneProviders.Tzdb.GetZoneOrNull(id) is { } zone
            ? zone
            : throw new InvalidDataException($"account time zone '{id}' is not in the IANA time zone database");

    /// <summary>The credit notes with these numbers as documents, in the order asked (unknown numbers are left out).</summary>
    public static IReadOnlyList<InvoiceDocument> LoadCreditNotes(NpgsqlConnection conn, IReadOnlyCollection<string> numbers)
    {
        ArgumentNullException.ThrowIfNull(numbers);
        using var q = conn.QueryMultiple("""
            SELECT n.id, n.number, n.account_id, a.name, a.billing_address, a.language, trim(n.currency) AS currency,
                   i.cycle_start, i.cycle_end, n.issue_date, n.issue_date AS due_date, n.created_at AS issued_at, n.subtotal, n.tax, n.total,
                   0::numeric AS previous_balance, 0::numeric AS payments_and_credits, n.total AS amount_due, i.number AS credited, n.reason
            FROM credit_notes n JOIN invoices i ON i.id = n.invoice_id JOIN accounts a ON a.id = n.account_id
            WHERE n.number = ANY(@numbers);

            SELECT l.credit_note_id, l.description, l.tax_category, l.rate, l.net, l.tax
            FROM credit_note_lines l JOIN credit_notes n ON n.id = l.credit_note_id
            WHERE n.number = ANY(@numbers) ORDER BY l.credit_note_id, l.line_no;
            """, new { numbers = numbers.ToArray() });
        var heads = q.Read<InvoiceHead>().AsList();
        var lines = q.Read<(long NoteId, string Description, string Category, decimal Rate, decimal Net, decimal Tax)>().ToLookup(l => l.NoteId);
        var byNumber = heads.ToDictionary(h => h.Number, StringComparer.Ordinal);
        return numbers.Where(byNumber.ContainsKey).Select(n =>
        {
            var h = byNumber[n];
            var M = Minor(h);
            var noteLines = lines[h.Id].ToList();
            return Head(h, DocumentKind.CreditNote) with
            {
                Lines = noteLines.Select(l => new DocumentLine(InvoiceLineKind.Adjustment, l.Description, null, null, null, null, null, h.CycleStart, h.CycleEnd, l.Category, M(l.Net))).ToList(),
                Taxes = noteLines.GroupBy(l => (l.Category, l.Rate)).OrderBy(g => g.Key.Category, StringComparer.Ordinal)
                    .Select(g => new DocumentTax($"{g.Key.Category} {g.Key.Rate * 100m:0.##} %", g.Key.Rate, M(g.Sum(l => l.Net)), M(g.Sum(l => l.Tax)))).ToList(),
                CreditedInvoice = h.Credited,
                Reason = h.Reason,
            };
        }).ToList();
    }

    /// <summary>Records (or, re-rendered, replaces the record of) files written to the document store; in <paramref name="tx"/> when given.</summary>
    public static void Record(NpgsqlConnection conn, IReadOnlyList<RenderedDocument> documents, NpgsqlTransaction? tx = null)
    {
        ArgumentNullException.ThrowIfNull(documents);
        if (documents.Count == 0)
        {
            return;
        }

        conn.Execute("""
            INSERT INTO documents (kind, number, path, size_bytes, sha256, rendered_at)
            SELECT * FROM unnest(@kinds, @numbers, @paths, @sizes, @hashes, @at)
            ON CONFLICT (kind, number) DO UPDATE
            SET path = EXCLUDED.path, size_bytes = EXCLUDED.size_bytes, sha256 = EXCLUDED.sha256, rendered_at = EXCLUDED.rendered_at
            """, new
        {
            kinds = documents.Select(d => d.Kind.Code()).ToArray(),
            numbers = documents.Select(d => d.Number).ToArray(),
            paths = documents.Select(d => d.Path).ToArray(),
            sizes = documents.Select(d => d.SizeBytes).ToArray(),
            hashes = documents.Select(d => d.Sha256).ToArray(),
            at = documents.Select(d => d.RenderedAt).ToArray(),
        }, tx);
    }

    /// <summary>The recorded file of a document (of <paramref name="kind"/> when given), or null if it was never rendered.</summary>
    public static RenderedDocument? Find(NpgsqlConnection conn, string number, DocumentKind? kind = null) =>
        conn.Query<(string Kind, string Number, string Path, long Size, string Sha, Instant At)>("""
            SELECT kind, number, path, size_bytes, sha256, rendered_at FROM documents
            WHERE number = @number AND (@kind::text IS NULL OR kind = @kind) ORDER BY kind LIMIT 1
            """, new { number, kind = kind?.Code() })
            .Select(r => new RenderedDocument(DocumentKinds.Parse(r.Kind), r.Number, r.Path, r.Size, r.Sha, r.At))
            .FirstOrDefault();

    /// <summary>The recorded files of these documents of one kind, by number (a number not rendered is not in it), in one read.</summary>
    public static IReadOnlyDictionary<string, RenderedDocument> Recorded(NpgsqlConnection conn, DocumentKind kind, IReadOnlyCollection<string> numbers) =>
        conn.Query<(string Number, string Path, long Size, string Sha, Instant At)>(
            "SELECT number, path, size_bytes, sha256, rendered_at FROM documents WHERE kind = @kind AND number = ANY(@numbers)",
            new { kind = kind.Code(), numbers = numbers.ToArray() })
            .ToDictionary(r => r.Number, r => new RenderedDocument(kind, r.Number, r.Path, r.Size, r.Sha, r.At), StringComparer.Ordinal);

    /// <summary>How many documents of this kind the store has recorded.</summary>
    public static long Count(NpgsqlConnection conn, DocumentKind kind) =>
        conn.ExecuteScalar<long>("SELECT count(*) FROM documents WHERE kind = @kind", new { kind = kind.Code() });

    /// <summary>A bill run's issued invoices in number order, each with its recorded file (null: not rendered yet), in one read.</summary>
    public static IReadOnlyList<(string Number, RenderedDocument? File)> InvoiceFilesOfRun(NpgsqlConnection conn, long runId) =>
        conn.Query<(string Number, string? Path, long? Size, string? Sha, Instant? At)>("""
            SELECT i.number, d.path, d.size_bytes, d.sha256, d.rendered_at
            FROM invoices i LEFT JOIN documents d ON d.kind = 'invoice' AND d.number = i.number
            WHERE i.run_id = @runId AND i.status = 'issued'
            ORDER BY i.number
            """, new { runId })
            .Select(r => (r.Number, r.Path is null ? null : new RenderedDocument(DocumentKind.Invoice, r.Number, r.Path, r.Size!.Value, r.Sha!, r.At!.Value)))
            .AsList();

    /// <summary>Stored with 6 decimals, issued amounts are whole minor units: shown as such.</summary>
    private static Func<decimal, decimal> Minor(InvoiceHead h)
    {
        var currency = Currency.Of(h.Currency);
        return amount => Rounding.ToMinorUnit(amount, currency);
    }

    /// <summary>What invoices and credit notes share: number, dates, customer, the summary's figures.</summary>
    private static InvoiceDocument Head(InvoiceHead h, DocumentKind kind)
    {
        var M = Minor(h);
        return new InvoiceDocument
        {
            Kind = kind,
            Number = h.Number,
            Currency = h.Currency,
            IssueDate = h.IssueDate,
            DueDate = h.DueDate,
            PeriodStart = h.CycleStart,
            PeriodEnd = h.CycleEnd,
            IssuedAt = h.IssuedAt,
            Customer = Customer(h.AccountId, h.Name, h.BillingAddress, h.Language),
            PaymentReference = h.Number,
            Summary = new DocumentSummary(M(h.PreviousBalance), M(h.PaymentsAndCredits), M(h.Subtotal), M(h.Tax), M(h.Total), M(h.AmountDue)),
        };
    }

    /// <summary>Billing addresses are stored as one text: lines split at newlines (or, typed on one line, at ';').</summary>
    private static DocumentCustomer Customer(string account, string name, string address, string language) =>
        new(account, name, address.Split(address.Contains('\n', StringComparison.Ordinal) ? '\n' : ';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries), language);

    private sealed record InvoiceHead
    {
        public long Id { get; init; }
        public string Number { get; init; } = "";
        public string AccountId { get; init; } = "";
        public string Name { get; init; } = "";
        public string BillingAddress { get; init; } = "";
        public string Language { get; init; } = "";
        public string Currency { get; init; } = "";
        public LocalDate CycleStart { get; init; }
        public LocalDate CycleEnd { get; init; }
        public LocalDate IssueDate { get; init; }
        public LocalDate DueDate { get; init; }
        public Instant IssuedAt { get; init; }
        public decimal Subtotal { get; init; }
        public decimal Tax { get; init; }
        public decimal Total { get; init; }
        public decimal PreviousBalance { get; init; }
        public decimal PaymentsAndCredits { get; init; }
        public decimal AmountDue { get; init; }
        public string? Credited { get; init; }
        public string? Reason { get; init; }
        public string? TimeZone { get; init; }
        public bool Annex { get; init; }
    }

    private sealed record LineRow
    {
        public long InvoiceId { get; init; }
        public string Kind { get; init; } = "";
        public string Description { get; init; } = "";
        public string? Msisdn { get; init; }
        public short? Service { get; init; }
        public string? DestinationGroup { get; init; }
        public long? Quantity { get; init; }
        public long? AllowanceUsed { get; init; }
        public LocalDate PeriodStart { get; init; }
        public LocalDate PeriodEnd { get; init; }
        public string TaxCategory { get; init; } = "";
        public decimal Amount { get; init; }
    }

    private sealed record TaxRow
    {
        public long InvoiceId { get; init; }
        public string Name { get; init; } = "";
        public decimal Rate { get; init; }
        public decimal Base { get; init; }
        public decimal Amount { get; init; }
    }

    private sealed record PaymentRow
    {
        public long InvoiceId { get; init; }
        public LocalDate Day { get; init; }
        public string Reference { get; init; } = "";
        public decimal Amount { get; init; }
    }

    private sealed record SpendRow
    {
        public long InvoiceId { get; init; }
        public LocalDate Day { get; init; }
        public short Service { get; init; }
        public decimal Amount { get; init; }
    }
}
