using Dapper;
using NodaTime;
using Npgsql;

namespace Billing.Storage.Invoicing;

/// <summary>A one-time charge or manual adjustment to record; a reference recorded before records nothing.</summary>
public sealed record AccountChargeIn(string AccountId, string Kind, decimal Amount, string Currency, string Description, string TaxCategory, string? Msisdn, LocalDate Date, string? Reference);

/// <summary>A charge recorded: its id and reference.</summary>
public sealed record RecordedCharge(long Id, string? Reference);

/// <summary>One-time charges and manual adjustments waiting for an account's next invoice (the bill run reads and marks them).</summary>
public static class AccountChargeStore
{
    /// <summary>Records the charges whose reference is new (or who have none); returns those added.</summary>
    public static IReadOnlyList<RecordedCharge> Add(NpgsqlTransaction tx, IReadOnlyList<AccountChargeIn> charges, string by)
    {
        ArgumentNullException.ThrowIfNull(tx);
        ArgumentNullException.ThrowIfNull(charges);
        if (charges.Count == 0)
        {
            return [];
        }

        return tx.Connection!.Query<RecordedCharge>("""
            INSERT INTO account_charges (account_id, kind, amount, currency, description, tax_category, msisdn, charge_date, reference, created_by)
            SELECT a, k, am, c, d, t, m, dt, r, @by FROM unnest(@accounts, @kinds, @amounts, @currencies, @descriptions, @categories, @msisdns, @dates, @refs)
                AS x(a, k, am, c, d, t, m, dt, r)
            ON CONFLICT (reference) DO NOTHING
            RETURNING id, reference
            """, new
        {
            accounts = charges.Select(c => c.AccountId).ToArray(),
            kinds = charges.Select(c => c.Kind).ToArray(),
            amounts = charges.Select(c => c.Amount).ToArray(),
            currencies = charges.Select(c => c.Currency).ToArray(),
            descriptions = charges.Select(c => c.Description).ToArray(),
            categories = charges.Select(c => c.TaxCategory).ToArray(),
            msisdns = charges.Select(c => c.Msisdn).ToArray(),
            dates = charges.Select(c => c.Date.ToDateOnly()).ToArray(),
            refs = charges.Select(c => c.Reference).ToArray(),
            by,
        }, tx).AsList();
    }

    /// <summary>The numbers each account has or had a subscription for.</summary>
    public static ILookup<string, string> Numbers(NpgsqlConnection conn, IReadOnlyCollection<string> accounts, NpgsqlTransaction? tx = null) =>
        conn.Query<(string Account, string Msisdn)>("SELECT DISTINCT account_id, msisdn FROM subscriptions WHERE account_id = ANY(@accounts)", new { accounts = accounts.ToArray() }, tx)
            .ToLookup(x => x.Account, x => x.Msisdn, StringComparer.Ordinal);
}
