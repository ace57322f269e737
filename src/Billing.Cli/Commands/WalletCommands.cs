using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Billing.Core.Accounts;
using Billing.Core.Money;
using Billing.Core.Notifications;
using Billing.Core.Prepaid;
using Billing.Jobs.Prepaid;
using Billing.Mediation;
using Billing.Storage;
using Billing.Storage.Rating;
using NodaTime;

namespace Billing.Cli.Commands;

/// <summary>billing wallets show|check|overdraft|expire|adjust.</summary>
public static class WalletCommands
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static Command Build(Cli cli)
    {
        ArgumentNullException.ThrowIfNull(cli);
        var msisdn = new Argument<string>("msisdn") { Description = "The prepaid subscriber's number" };
        var limit = new Option<int>("--limit") { Description = "How many movements and notifications to show (at least 1)", DefaultValueFactory = _ => 20 }.AtLeast(1);
        var show = new Command("show", "A wallet: balance, barring, last movements, thresholds crossed, overdraft") { msisdn, limit };
        show.SetAction(p => cli.Run(p, g => Show(g, p.GetValue(msisdn)!, p.GetValue(limit), Console.Out)));
        var check = new Command("check", "Check that every wallet's balance equals the sum of its ledger (exit 1 if not)");
        check.SetAction(p => cli.Run(p, g => Check(g, Console.Out)));
        var account = new Option<string?>("--account") { Description = "Only this account" };
        var overdraft = new Command("overdraft", "Prepaid usage priced after the wallet reached its floor, per account (for collections)") { account };
        overdraft.SetAction(p => cli.Run(p, g => Overdraft(g, p.GetValue(account), Console.Out)));
        var expire = new Command("expire", "Expire credit left each plan's expiry_days after the last top-up, two days on (the daily job does this at 02:00 UTC)");
        expire.SetAction(p => cli.Run(p, g => Expire(g, Console.Out)));
        var amount = Checked.Amount("amount", "Signed amount: positive credits the wallet, negative debits it; in its currency's minor unit, at most prepaid.topUpCeiling either way");
        var reason = new Option<string>("--reason") { Description = "Why (kept on the ledger row and in audit_log)", Required = true }.NotBlank("say why; it is kept on the ledger row and in audit_log");
        var by = new Option<string?>("--by") { Description = "Who (default: the OS user)" };
        var adjust = new Command("adjust", "Post a manual correction (goodwill credit, charge taken back) to a wallet; recorded in audit_log") { msisdn, amount, reason, by };
        adjust.SetAction(p => cli.Run(p, g => Adjust(g, p.GetValue(msisdn)!, p.GetValue(amount), p.GetValue(reason)!, p.GetValue(by), Console.Out)));
        return new Command("wallets", "Prepaid wallets") { show, check, overdraft, expire, adjust };
    }

    public static int Show(GlobalOptions g, string msisdnText, int limit, TextWriter output)
    {
        using var rt = Runtime.Start(g);
        var msisdn = Number(rt, msisdnText);
        using var conn = rt.Db.Open();
        var now = SystemClock.Instance.GetCurrentInstant();
        var account = WalletStore.AccountOf(conn, msisdn, now) ?? throw new UserErrorException($"No subscriber has the number +{msisdn}.");
        if (account.PaymentType != PaymentType.Prepaid)
        {
            throw new UserErrorException($"+{msisdn} belongs to account {account.AccountId}, which is {account.PaymentType.Code()}: only prepaid accounts have a wallet.");
        }

        var wallet = WalletStore.Wallet(conn, account.AccountId);
        var policy = rt.Jobs.Catalogs.InForce(conn, now)?.Catalog.Plans.GetValueOrDefault(account.PlanId)?.Prepaid ?? PrepaidPolicy.Default;
        var movements = wallet is null ? [] : WalletStore.LastMovements(conn, account.AccountId, limit);
        var overdraft = WalletStore.Overdraft(conn, account.AccountId);
        var allowances = AllowanceStore.LatestCycle(conn, account.AccountId);
        var crossed = NotificationStore.Latest(conn, account.AccountId, NotificationKinds.WalletEvents, limit);
        if (g.Json)
        {
            output.WriteLine(JsonSerializer.Serialize(new
            {
                account = account.AccountId,
                msisdn,
                plan = account.PlanId,
                currency = wallet?.Currency,
                balance = (wallet?.Balance ?? 0m).ToString(Inv),
                barredSince = wallet?.BarredSince?.ToString(),
                policy = new { thresholds = policy.Thresholds.Select(t => t.ToString(Inv)), creditLimit = policy.CreditLimit.ToString(Inv), policy.ExpiryDays },
                lastTopUp = wallet?.LastTopupAt?.ToString(),
                overdraft = overdraft.Select(o => new { currency = o.Amount.Currency.Code, o.Records, amount = o.Amount.ToInvariantString() }),
                movements = movements.Select(m => new { m.Id, m.Kind, amount = m.Amount.ToString(Inv), at = m.At.ToString(), m.UsageId, m.Reference, balanceAfter = m.BalanceAfter.ToString(Inv) }),
                notifications = crossed.Select(n => new { n.Kind, created = n.CreatedAt.ToString(), n.Subject, n.Status }),
                allowances = allowances.Select(a => new { allowance = a.AllowanceId, cycle = a.CycleStart.ToString("uuuu-MM-dd", Inv), a.Granted, a.Used }),
            }, BillingConfig.Json));
            return 0;
        }

        if (wallet is null)
        {
            output.WriteLine($"{account.AccountId} (+{msisdn}, {account.PlanId}) has no wallet yet: its first top-up or rated usage opens one.");
            return 0;
        }

        output.WriteLine($"{account.AccountId}  {wallet.Name}  (+{msisdn}, plan {account.PlanId})");
        output.WriteLine($"  balance {wallet.Funds}" + (wallet.BarredSince is { } b ? $"  BARRED since {b.ToString("uuuu-MM-dd HH:mm", Inv)} UTC" : "  active"));
        output.WriteLine($"  thresholds {string.Join(", ", policy.Thresholds.Select(t => new Money(t, wallet.Funds.Currency).ToMinorUnitString()))}; " +
            (policy.BarsAtZero ? "barred at zero" : $"credit limit {new Money(policy.CreditLimit, wallet.Funds.Currency)}") +
            (policy.ExpiryDays is { } d ? $"; credit expires {d} days after the last top-up" + (wallet.LastTopupAt is { } t ? $" (last {t.ToString("uuuu-MM-dd", Inv)})" : "") : "; credit never expires"));
        foreach (var o in overdraft)
        {
            output.WriteLine($"  overdraft owed (for collections): {o.Amount} over {o.Records:N0} record(s), {o.First.ToString("uuuu-MM-dd HH:mm", Inv)} – {o.Last.ToString("uuuu-MM-dd HH:mm", Inv)} UTC");
        }

        foreach (var a in allowances)
        {
            output.WriteLine($"  allowance {a.AllowanceId} (cycle from {a.CycleStart.ToString("uuuu-MM-dd", Inv)}): {a.Used:N0} of {a.Granted:N0} used");
        }

        output.WriteLine();
        output.WriteLine($"Last {movements.Count} movement(s):");
        // The ledger as stored: a usage debit is a charge, whose 6 decimals the balance above is the rounded sum of.
        var table = new TextTable("#", "kind", "at (UTC)", "amount (6 dp)", "balance after (6 dp)", "usage / reference");
        foreach (var m in movements)
        {
            table.Add(m.Id, m.Kind, m.At.ToString("uuuu-MM-dd HH:mm:ss", Inv), m.Amount.ToString("0.000000", Inv), m.BalanceAfter.ToString("0.000000", Inv), m.UsageId?.ToString(Inv) ?? m.Reference ?? "");
        }

        output.Write(table.ToString());
        output.WriteLine();
        output.WriteLine(crossed.Count == 0 ? "No thresholds crossed." : "Thresholds crossed (newest first):");
        foreach (var n in crossed)
        {
            output.WriteLine($"  {n.CreatedAt.ToString("uuuu-MM-dd HH:mm", Inv)}  {n.Kind,-12}  {n.Subject}  [{n.Status}]");
        }

        return 0;
    }

    public static int Adjust(GlobalOptions g, string msisdnText, decimal amount, string reason, string? by, TextWriter output)
    {
        CheckAmount(g, amount, signed: true);
        using var rt = Runtime.Start(g);
        var msisdn = Number(rt, msisdnText);
        using var conn = rt.Db.Open();
        WalletAdjustment r;
        try
        {
            r = rt.Jobs.TopUps().Adjust(conn, msisdn, amount, SystemClock.Instance.GetCurrentInstant(), reason, by ?? Environment.UserName);
        }
        catch (TopUpException e)
        {
            throw new UserErrorException(e.Message + ". Nothing was posted.");
        }

        output.WriteLine(g.Json
            ? JsonSerializer.Serialize(new { account = r.AccountId, ledgerId = r.LedgerId, amount = r.Amount.ToInvariantString(), balance = r.Balance.ToInvariantString(), currency = r.Balance.Currency.Code }, BillingConfig.Json)
            : $"Adjusted {r.AccountId} (+{msisdn}) by {r.Amount.ToSignedString()} (ledger #{r.LedgerId}, in audit_log): balance {r.Balance}.");
        return 0;
    }

    public static int Check(GlobalOptions g, TextWriter output)
    {
        using var rt = Runtime.Start(g);
        using var conn = rt.Db.Open();
        var wrong = WalletStore.Check(conn);
        var (wallets, balance, rows) = WalletStore.Totals(conn);
        if (g.Json)
        {
            output.WriteLine(JsonSerializer.Serialize(new { wallets, ledgerRows = rows, mismatches = wrong.Select(w => new { w.AccountId, balance = w.Balance.ToString(Inv), ledger = w.LedgerSum.ToString(Inv) }) }, BillingConfig.Json));
        }
        else if (wrong.Count == 0)
        {
            output.WriteLine($"{wallets:N0} wallet(s), {rows:N0} ledger row(s): every balance equals the sum of its ledger.");
        }
        else
        {
            output.WriteLine($"{wrong.Count} wallet(s) whose balance is not the sum of its ledger:");
            foreach (var w in wrong)
            {
                output.WriteLine($"  {w.AccountId}: balance {w.Balance.ToString(Inv)}, ledger {w.LedgerSum.ToString(Inv)}");
            }
        }

        return wrong.Count == 0 ? 0 : 1;
    }

    public static int Overdraft(GlobalOptions g, string? account, TextWriter output)
    {
        using var rt = Runtime.Start(g);
        using var conn = rt.Db.Open();
        var rows = WalletStore.Overdraft(conn, account);
        if (g.Json)
        {
            output.WriteLine(JsonSerializer.Serialize(rows.Select(r => new { r.AccountId, currency = r.Amount.Currency.Code, r.Records, amount = r.Amount.ToInvariantString(), first = r.First.ToString(), last = r.Last.ToString() }), BillingConfig.Json));
            return 0;
        }

        if (rows.Count == 0)
        {
            output.WriteLine("No prepaid overdraft: no usage was priced after a wallet reached its floor.");
            return 0;
        }

        var table = new TextTable("account", "currency", "records", "owed", "first (UTC)", "last (UTC)");
        foreach (var r in rows)
        {
            table.Add(r.AccountId, r.Amount.Currency.Code, r.Records, r.Amount.ToMinorUnitString(), r.First.ToString("uuuu-MM-dd HH:mm", Inv), r.Last.ToString("uuuu-MM-dd HH:mm", Inv));
        }

        output.Write(table.ToString());
        return 0;
    }

    public static int Expire(GlobalOptions g, TextWriter output)
    {
        using var rt = Runtime.Start(g);
        var result = rt.Jobs.ExpireCredit().Run();
        output.WriteLine(g.Json
            ? JsonSerializer.Serialize(new { result.Wallets, result.Expired, totals = result.Amounts.Select(a => new { currency = a.Currency.Code, amount = a.ToInvariantString() }) }, BillingConfig.Json)
            : $"Expiry run: {result.Expired:N0} of {result.Wallets:N0} wallet(s) with old credit had it expire" + (result.Amounts.Count == 0 ? "." : $" ({string.Join(", ", result.Amounts)} in total)."));
        return 0;
    }

    /// <summary>Before the database starts: the amount's sign and the configured ceiling (its minor unit is checked against the wallet's currency).</summary>
    public static void CheckAmount(GlobalOptions g, decimal amount, bool signed)
    {
        ArgumentNullException.ThrowIfNull(g);
        if (WalletAmount.Problem(amount, signed, BillingConfig.Load(g.ConfigPath).Prepaid.TopUpCeiling) is { } problem)
        {
            throw new UserErrorException($"AMOUNT '{amount.ToString(CultureInfo.InvariantCulture)}' {problem}.");
        }
    }

    /// <summary>A subscriber's number as typed, in E.164 under the configured numbering plan; a bad one is the command's error.</summary>
    public static string Number(Runtime rt, string text) =>
        new NumberNormaliser(rt.Config.Numbering).Normalise(text, out var problem) ?? throw new UserErrorException($"MSISDN '{text}': {problem}");
}
