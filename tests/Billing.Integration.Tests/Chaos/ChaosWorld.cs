using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Billing.Core.Accounts;
using Billing.Integration.Tests.Infrastructure;
using Billing.Integration.Tests.Prepaid;
using Dapper;
using NodaTime;

namespace Billing.Integration.Tests.Chaos;

/// <summary>
/// One database and one working folder (drop folder, document store, billing.json) with the same
/// generated data as every other world: postpaid accounts C-… (cycle day 1, billed in a run of one account
/// per batch; PDFs recorded one at a time, so a kill can land between one document and the next), prepaid accounts W-… topped up with little credit (thresholds, barring, overdraft), and
/// canonical CDR files of October 2026 with a few bad rows and a record repeated across files.
/// </summary>
public sealed class ChaosWorld : IDisposable
{
    public const int Postpaid = 6;
    public const int Prepaid = 4;

    /// <summary>Every account gets an invoice: the prepaid ones for the overdraft their usage ran up.</summary>
    public const int Accounts = Postpaid + Prepaid;
    public const int Files = 6;
    public const int RowsPerFile = 30;
    public const string RunDate = "2026-11-01";
    public const string DunningAsOf = "2026-12-20";

    /// <summary>Every issued invoice gets this issue instant before rendering: the one value two runs at different times give differently, and PDFs carry it.</summary>
    public static readonly Instant IssuedAt = Instant.FromUtc(2026, 11, 1, 6, 0);

    private readonly ScratchDatabase _db = new();
    private readonly TempDir _work = new();

    public ChaosWorld()
    {
        File.WriteAllText(Path.Combine(_work.Path, "billing.json"), """
            {
              "mediation": { "dropFolder": "drop", "settleSeconds": 0 },
              "invoicing": { "batchSize": 1 },
              "dunning": { "batchSize": 1 },
              "documents": { "chunkSize": 1 }
            }
            """);
        using var c = _db.Db.Open();
        RatingData.SaveTemplateCatalog(c, PrepaidData.Subscribed);
        for (var i = 0; i < Postpaid; i++)
        {
            RatingData.AddSubscriber(c, $"C-{i:00}", PostpaidMsisdn(i), "uk_postpaid_300", PrepaidData.Subscribed, billCycleDay: 1);
        }

        for (var i = 0; i < Prepaid; i++)
        {
            RatingData.AddSubscriber(c, $"W-{i:00}", PrepaidMsisdn(i), "uk_prepaid", PrepaidData.Subscribed, billCycleDay: 1, paymentType: PaymentType.Prepaid);
            PrepaidData.TopUp(_db.Db, PrepaidMsisdn(i), 3.00m + i, Instant.FromUtc(2026, 10, 1, 0, 0), $"chaos-topup-{i}");
        }

        for (var f = 0; f < Files; f++)
        {
            Drops.Put(Drop, "canonical", $"chaos-{f:00}.csv", CdrFile(f));
        }
    }

    public string Work => _work.Path;

    public string ConnectionString => _db.Db.ConnectionString;

    public string Drop => Path.Combine(_work.Path, "drop");

    public string Documents => Path.Combine(_work.Path, ".billing", "documents");

    public Npgsql.NpgsqlConnection Open() => _db.Db.Open();

    public void Dispose()
    {
        _db.Dispose();
        _work.Dispose();
    }

    private static string PostpaidMsisdn(int i) => $"4477009200{i:00}";

    private static string PrepaidMsisdn(int i) => $"4477009300{i:00}";

    /// <summary>File <paramref name="f"/>: calls, SMS and data of every subscriber, one bad service, one bad number, and (from the second file) the first file's first record again.</summary>
    private static string CdrFile(int f)
    {
        var random = new Random(1000 + f);
        var sb = new StringBuilder(Drops.CanonicalHeader).Append('\n');
        for (var r = 0; r < RowsPerFile; r++)
        {
            var who = random.Next(Postpaid + Prepaid);
            var msisdn = "+" + (who < Postpaid ? PostpaidMsisdn(who) : PrepaidMsisdn(who - Postpaid));
            var start = new DateTime(2026, 10, 2, 0, 0, 0, DateTimeKind.Utc).AddMinutes((f * 4000) + (r * 131) + random.Next(100));
            var at = start.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
            var line = (r % 3) switch
            {
                0 => $"f{f}-r{r},voice,{msisdn},+447700900{random.Next(1000):000},{at},{1 + random.Next(900)},,",
                1 => $"f{f}-r{r},sms,{msisdn},+4420794601{random.Next(100):00},{at},,,",
                _ => $"f{f}-r{r},data,{msisdn},,{at},,{1 + random.Next(30_000_000)},",
            };
            sb.Append(line).Append('\n');
        }

        sb.Append(CultureInfo.InvariantCulture, $"f{f}-bad-service,fax,+{PostpaidMsisdn(0)},+447700900123,2026-10-15T10:00:00Z,60,,\n");
        sb.Append(CultureInfo.InvariantCulture, $"f{f}-bad-number,voice,not-a-number,+447700900123,2026-10-15T10:00:00Z,60,,\n");
        if (f > 0)
        {
            sb.Append(CultureInfo.InvariantCulture, $"f0-r0,voice,+{PostpaidMsisdn(0)},+447700900001,2026-10-02T00:00:00Z,60,,\n");
        }

        return sb.ToString();
    }

    /// <summary>Surrogate ids and the instants of when things happened, which differ between two runs of the same work; compared through natural keys instead.</summary>
    private static readonly string[] Volatile =
    [
        "id", "usage_id", "file_id", "invoice_id", "run_id", "charge_id", "source_ids", "usage_ids_from", "usage_ids_to", "watermark", "overdraft_through", "path",
        "created_at", "updated_at", "posted_at", "rated_at", "started_at", "finished_at", "computed_at", "rendered_at",
        "first_held_at", "last_tried_at", "next_attempt_at", "resolved_at", "suspended_at", "lifted_at", "planned_at",
        "drafted_at", "approved_at", "approval_requested_at", "started_by", "created_by", "attempts",
    ];

    /// <summary>The end state, table by table, as sorted JSON rows without <see cref="Volatile"/> keys.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> EndState()
    {
        (string Name, string From, string Extra)[] tables =
        [
            ("cdr_files", "cdr_files t", "'{}'"),
            ("usage", "usage t JOIN cdr_files f ON f.id = t.file_id", "jsonb_build_object('file', f.file_name)"),
            ("suspense", "suspense t LEFT JOIN cdr_files f ON f.id = t.file_id LEFT JOIN usage u ON u.id = t.usage_id", "jsonb_build_object('file', f.file_name, 'record', u.record_key)"),
            ("rated_charges", "rated_charges t JOIN usage u ON u.id = t.usage_id LEFT JOIN invoices i ON i.id = t.invoice_id", "jsonb_build_object('record', u.record_key, 'invoice', i.number)"),
            ("rating_holds", "rating_holds t JOIN usage u ON u.id = t.usage_id", "jsonb_build_object('record', u.record_key)"),
            ("allowance_balances", "allowance_balances t", "'{}'"),
            ("wallets", "wallets t", "'{}'"),
            ("wallet_ledger", "wallet_ledger t LEFT JOIN usage u ON u.id = t.usage_id", "jsonb_build_object('record', u.record_key)"),
            ("prepaid_overdraft", "prepaid_overdraft t LEFT JOIN usage u ON u.id = t.usage_id", "jsonb_build_object('record', u.record_key)"),
            ("notifications", "notifications t", $"jsonb_build_object('dedupe_key', {NaturalKeysIn("t.dedupe_key")})"),
            ("invoices", "invoices t LEFT JOIN bill_runs b ON b.id = t.run_id", "jsonb_build_object('run', b.run_date)"),
            ("invoice_lines", "invoice_lines t JOIN invoices i ON i.id = t.invoice_id", "jsonb_build_object('invoice', i.number, 'account', i.account_id)"),
            ("invoice_taxes", "invoice_taxes t JOIN invoices i ON i.id = t.invoice_id", "jsonb_build_object('invoice', i.number, 'account', i.account_id)"),
            ("documents", "documents t", "jsonb_build_object('file', regexp_replace(t.path, '^.*/', ''))"),
            ("dunning_actions", "dunning_actions t JOIN invoices i ON i.id = t.invoice_id LEFT JOIN account_charges c ON c.id = t.charge_id", $"jsonb_build_object('invoice', i.number, 'charge', c.reference, 'notification_key', {NaturalKeysIn("t.notification_key")})"),
            // A killed dunning run stays recorded as unfinished, and the run after it reports only what was left to do: the days run to the end compare.
            ("dunning days finished", "(SELECT DISTINCT as_of FROM dunning_runs WHERE finished_at IS NOT NULL) t", "'{}'"),
            ("suspensions", "suspensions t LEFT JOIN invoices i ON i.id = t.invoice_id", "jsonb_build_object('invoice', i.number)"),
            ("account_charges", "account_charges t LEFT JOIN invoices i ON i.id = t.invoice_id", "jsonb_build_object('invoice', i.number)"),
        ];
        using var c = Open();
        var state = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var (name, from, extra) in tables)
        {
            state[name] = c.Query<string>($"SELECT ((to_jsonb(t) - @drop::text[]) || {extra})::text FROM {from} ORDER BY 1", new { drop = Volatile }).AsList();
        }

        state["pdf files"] = [.. PdfFiles().Select(f => $"{Path.GetFileName(f)} {Sha256(f)}")];
        return state;
    }

    /// <summary>
    /// Message keys with natural keys for the surrogate ids in them, which differ between databases: dunning's
    /// (<c>dunning:INVOICE-ID:STEP</c>) get the invoice's number; a wallet notice's (<c>usage:USAGE-ID</c>,
    /// <c>rerate:USAGE-ID</c>) the usage record's source and key — a killed ingest leaves a gap in the usage ids
    /// (its transaction took them), so the same record has another id than in the clean run.
    /// </summary>
    private static string NaturalKeysIn(string key) => $"""
        CASE WHEN {key} ~ '^dunning[a-z-]*:[0-9]+:'
             THEN split_part({key}, ':', 1) || ':' || (SELECT number FROM invoices WHERE id = split_part({key}, ':', 2)::bigint) || ':' || split_part({key}, ':', 3)
             WHEN {key} ~ '^(usage|rerate):[0-9]+$'
             THEN split_part({key}, ':', 1) || ':' || (SELECT u.source || '/' || u.record_key FROM usage u WHERE u.id = split_part({key}, ':', 2)::bigint)
             ELSE {key} END
        """;

    /// <summary>The invoice PDFs in the document store, by name.</summary>
    public IReadOnlyList<string> PdfFiles() =>
        Directory.Exists(Documents)
            ? [.. Directory.EnumerateFiles(Documents, "*.pdf", SearchOption.AllDirectories).Order(StringComparer.Ordinal)]
            : [];

    public static string Sha256(string file) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file)));

    /// <summary>Gives every issued invoice <see cref="IssuedAt"/>: past its immutability trigger (this session only), before any PDF is drawn.</summary>
    public void FixIssueInstant()
    {
        using var c = Open();
        using var tx = c.BeginTransaction();
        c.Execute("SET LOCAL session_replication_role = replica", transaction: tx);
        c.Execute("UPDATE invoices SET issued_at = @at WHERE status = 'issued'", new { at = IssuedAt }, tx);
        tx.Commit();
    }
}
