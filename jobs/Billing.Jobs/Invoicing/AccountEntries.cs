using Billing.Core.Imports;
using Billing.Core.Money;
using Billing.Mediation.Imports;
using Billing.Storage.Invoicing;

namespace Billing.Jobs.Invoicing;

/// <summary>What recording entries (charges, payments) did: all added, or — any error — nothing, with every problem by line; a reference recorded before is skipped.</summary>
public sealed record EntryResult<TAdded, TRow>(IReadOnlyList<TAdded> Added, IReadOnlyList<TRow> AlreadyRecorded, IReadOnlyList<ImportError> Errors);

/// <summary>Rows entered by people or files, checked against the accounts they name before anything is recorded.</summary>
internal static class AccountEntries
{
    /// <summary>
    /// Checks every row against its account: a row of an unknown account, or whose
    /// <paramref name="check"/> notes a problem, becomes an error of its line (after the reader's
    /// <paramref name="readErrors"/>, all in line order); the others become what to record.
    /// </summary>
    public static (List<(TRow Row, TIn In)> Valid, List<ImportError> Errors) Check<TRow, TIn>(
        IReadOnlyList<TRow> rows,
        Func<TRow, (long Line, string Account)> key,
        IReadOnlyDictionary<string, BilledAccount> accounts,
        IReadOnlyList<ImportError>? readErrors,
        Func<TRow, BilledAccount, Currency, List<string>, TIn> check)
    {
        var valid = new List<(TRow, TIn)>();
        var errors = new List<ImportError>(readErrors ?? []);
        foreach (var row in rows)
        {
            var (line, id) = key(row);
            if (!accounts.TryGetValue(id, out var account))
            {
                errors.Add(new ImportError(line, $"no account '{id}'"));
                continue;
            }

            var problems = new List<string>();
            var entry = check(row, account, Currency.Of(account.Currency), problems);
            if (problems.Count > 0)
            {
                errors.Add(new ImportError(line, string.Join("; ", problems)));
            }
            else
            {
                valid.Add((row, entry));
            }
        }

        return (valid, [.. errors.OrderBy(e => e.Line)]);
    }
}
