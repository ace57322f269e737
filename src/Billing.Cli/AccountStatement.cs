using Billing.Core.Accounts;
using Billing.Storage;
using Billing.Storage.Invoicing;
using Npgsql;

namespace Billing.Cli;

/// <summary>
/// An account's receivables ledger as `billing accounts statement` prints it and the portal shows it:
/// invoices, credit notes and payments in date order, what settles what, the open balance
/// (negative: in credit) and the credit not yet put against an invoice.
/// </summary>
public sealed record AccountStatement(Account Account, IReadOnlyList<StatementEntry> Entries, IReadOnlyList<AllocationEntry> Allocations, decimal OpenBalance, decimal UnallocatedCredit)
{
    public string Currency => Account.Currency.Code;

    /// <summary>The statement of the account, or null if there is no such account.</summary>
    public static AccountStatement? Read(NpgsqlConnection conn, string id)
    {
        var account = AccountStore.Find(conn, id);
        return account is null ? null : new AccountStatement(
            account,
            ReceivablesStore.Statement(conn, id),
            ReceivablesStore.Allocations(conn, id),
            ReceivablesStore.OpenBalance(conn, id),
            ReceivablesStore.Unallocated(conn, [id]).Sum(m => m.Left));
    }
}
