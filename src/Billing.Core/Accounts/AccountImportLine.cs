namespace Billing.Core.Accounts;

/// <summary>One line of an accounts file: the account, and optionally one subscription period of it (not stored yet).</summary>
public sealed record AccountImportLine
{
    public AccountImportLine(long line, Account account, Subscription? subscription)
    {
        ArgumentNullException.ThrowIfNull(account);
        if (subscription is not null && subscription.AccountId != account.Id)
        {
            throw new ArgumentException($"the subscription of line {line} belongs to account {subscription.AccountId}, not {account.Id}", nameof(subscription));
        }

        Line = line;
        Account = account;
        Subscription = subscription;
    }

    public long Line { get; }

    public Account Account { get; }

    public Subscription? Subscription { get; }
}
