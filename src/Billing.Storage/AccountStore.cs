using Billing.Core.Accounts;
using Billing.Core.Imports;
using Dapper;
using NodaTime;
using Npgsql;

namespace Billing.Storage;

public sealed record AccountImportResult(int Accounts, int SubscriptionsAdded, int SubscriptionsUpdated, int PeriodsClosed, IReadOnlyList<ImportError> Errors);

/// <summary>Accounts and their subscriptions: the import (all or nothing) and look-ups.</summary>
public static class AccountStore
{
    private const string AccountColumns = "id, name, billing_address, email, language, currency, time_zone, payment_type, bill_cycle_day, tax_region, segment";

    /// <summary>
    /// Upserts the rows in one transaction. A subscription row (msisdn, active_from) that exists is
    /// updated; a new one closes the MSISDN's period that is open at its start (a plan change).
    /// Any database error is reported with its line and nothing is kept.
    /// </summary>
    public static AccountImportResult Import(NpgsqlConnection conn, IReadOnlyList<AccountImportLine> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        using var tx = conn.BeginTransaction();
        var errors = new List<ImportError>();
        int added = 0, updated = 0, closed = 0;
        var accounts = new HashSet<string>(StringComparer.Ordinal);
        var periods = new List<(string Msisdn, DateTime ActiveFrom)>();
        foreach (var row in rows)
        {
            var account = row.Account;
            // Money the account already holds is in its currency, which cannot change under it: a prepaid wallet, and issued
            // invoices, payments and charges (a second currency would leave a ledger payments cannot settle and dunning and the
            // statement cannot add up). One read per row; the account row is locked by it, so no wallet can be created for the
            // account (its foreign key waits) between this check and the commit. A new account has no row: nothing is held.
            // Its cycle day cannot change either once usage is rated in its cycles (allowances are per cycle) or a cycle is invoiced:
            // a cycle of the new day would overlap one of the old, each with a full allowance.
            var (walletCurrency, billedIn, cycleDayInUse) = conn.QuerySingleOrDefault<(string?, string?, int?)>("""
                SELECT w.currency,
                       (SELECT c FROM (SELECT trim(currency) AS c FROM invoices WHERE account_id = a.id AND status = 'issued'
                                       UNION ALL SELECT trim(currency) FROM payments WHERE account_id = a.id
                                       UNION ALL SELECT trim(currency) FROM account_charges WHERE account_id = a.id) x
                        WHERE c <> @Currency LIMIT 1),
                       CASE WHEN a.bill_cycle_day <> @BillCycleDay AND (
                                EXISTS (SELECT 1 FROM invoiced_cycles ic WHERE ic.account_id = a.id)
                                OR EXISTS (SELECT 1 FROM rated_charges r WHERE r.account_id = a.id
                                           AND r.subscription_id IN (SELECT s.id FROM subscriptions s WHERE s.msisdn IN (
                                               SELECT n.msisdn FROM subscriptions n WHERE n.account_id = a.id))))
                            THEN a.bill_cycle_day END
                FROM accounts a LEFT JOIN wallets w ON w.account_id = a.id WHERE a.id = @AccountId FOR UPDATE OF a
                """, new { AccountId = account.Id, Currency = account.Currency.Code, account.BillCycleDay }, tx);
            if (walletCurrency is not null && !string.Equals(walletCurrency, account.Currency.Code, StringComparison.Ordinal))
            {
                errors.Add(new ImportError(row.Line, $"account {account.Id} has a prepaid wallet in {walletCurrency}: its currency cannot change to {account.Currency} (open a new account for the new currency)"));
                continue;
            }

            if (billedIn is not null)
            {
                errors.Add(new ImportError(row.Line, $"account {account.Id} has invoices, payments or charges in {billedIn}: its currency cannot change to {account.Currency} (open a new account for the new currency)"));
                continue;
            }

            if (cycleDayInUse is { } day)
            {
                errors.Add(new ImportError(row.Line, $"account {account.Id} has usage rated or an invoice issued in bill cycles from day {day}: its cycle day cannot change to {account.BillCycleDay} (a cycle of the new day would overlap one of the old, each with its allowances)"));
                continue;
            }

            tx.Save("row");
            try
            {
                conn.Execute("""
                    INSERT INTO accounts (id, name, billing_address, email, language, currency, time_zone, payment_type,
                                          bill_cycle_day, tax_region, segment)
                    VALUES (@Id, @Name, @BillingAddress, @Email, @Language, @Currency, @TimeZone, @PaymentType,
                            @BillCycleDay, @TaxRegion, @Segment)
                    ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, billing_address = EXCLUDED.billing_address,
                        email = EXCLUDED.email, language = EXCLUDED.language, currency = EXCLUDED.currency,
                        time_zone = EXCLUDED.time_zone, payment_type = EXCLUDED.payment_type,
                        bill_cycle_day = EXCLUDED.bill_cycle_day, tax_region = EXCLUDED.tax_region,
                        segment = EXCLUDED.segment, updated_at = now()
                    """, StoredAccount.Of(account), tx);
                accounts.Add(account.Id);
                if (row.Subscription is { } s)
                {
                    var args = new { AccountId = account.Id, s.Msisdn, s.PlanId, s.ActiveFrom, s.ActiveTo };
                    var existing = conn.Execute("""
                        UPDATE subscriptions SET account_id = @AccountId, plan_id = @PlanId,
                            -- an open period that a later period of the number closed stays closed there
                            active_to = coalesce(@ActiveTo, (SELECT min(n.active_from) FROM subscriptions n
                                                             WHERE n.msisdn = @Msisdn AND n.active_from > @ActiveFrom))
                        WHERE msisdn = @Msisdn AND active_from = @ActiveFrom
                        """, args, tx);
                    if (existing > 0)
                    {
                        updated++;
                    }
                    else
                    {
                        closed += conn.Execute("""
                            UPDATE subscriptions SET active_to = @ActiveFrom
                            WHERE msisdn = @Msisdn AND active_from < @ActiveFrom AND (active_to IS NULL OR active_to > @ActiveFrom)
                            """, args, tx);
                        conn.Execute("""
                            INSERT INTO subscriptions (account_id, msisdn, plan_id, active_from, active_to)
                            VALUES (@AccountId, @Msisdn, @PlanId, @ActiveFrom,
                                    coalesce(@ActiveTo, (SELECT min(n.active_from) FROM subscriptions n
                                                         WHERE n.msisdn = @Msisdn AND n.active_from > @ActiveFrom)))
                            """, args, tx);
                        added++;
                    }

                    periods.Add((s.Msisdn, s.ActiveFrom.ToDateTimeUtc()));
                }

                tx.Release("row");
            }
            catch (PostgresException e)
            {
                tx.Rollback("row");
                errors.Add(new ImportError(row.Line, e.ConstraintName switch
                {
                    "subscriptions_one_at_a_time" => $"msisdn {row.Subscription?.Msisdn} already has a subscription overlapping [{row.Subscription?.ActiveFrom}, {row.Subscription?.ActiveTo?.ToString() ?? "open"})",
                    _ => e.MessageText,
                }));
            }
        }

        if (errors.Count > 0)
        {
            tx.Rollback();
            return new AccountImportResult(0, 0, 0, 0, errors);
        }

        // Every number rates in its account's partition (see UsageToRateStore.Unrated): one wallet, one process, event-time order.
        var numbers = rows.Where(r => r.Subscription is not null).Select(r => r.Subscription!.Msisdn).Distinct(StringComparer.Ordinal).ToArray();
        conn.Execute("""
            INSERT INTO msisdn_partitions (msisdn, account_id)
            SELECT DISTINCT ON (msisdn) msisdn, account_id FROM subscriptions WHERE msisdn = ANY(@numbers)
            ORDER BY msisdn, active_from DESC
            ON CONFLICT (msisdn) DO UPDATE SET account_id = EXCLUDED.account_id WHERE msisdn_partitions.account_id <> EXCLUDED.account_id
            """, new { numbers }, tx);
        Rating.HoldStore.TryAgainFor(tx, numbers);
        // Dunning bars every subscription of the account: a number added to it (or a new period of one of its numbers, a
        // plan change) while it is suspended is barred with the rest, and reactivated with them. One statement for the import.
        conn.Execute("""
            INSERT INTO suspensions (subscription_id, account_id, reason, invoice_id, step, suspended_on)
            SELECT s.id, s.account_id, o.reason, o.invoice_id, o.step, o.suspended_on
            FROM unnest(@msisdns, @froms) AS p(msisdn, active_from)
            JOIN subscriptions s ON s.msisdn = p.msisdn AND s.active_from = p.active_from
            CROSS JOIN LATERAL (SELECT x.reason, x.invoice_id, x.step, x.suspended_on FROM suspensions x
                                WHERE x.account_id = s.account_id AND x.lifted_on IS NULL ORDER BY x.suspended_on, x.id LIMIT 1) o
            WHERE NOT EXISTS (SELECT 1 FROM suspensions y WHERE y.subscription_id = s.id AND y.lifted_on IS NULL)
            """, new { msisdns = periods.Select(p => p.Msisdn).ToArray(), froms = periods.Select(p => p.ActiveFrom).ToArray() }, tx);
        tx.Commit();
        return new AccountImportResult(accounts.Count, added, updated, closed, errors);
    }

    public static Account? Find(NpgsqlConnection conn, string id, NpgsqlTransaction? tx = null) =>
        conn.QuerySingleOrDefault<StoredAccount>($"""
            SELECT {AccountColumns}
            FROM accounts WHERE id = @id
            """, new { id }, tx)?.ToAccount();

    /// <summary>These accounts by id (ids with no account are left out).</summary>
    public static Dictionary<string, Account> Find(NpgsqlTransaction tx, IReadOnlyCollection<string> ids)
    {
        ArgumentNullException.ThrowIfNull(tx);
        return tx.Connection!.Query<StoredAccount>($"""
            SELECT {AccountColumns}
            FROM accounts WHERE id = ANY(@ids)
            """, new { ids = ids.ToArray() }, tx).ToDictionary(a => a.Id, a => a.ToAccount(), StringComparer.Ordinal);
    }

    public static IReadOnlyList<Subscription> Subscriptions(NpgsqlConnection conn, string accountId) =>
        conn.Query<StoredSubscription>("""
            SELECT id, account_id, msisdn, plan_id, active_from, active_to FROM subscriptions
            WHERE account_id = @accountId ORDER BY msisdn, active_from
            """, new { accountId }).Select(s => s.ToSubscription()).ToList();

    /// <summary>The subscription of an MSISDN at an instant, if any.</summary>
    public static Subscription? SubscriptionAt(NpgsqlConnection conn, string msisdn, Instant at) =>
        conn.QuerySingleOrDefault<StoredSubscription>("""
            SELECT id, account_id, msisdn, plan_id, active_from, active_to FROM subscriptions
            WHERE msisdn = @msisdn AND active_from <= @at AND (active_to IS NULL OR active_to > @at)
            """, new { msisdn, at })?.ToSubscription();

    /// <summary>An accounts row as Dapper reads and writes it: the core's account is made from it and into it here, at the edge.</summary>
    private sealed record StoredAccount
    {
        public static StoredAccount Of(Account a) => new()
        {
            Id = a.Id, Name = a.Name, BillingAddress = a.BillingAddress, Email = a.Email, Language = a.Language, Currency = a.Currency.Code,
            TimeZone = a.TimeZone.Id, PaymentType = a.PaymentType.Code(), BillCycleDay = a.BillCycleDay, TaxRegion = a.TaxRegion, Segment = a.Segment,
        };

        public string Id { get; init; } = "";
        public string Name { get; init; } = "";
        public string BillingAddress { get; init; } = "";
        public string? Email { get; init; }
        public string Language { get; init; } = "";
        public string Currency { get; init; } = "";
        public string TimeZone { get; init; } = "";
        public string PaymentType { get; init; } = "";
        public int BillCycleDay { get; init; }
        public string TaxRegion { get; init; } = "";
        public string Segment { get; init; } = "";

        public Account ToAccount() => new(Id, Name, BillingAddress, Email, Language, Billing.Core.Money.Currency.Of(Currency), TimeZone,
            PaymentTypes.Parse(PaymentType), BillCycleDay, TaxRegion, Segment);
    }

    private sealed record StoredSubscription
    {
        public long Id { get; init; }
        public string AccountId { get; init; } = "";
        public string Msisdn { get; init; } = "";
        public string PlanId { get; init; } = "";
        public Instant ActiveFrom { get; init; }
        public Instant? ActiveTo { get; init; }

        public Subscription ToSubscription() => new(Id, AccountId, Msisdn, PlanId, ActiveFrom, ActiveTo);
    }

    /// <summary>The IANA zone of each of these accounts.</summary>
    public static Dictionary<string, string> TimeZones(NpgsqlConnection conn, IReadOnlyCollection<string> accounts) =>
        conn.Query<(string Id, string Zone)>("SELECT id, time_zone FROM accounts WHERE id = ANY(@ids)", new { ids = accounts.ToArray() })
            .ToDictionary(a => a.Id, a => a.Zone, StringComparer.Ordinal);
}
