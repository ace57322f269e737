using Billing.Core.Accounts;
using Billing.Core.Money;
using Billing.Core.Prepaid;
using Dapper;
using NodaTime;
using Npgsql;
using NpgsqlTypes;

namespace Billing.Storage;

/// <summary>A wallet as `billing wallets show` prints it.</summary>
public sealed record WalletRow
{
    public string AccountId { get; init; } = "";
    public string Name { get; init; } = "";
    public string Language { get; init; } = "en";
    public string TimeZone { get; init; } = "UTC";
    public string Currency { get; init; } = "";
    public decimal Balance { get; init; }
    public Instant? Watermark { get; init; }
    public Instant? LastTopupAt { get; init; }
    public Instant? LastExpiryAt { get; init; }
    public Instant? BarredSince { get; init; }

    /// <summary>The balance in the wallet's currency.</summary>
    public Money Funds => new(Balance, Billing.Core.Money.Currency.Of(Currency));
}

public sealed record LedgerRow(long Id, string Kind, decimal Amount, Instant At, long? UsageId, string? Msisdn, string? Reference, string Note, decimal BalanceAfter, Instant PostedAt);

/// <summary>What a usage record has been charged to its wallet so far: debited (positive) and overdrawn.</summary>
/// <summary>What a usage record has been charged to one wallet so far: debited (positive), overdrawn, its 'usage' rows and all its rows.</summary>
public sealed record UsageCharged(long UsageId, string AccountId, decimal Debited, decimal Overdrawn, int Postings, int Rows);

/// <summary>The top-up as stored: false Added when its reference was there already (nothing credited twice).</summary>
public sealed record TopUpResult(bool Added, string AccountId, long LedgerId, Money Amount, Money Balance);

/// <summary>Prepaid usage priced beyond a wallet's floor, per account: what collections is owed, over how many records, from when to when.</summary>
public sealed record OverdraftOwed(string AccountId, long Records, Money Amount, Instant First, Instant Last);

/// <summary>A wallet at a glance: its first number, balance, barring, overdraft owed and how many notifications its account has.</summary>
public sealed record WalletSummary(string AccountId, string Msisdn, Money Balance, Instant? BarredSince, Money Overdraft, long Notifications);

/// <summary>Wallets, their append-only ledger and overdraft: the prepaid SQL.</summary>
public static class WalletStore
{
    // The anti-join spares the speculative insertion (and its index probes) for the wallets that exist: almost all of them.
    private const string EnsureSql = """
        INSERT INTO wallets (account_id, currency)
        SELECT a.id, a.currency FROM accounts a
        WHERE a.id = ANY(@ids) AND a.payment_type = @prepaid AND NOT EXISTS (SELECT 1 FROM wallets w WHERE w.account_id = a.id)
        ORDER BY a.id
        ON CONFLICT (account_id) DO NOTHING;
        """;

    /// <summary>Creates the wallets of these prepaid accounts that have none yet (in the account's currency).</summary>
    public static void Ensure(NpgsqlTransaction tx, IReadOnlyCollection<string> accounts)
    {
        ArgumentNullException.ThrowIfNull(tx);
        tx.Connection!.Execute(EnsureSql, new { ids = accounts.ToArray(), prepaid = PaymentType.Prepaid.Code() }, tx);
    }

    /// <summary>The currency of each of these accounts' wallets (accounts with none are left out). A wallet's currency never changes.</summary>
    public static Dictionary<string, Currency> Currencies(NpgsqlTransaction tx, IReadOnlyCollection<string> accounts)
    {
        ArgumentNullException.ThrowIfNull(tx);
        return accounts.Count == 0
            ? new Dictionary<string, Currency>(StringComparer.Ordinal)
            : tx.Connection!.Query<(string Account, string Currency)>("SELECT account_id, currency FROM wallets WHERE account_id = ANY(@ids)", new { ids = accounts.ToArray() }, tx)
                .ToDictionary(w => w.Account, w => Currency.Of(w.Currency), StringComparer.Ordinal);
    }

    /// <summary>
    /// Locks the wallets (in account order, so two batches never deadlock) and reads where each stands:
    /// the balance, the watermark and the movements posted for moments after it. With
    /// <paramref name="createMissing"/>, first creates the missing wallets of prepaid accounts
    /// (<see cref="Ensure"/>) in the same round trip.
    /// </summary>
    public static Dictionary<string, (WalletOpening Opening, string Currency)> LockOpenings(NpgsqlTransaction tx, IReadOnlyCollection<string> accounts, bool createMissing = false)
    {
        ArgumentNullException.ThrowIfNull(tx);
        var ids = accounts.Order(StringComparer.Ordinal).ToArray();
        // Pending movements through the (account_id, at) index from each watermark on: a range per
        // wallet (usually empty), not every ledger row of the batch's wallets, which grow with every
        // batch for as long as the wallet lives. OFFSET 0 keeps the planner from flattening the
        // lateral subquery into a hash join over the whole ledger.
        using var results = tx.Connection!.QueryMultiple((createMissing ? EnsureSql : "") + """
            SELECT w.account_id, w.currency, w.balance, w.watermark, w.last_topup_at, w.last_expiry_at, w.barred_since, a.time_zone
            FROM wallets w JOIN accounts a ON a.id = w.account_id WHERE w.account_id = ANY(@ids) ORDER BY w.account_id FOR UPDATE OF w;
            SELECT w.account_id, l.at, l.amount, l.kind
            FROM wallets w CROSS JOIN LATERAL (
                SELECT l.id, l.at, l.amount, l.kind FROM wallet_ledger l
                WHERE l.account_id = w.account_id AND l.at > coalesce(w.watermark, '-infinity'::timestamptz) OFFSET 0) l
            WHERE w.account_id = ANY(@ids)
            ORDER BY w.account_id, l.at, l.id;
            """, new { ids, prepaid = PaymentType.Prepaid.Code() }, tx);
        var wallets = results.Read<WalletRow>().AsList();
        var pending = results.Read<(string Account, Instant At, decimal Amount, string Kind)>().ToLookup(p => p.Account, StringComparer.Ordinal);
        return wallets.ToDictionary(
            w => w.AccountId,
            w => (new WalletOpening(w.AccountId, w.Balance, w.Watermark, w.LastTopupAt, w.LastExpiryAt, w.BarredSince,
                pending[w.AccountId].Select(p => new WalletMovement(p.At, p.Amount, p.Kind)).ToList(), DateTimeZoneProviders.Tzdb[w.TimeZone]), w.Currency),
            StringComparer.Ordinal);
    }

    /// <summary>
    /// What these usage records were charged before, per wallet (a record's subscription may have moved to
    /// another account since); records never charged are left out.
    /// </summary>
    public static Dictionary<long, List<UsageCharged>> Charged(NpgsqlTransaction tx, IReadOnlyCollection<long> usageIds)
    {
        ArgumentNullException.ThrowIfNull(tx);
        if (usageIds.Count == 0)
        {
            return [];
        }

        var ids = usageIds.ToArray();
        var conn = tx.Connection!;
        // (kind = 'usage' OR kind = 'rerate') lets the planner use the two partial indexes (a BitmapOr).
        var ledger = conn.Query<(long Id, string Account, decimal Debited, int Postings, int Rows)>("""
            SELECT usage_id, account_id, -sum(amount), count(*) FILTER (WHERE kind = 'usage')::int, count(*)::int FROM wallet_ledger
            WHERE usage_id = ANY(@ids) AND (kind = 'usage' OR kind = 'rerate') GROUP BY usage_id, account_id
            """, new { ids }, tx).ToDictionary(x => (x.Id, x.Account));
        var overdraft = conn.Query<(long Id, string Account, decimal Overdrawn, int Rows)>(
            "SELECT usage_id, account_id, sum(amount), count(*)::int FROM prepaid_overdraft WHERE usage_id = ANY(@ids) GROUP BY usage_id, account_id",
            new { ids }, tx).ToDictionary(x => (x.Id, x.Account));
        return ledger.Keys.Concat(overdraft.Keys).Distinct()
            .Select(k =>
            {
                ledger.TryGetValue(k, out var l);
                overdraft.TryGetValue(k, out var o);
                return new UsageCharged(k.Id, k.Account, l.Debited, o.Overdrawn, l.Postings, l.Rows + o.Rows);
            })
            .GroupBy(c => c.UsageId)
            .ToDictionary(g => g.Key, g => g.ToList());
    }

    /// <summary>Appends a walk's postings and overdraft and stores where each wallet now stands.</summary>
    public static void Post(NpgsqlTransaction tx, IReadOnlyList<(string Account, string Currency, WalletWalkResult Result)> walks)
    {
        ArgumentNullException.ThrowIfNull(tx);
        ArgumentNullException.ThrowIfNull(walks);
        var conn = tx.Connection!;
        if (walks.Any(w => w.Result.Postings.Count > 0))
        {
            using var copy = BinaryCopyWriter.Begin(conn, "COPY wallet_ledger (account_id, kind, amount, at, usage_id, msisdn, balance_after) FROM STDIN (FORMAT BINARY)");
            foreach (var (account, _, result) in walks)
            {
                foreach (var p in result.Postings)
                {
                    copy.StartRow(7);
                    copy.Write(account);
                    copy.Write(p.Kind);
                    copy.Write(p.Amount);
                    copy.Write(p.At);
                    copy.WriteNullable(p.UsageId);
                    copy.WriteNullable(p.Msisdn);
                    copy.Write(p.BalanceAfter);
                }
            }

            copy.Complete();
        }

        if (walks.Any(w => w.Result.Overdraft.Count > 0))
        {
            using var copy = BinaryCopyWriter.Begin(conn, "COPY prepaid_overdraft (usage_id, account_id, msisdn, amount, currency, at, reason) FROM STDIN (FORMAT BINARY)");
            foreach (var (account, currency, result) in walks)
            {
                foreach (var o in result.Overdraft)
                {
                    copy.StartRow(7);
                    copy.Write(o.UsageId);
                    copy.Write(account);
                    copy.Write(o.Msisdn);
                    copy.Write(o.Amount);
                    copy.Write(currency);
                    copy.Write(o.At);
                    copy.Write(o.Reason);
                }
            }

            copy.Complete();
        }

        conn.Execute("""
            UPDATE wallets w SET balance = s.balance, watermark = s.watermark, last_topup_at = s.last_topup,
                last_expiry_at = s.last_expiry, barred_since = s.barred_since, updated_at = now()
            FROM unnest(@accounts, @balances, @watermarks, @topups, @expiries, @barred) AS s(account_id, balance, watermark, last_topup, last_expiry, barred_since)
            WHERE w.account_id = s.account_id
            """, new
        {
            accounts = walks.Select(w => w.Account).ToArray(),
            balances = walks.Select(w => w.Result.Balance).ToArray(),
            watermarks = walks.Select(w => Utc(w.Result.Watermark)).ToArray(),
            topups = walks.Select(w => Utc(w.Result.LastTopUp)).ToArray(),
            expiries = walks.Select(w => Utc(w.Result.LastExpiry)).ToArray(),
            barred = walks.Select(w => Utc(w.Result.BarredSince)).ToArray(),
        }, tx);
    }

    /// <summary>A subscriber's account and plan at a moment.</summary>
    public sealed record AccountPlan(string AccountId, string PlanId, PaymentType PaymentType);

    /// <summary>The account of the subscriber with this number at <paramref name="at"/> (else its latest), with its plan then.</summary>
    public static AccountPlan? AccountOf(NpgsqlConnection conn, string msisdn, Instant at, NpgsqlTransaction? tx = null)
    {
        ArgumentNullException.ThrowIfNull(conn);
        var row = conn.QueryFirstOrDefault<(string AccountId, string PlanId, string PaymentType)?>("""
            SELECT s.account_id, s.plan_id, a.payment_type FROM subscriptions s JOIN accounts a ON a.id = s.account_id
            WHERE s.msisdn = @msisdn
            ORDER BY (s.active_from <= @at AND (s.active_to IS NULL OR s.active_to > @at)) DESC, s.active_from DESC
            LIMIT 1
            """, new { msisdn, at }, tx);
        return row is { } r ? new AccountPlan(r.AccountId, r.PlanId, PaymentTypes.Parse(r.PaymentType)) : null;
    }

    /// <summary>
    /// Credits a top-up: one ledger row (a reference already there credits nothing), the balance, and —
    /// if the payment is not later than the last rated usage — the expiry clock. Lifts the barring once
    /// the balance is above <paramref name="floor"/>. The wallet row is locked for the transaction.
    /// </summary>
    public static TopUpResult TopUp(NpgsqlTransaction tx, string accountId, string msisdn, decimal amount, Instant at, string? reference, string note, decimal floor)
    {
        var wallet = LockWallet(tx, accountId);
        if (reference is not null)
        {
            var existing = tx.Connection!.QueryFirstOrDefault<(long Id, string Account, decimal Amount)?>(
                "SELECT id, account_id, amount FROM wallet_ledger WHERE kind = 'topup' AND reference = @reference",
                new { reference }, tx);
            if (existing is { } e)
            {
                return new TopUpResult(false, e.Account, e.Id, new Money(e.Amount, wallet.Funds.Currency), wallet.Funds);
            }
        }

        var (id, balance) = Append(tx, wallet, "topup", amount, at, msisdn, reference, note, floor);
        return new TopUpResult(true, accountId, id, new Money(amount, wallet.Funds.Currency), new Money(balance, wallet.Funds.Currency));
    }

    /// <summary>Creates the wallet if missing and locks its row for the transaction.</summary>
    private static WalletRow LockWallet(NpgsqlTransaction tx, string accountId)
    {
        ArgumentNullException.ThrowIfNull(tx);
        Ensure(tx, [accountId]);
        return tx.Connection!.QuerySingle<WalletRow>(
            "SELECT account_id, currency, balance, watermark FROM wallets WHERE account_id = @accountId FOR UPDATE", new { accountId }, tx);
    }

    /// <summary>
    /// Appends one movement posted by a person or a payment (not by rating) to a locked wallet: the ledger
    /// row with its running balance, the balance, and the barring (at or below the floor from now on, or
    /// lifted). A top-up not later than the last rated usage also restarts the expiry clock.
    /// </summary>
    private static (long Id, decimal Balance) Append(NpgsqlTransaction tx, WalletRow wallet, string kind, decimal amount, Instant at,
        string? msisdn, string? reference, string note, decimal floor)
    {
        var conn = tx.Connection!;
        var accountId = wallet.AccountId;
        var balance = wallet.Balance + amount;
        var id = conn.ExecuteScalar<long>("""
            INSERT INTO wallet_ledger (account_id, kind, amount, at, msisdn, reference, note, balance_after)
            VALUES (@accountId, @kind, @amount, @at, @msisdn, @reference, @note, @balance)
            RETURNING id
            """, new { accountId, kind, amount, at, msisdn, reference, note, balance }, tx);
        conn.Execute("""
            UPDATE wallets SET balance = @balance, updated_at = now(),
                last_topup_at = CASE WHEN @kind = 'topup' AND watermark IS NOT NULL AND @at <= watermark AND (last_topup_at IS NULL OR @at > last_topup_at)
                                     THEN @at ELSE last_topup_at END,
                barred_since = CASE WHEN @balance > @floor THEN NULL ELSE coalesce(barred_since, @at) END
            WHERE account_id = @accountId
            """, new { accountId, balance, at, floor, kind }, tx);
        return (id, balance);
    }

    /// <summary>
    /// Wallets that may have credit to expire by <paramref name="until"/>: a positive balance and a top-up the walk has not gone
    /// past yet (the wallet's last applied one, or a later one) followed by no other for <paramref name="shortest"/>, at least that
    /// long before <paramref name="until"/>, whose credit has not expired already (<paramref name="longestDays"/> calendar days
    /// after it, in the account's zone, is later than the last expiry) — a top-up made after an expiry moment does not hide it;
    /// with the plan of the account's latest subscription (whose prepaid settings decide).
    /// </summary>
    public static IReadOnlyList<(string AccountId, string PlanId)> ExpiryCandidates(NpgsqlConnection conn, Instant until, Duration shortest, int longestDays) =>
        conn.Query<(string, string)>("""
            SELECT w.account_id,
                   (SELECT s.plan_id FROM subscriptions s WHERE s.account_id = w.account_id ORDER BY s.active_from DESC, s.msisdn LIMIT 1)
            FROM wallets w JOIN accounts a ON a.id = w.account_id
            WHERE w.balance > 0
              AND EXISTS (
                  SELECT 1 FROM wallet_ledger t
                  WHERE t.account_id = w.account_id AND t.kind = 'topup'
                    AND t.at >= coalesce(w.last_topup_at, '-infinity'::timestamptz) AND t.at <= @until - @shortest
                    AND ((t.at AT TIME ZONE a.time_zone) + make_interval(days => @longestDays)) AT TIME ZONE a.time_zone
                        > coalesce(w.last_expiry_at, '-infinity'::timestamptz)
                    AND NOT EXISTS (SELECT 1 FROM wallet_ledger n
                                    WHERE n.account_id = w.account_id AND n.kind = 'topup' AND n.at > t.at AND n.at < t.at + @shortest))
            ORDER BY w.account_id
            """, new { until, shortest = shortest.ToTimeSpan(), longestDays }).Where(x => x.Item2 is not null).AsList();

    /// <summary>
    /// Buys a bundle from the wallet: a 'bundle' ledger row for its price (a reference already used buys
    /// nothing again) and the allowance for the subscription's cycle from <paramref name="at"/>. Refused
    /// (null) when the price would take the balance below <paramref name="floor"/>.
    /// </summary>
    public static (bool Added, long LedgerId, Money Balance)? BuyBundle(NpgsqlTransaction tx, string accountId, long subscriptionId, string msisdn,
        string bundleId, long amount, decimal price, LocalDate cycleStart, Instant at, string? reference, decimal floor)
    {
        var wallet = LockWallet(tx, accountId);
        var conn = tx.Connection!;
        if (reference is not null && conn.QueryFirstOrDefault<long?>(
                "SELECT id FROM wallet_ledger WHERE kind = 'bundle' AND reference = @reference", new { reference }, tx) is { } existing)
        {
            return (false, existing, wallet.Funds);
        }

        if (wallet.Balance - price < floor)
        {
            return null;
        }

        var (id, balance) = Append(tx, wallet, "bundle", -price, at, msisdn, reference, "bundle " + bundleId, floor);
        conn.Execute("""
            INSERT INTO allowance_purchases (subscription_id, allowance_id, cycle_start, amount, bought_at, ledger_id)
            VALUES (@subscriptionId, @bundleId, @cycleStart, @amount, @at, @id)
            """, new { subscriptionId, bundleId, cycleStart, amount, at, id }, tx);
        return (true, id, new Money(balance, wallet.Funds.Currency));
    }

    /// <summary>
    /// A manual correction by customer care or finance (goodwill credit, a wrong charge taken back,
    /// a debt written off): an 'adjustment' ledger row with the reason, and an audit_log entry.
    /// </summary>
    public static (long LedgerId, Money Balance) Adjust(NpgsqlTransaction tx, string accountId, string msisdn, decimal amount, Instant at, string reason, string actor, decimal floor)
    {
        var wallet = LockWallet(tx, accountId);
        var (id, balance) = Append(tx, wallet, "adjustment", amount, at, msisdn, null, reason, floor);
        tx.Connection!.Execute("""
            INSERT INTO audit_log (actor, action, detail)
            VALUES (@actor, 'wallet.adjust', json_build_object('account', @accountId, 'msisdn', @msisdn, 'amount', @amount, 'ledgerId', @id, 'reason', @reason)::jsonb)
            """, new { actor, accountId, msisdn, amount, id, reason }, tx);
        return (id, new Money(balance, wallet.Funds.Currency));
    }

    /// <summary>Wallets whose stored balance differs from their ledger's sum (should be none).</summary>
    public static IReadOnlyList<(string AccountId, decimal Balance, decimal LedgerSum)> Check(NpgsqlConnection conn) =>
        conn.Query<(string, decimal, decimal)>("""
            SELECT w.account_id, w.balance, coalesce(l.total, 0)
            FROM wallets w LEFT JOIN (SELECT account_id, sum(amount) AS total FROM wallet_ledger GROUP BY account_id) l ON l.account_id = w.account_id
            WHERE w.balance <> coalesce(l.total, 0)
            ORDER BY w.account_id
            """).AsList();

    public static (long Wallets, decimal Balance, long LedgerRows) Totals(NpgsqlConnection conn) =>
        conn.QuerySingle<(long, decimal, long)>("SELECT (SELECT count(*) FROM wallets), (SELECT coalesce(sum(balance), 0) FROM wallets), (SELECT count(*) FROM wallet_ledger)");

    public static WalletRow? Wallet(NpgsqlConnection conn, string accountId) =>
        conn.QueryFirstOrDefault<WalletRow>("""
            SELECT w.account_id, a.name, a.language, a.time_zone, w.currency, w.balance, w.watermark, w.last_topup_at, w.last_expiry_at, w.barred_since
            FROM wallets w JOIN accounts a ON a.id = w.account_id WHERE w.account_id = @accountId
            """, new { accountId });

    public static IReadOnlyList<LedgerRow> LastMovements(NpgsqlConnection conn, string accountId, int limit) =>
        conn.Query<LedgerRow>("""
            SELECT id, kind, amount, at, usage_id, msisdn, reference, note, balance_after, posted_at
            FROM wallet_ledger WHERE account_id = @accountId ORDER BY id DESC LIMIT @limit
            """, new { accountId, limit }).AsList();

    /// <summary>Overdraft per account (what collections is owed), optionally one account.</summary>
    public static IReadOnlyList<OverdraftOwed> Overdraft(NpgsqlConnection conn, string? accountId) =>
        conn.Query<(string Account, string Currency, long Records, decimal Amount, Instant First, Instant Last)>("""
            SELECT account_id, currency, count(DISTINCT usage_id), sum(amount), min(at), max(at)
            FROM prepaid_overdraft WHERE (@accountId::text IS NULL OR account_id = @accountId)
            GROUP BY account_id, currency HAVING sum(amount) <> 0 ORDER BY account_id
            """, new { accountId }).Select(o => new OverdraftOwed(o.Account, o.Records, Money.Of(o.Amount, o.Currency), o.First, o.Last)).ToList();

    /// <summary>Every wallet at a glance, in account order.</summary>
    public static IReadOnlyList<WalletSummary> Summaries(NpgsqlConnection conn) =>
        conn.Query<(string Account, string Msisdn, decimal Balance, string Currency, Instant? Barred, decimal Overdraft, long Notices)>("""
            SELECT w.account_id, (SELECT min(s.msisdn) FROM subscriptions s WHERE s.account_id = w.account_id), w.balance, w.currency, w.barred_since,
                   coalesce((SELECT sum(o.amount) FROM prepaid_overdraft o WHERE o.account_id = w.account_id), 0),
                   (SELECT count(*) FROM notifications n WHERE n.account_id = w.account_id)
            FROM wallets w ORDER BY w.account_id
            """).Select(w => new WalletSummary(w.Account, w.Msisdn, Money.Of(w.Balance, w.Currency), w.Barred, Money.Of(w.Overdraft, w.Currency), w.Notices)).ToList();

    private static DateTime? Utc(Instant? i) => i?.ToDateTimeUtc();
}
