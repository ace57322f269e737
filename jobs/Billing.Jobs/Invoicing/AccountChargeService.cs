using Billing.Core.Imports;
using Billing.Core.Catalog;
using Billing.Core.Invoicing;
using Billing.Core.Money;
using Billing.Jobs.Catalog;
using Billing.Mediation.Imports;
using Billing.Storage;
using Billing.Storage.Invoicing;
using NodaTime;

namespace Billing.Jobs.Invoicing;

/// <summary>A charge recorded, with its id, currency and date as stored.</summary>
public sealed record ChargeRecorded(AccountChargeRow Row, long Id, string Currency, LocalDate Date, string TaxCategory);


/// <summary>
/// Records one-time charges and manual adjustments for the accounts' next invoices
/// (`billing charges add|import`): every row is checked against its account — it exists, the amount
/// suits its currency (<see cref="EnteredAmount"/>), the number is one of its subscriptions', the
/// catalogue in force has a rate for the tax category in its tax region — and then all are recorded
/// in one transaction, or none.
/// </summary>
public sealed class AccountChargeService(BillingDatabase db, CatalogCache catalogs, InvoicingOptions options, IClock clock)
{
    /// <summary>Records the rows, or nothing when any of them (or <paramref name="readErrors"/>, the rows the file reader refused) has a problem: then every problem is returned, by line.</summary>
    public EntryResult<ChargeRecorded, AccountChargeRow> Record(IReadOnlyList<AccountChargeRow> rows, string by, IReadOnlyList<ImportError>? readErrors = null)
    {
        ArgumentNullException.ThrowIfNull(rows);
        using var conn = db.Open();
        using var tx = conn.BeginTransaction();
        var ids = rows.Select(r => r.AccountId).Distinct(StringComparer.Ordinal).ToList();
        var accounts = ReceivablesStore.Accounts(conn, ids, tx);
        var numbers = AccountChargeStore.Numbers(conn, ids, tx);
        var now = clock.GetCurrentInstant();
        var taxes = catalogs.InForce(conn, now)?.Catalog.Taxes;
        var (charges, errors) = AccountEntries.Check(rows, r => (r.Line, r.AccountId), accounts, readErrors, (row, account, currency, problems) =>
        {
            if (EnteredAmount.Problem(row.Amount, currency, EnteredAmount.SignOf(row.Kind), options.AmountCeiling) is { } amountProblem)
            {
                problems.Add(amountProblem + (row.Kind == InvoiceLineKind.OneTime && row.Amount < 0m ? " (a credit is --kind adjustment)" : ""));
            }

            if (row.Msisdn is { } msisdn && !numbers[row.AccountId].Contains(msisdn, StringComparer.Ordinal))
            {
                problems.Add($"+{msisdn} is not a number of account {row.AccountId}");
            }

            var category = row.TaxCategory ?? Plan.StandardTaxCategory;
            if (taxes is not null && account.TaxRegion.Length > 0 && !taxes.Rows.Any(t => t.Region == account.TaxRegion && t.Category == category))
            {
                var known = string.Join(", ", taxes.Rows.Where(t => t.Region == account.TaxRegion).Select(t => t.Category).Distinct().Order(StringComparer.Ordinal));
                problems.Add($"tax category '{category}' has no rate for tax region {account.TaxRegion} in the catalogue in force (it has: {(known.Length == 0 ? "none" : known)})");
            }

            var date = row.Date ?? now.InZone(DateTimeZoneProviders.Tzdb[account.TimeZone]).Date;
            return new AccountChargeIn(row.AccountId, row.Kind.Code(), row.Amount, currency.Code, row.Description, category, row.Msisdn, date, row.Reference);
        });
        if (errors.Count > 0)
        {
            return new([], [], errors);
        }

        var added = AccountChargeStore.Add(tx, [.. charges.Select(c => c.In)], by);
        tx.Commit();

        // Every charge without a reference is added, in the order given.
        var byReference = added.Where(a => a.Reference is not null).ToDictionary(a => a.Reference!, a => a.Id, StringComparer.Ordinal);
        var unreferenced = new Queue<long>(added.Where(a => a.Reference is null).Select(a => a.Id));
        var recorded = new List<ChargeRecorded>();
        var skipped = new List<AccountChargeRow>();
        foreach (var (row, charge) in charges)
        {
            long? id = row.Reference is null ? unreferenced.Dequeue() : byReference.TryGetValue(row.Reference, out var found) ? found : null;
            if (id is { } chargeId)
            {
                recorded.Add(new ChargeRecorded(row, chargeId, charge.Currency, charge.Date, charge.TaxCategory));
            }
            else
            {
                skipped.Add(row);
            }
        }

        return new(recorded, skipped, []);
    }
}
