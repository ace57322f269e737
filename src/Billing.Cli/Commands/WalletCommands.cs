using System.Globalization;
using System.Text.Json;
using Billing.Core.Accounts;
using Billing.Core.Imports;
using Billing.Core.Money;
using Billing.Core.Notifications;
using Billing.Core.Prepaid;
using Billing.Jobs.Catalog;
using Billing.Jobs.Prepaid;
using Billing.Jobs.Rating;
using Billing.Mediation;
using Billing.Mediation.Imports;
using Billing.Notifications;
using Billing.Storage;
using Dapper;
using NodaTime;

namespace Billing.Cli.Commands;

/// <summary>billing topup, topups import, wallets show|check|overdraft|expire.</summary>
public static class WalletCommands
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static int TopUp(GlobalOptions g, string msisdnText, string amountText, string? reference, string? atText, string? bundle, TextWriter output)
    {
        if (!decimal.TryParse(amountText, NumberStyles.AllowDecimalPoint, Inv, out var amount) || amount <= 0)
        {
            throw new UserErrorException($"AMOUNT '{amountText}' must be a positive decimal, e.g. 10.00");
        }

        var at = atText is null ? SystemClock.Instance.GetCurrentInstant() : CatalogCommands.Effective(atText);
        using var rt = Runtime.Start(g);
        var msisdn = Number(rt, msisdnText);
        using var conn = rt.Db.Open();
        var result = Credit(rt, conn, [new TopUpRequest(msisdn, amount, at, reference, "billing topup", Bundle: bundle)])[0];
        if (g.Json)
        {
            output.WriteLine(JsonSerializer.Serialize(Json(result, reference), BillingConfig.Json));
        }
        else if (result.Added)
        {
            output.WriteLine($"Credited {result.Amount} to {result.AccountId} (+{msisdn}) as ledger #{result.LedgerId}" +
                (bundle is null ? $": balance {result.Balance}." : $", and bought bundle {bundle} with it: balance {WalletStore.Wallet(conn, result.AccountId)!.Funds}."));
        }
        else
        {
            output.WriteLine($"Reference {reference} was credited before (ledger #{result.LedgerId}, {result.Amount} to {result.AccountId}): nothing credited. Balance {result.Balance}.");
        }

        return 0;
    }

    public static int Import(GlobalOptions g, string file, TextWriter output)
    {
        if (!File.Exists(file))
        {
            throw new UserErrorException($"No such file: {file}");
        }

        using var rt = Runtime.Start(g);
        var (rows, errors) = TopUpCsvReader.Read(file, rt.Config.Numbering);
        if (errors.Count > 0)
        {
            if (g.Json)
            {
                output.WriteLine(JsonSerializer.Serialize(new { credited = 0, alreadyCredited = 0, errors }, BillingConfig.Json));
            }
            else
            {
                output.WriteLine($"Nothing credited: {errors.Count} row(s) of {file} need fixing:");
                foreach (var e in errors)
                {
                    output.WriteLine($"  {file}:{e.Line}: {e.Message}");
                }
            }

            return 2;
        }

        using var conn = rt.Db.Open();
        var results = Credit(rt, conn, rows.Select(r => new TopUpRequest(r.Msisdn, r.Amount, r.PaidAt, r.Reference, r.Note.Length == 0 ? Path.GetFileName(file) : r.Note, r.Currency)).ToList());
        var added = results.Where(r => r.Added).ToList();
        if (g.Json)
        {
            output.WriteLine(JsonSerializer.Serialize(new
            {
                credited = added.Count,
                alreadyCredited = results.Count - added.Count,
                totals = Money.Totals(added.Select(r => r.Amount)).Select(t => new { currency = t.Currency.Code, amount = t.ToInvariantString() }),
                errors = Array.Empty<ImportError>(),
            }, BillingConfig.Json));
        }
        else
        {
            var totals = string.Join(", ", Money.Totals(added.Select(r => r.Amount)));
            output.WriteLine($"{file}: credited {added.Count:N0} top-up(s){(added.Count > 0 ? $" ({totals})" : "")}; {results.Count - added.Count:N0} already credited by an earlier import (same reference): nothing credited twice.");
        }

        return 0;
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
        var policy = new CatalogCache().InForce(conn, now)?.Catalog.Plans.GetValueOrDefault(account.PlanId)?.Prepaid ?? PrepaidPolicy.Default;
        var movements = wallet is null ? [] : WalletStore.LastMovements(conn, account.AccountId, limit);
        var overdraft = WalletStore.Overdraft(conn, account.AccountId);
        var allowances = conn.Query<(string Allowance, LocalDate Cycle, long Granted, long Used)>("""
            SELECT b.allowance_id, b.cycle_start, b.granted, b.used FROM allowance_balances b JOIN subscriptions s ON s.id = b.subscription_id
            WHERE s.account_id = @a AND b.cycle_start = (SELECT max(cycle_start) FROM allowance_balances x WHERE x.subscription_id = b.subscription_id)
            ORDER BY 1
            """, new { a = account.AccountId }).AsList();
        var crossed = conn.Query<(string Kind, Instant Created, string Subject, string Status)>("""
            SELECT kind, created_at, subject, status FROM notifications
            WHERE account_id = @a AND kind = ANY(@kinds) ORDER BY id DESC LIMIT @limit
            """, new { a = account.AccountId, kinds = NotificationKinds.WalletEvents.ToArray(), limit }).AsList();
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
                notifications = crossed.Select(n => new { n.Kind, created = n.Created.ToString(), n.Subject, n.Status }),
                allowances = allowances.Select(a => new { a.Allowance, cycle = a.Cycle.ToString("uuuu-MM-dd", Inv), a.Granted, a.Used }),
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
            output.WriteLine($"  allowance {a.Allowance} (cycle from {a.Cycle.ToString("uuuu-MM-dd", Inv)}): {a.Used:N0} of {a.Granted:N0} used");
        }

        output.WriteLine();
        output.WriteLine($"Last {movements.Count} movement(s):");
        var table = new TextTable("#", "kind", "at (UTC)", "amount", "balance after", "usage / reference");
        foreach (var m in movements)
        {
            table.Add(m.Id, m.Kind, m.At.ToString("uuuu-MM-dd HH:mm:ss", Inv), m.Amount.ToString(Inv), m.BalanceAfter.ToString(Inv), m.UsageId?.ToString(Inv) ?? m.Reference ?? "");
        }

        output.Write(table.ToString());
        output.WriteLine();
        output.WriteLine(crossed.Count == 0 ? "No thresholds crossed." : "Thresholds crossed (newest first):");
        foreach (var n in crossed)
        {
            output.WriteLine($"  {n.Created.ToString("uuuu-MM-dd HH:mm", Inv)}  {n.Kind,-12}  {n.Subject}  [{n.Status}]");
        }

        return 0;
    }

    public static int Buy(GlobalOptions g, string msisdnText, string bundle, string? reference, string? atText, TextWriter output)
    {
        var at = atText is null ? SystemClock.Instance.GetCurrentInstant() : CatalogCommands.Effective(atText);
        using var rt = Runtime.Start(g);
        var msisdn = Number(rt, msisdnText);
        using var conn = rt.Db.Open();
        BundleResult result;
        try
        {
            result = new TopUpService(new CatalogCache(), Templates(rt)).BuyBundle(conn, msisdn, bundle, at, reference);
        }
        catch (TopUpException e)
        {
            throw new UserErrorException(e.Message + ". Nothing was bought.");
        }

        output.WriteLine(g.Json
            ? JsonSerializer.Serialize(new { result.Added, account = result.AccountId, result.LedgerId, bundle = result.Bundle.Id, price = result.Price.ToInvariantString(), balance = result.Balance.ToInvariantString(), currency = result.Balance.Currency.Code }, BillingConfig.Json)
            : result.Added
                ? $"Bought {result.Bundle.Name} ({result.Bundle.Id}) for {result.Price} for +{msisdn} (ledger #{result.LedgerId}); usage from {at.ToString("uuuu-MM-dd HH:mm", Inv)} UTC to the end of the bill cycle uses it first. Balance {result.Balance}."
                : $"Reference {reference} bought this before (ledger #{result.LedgerId}): nothing bought again.");
        return 0;
    }

    public static int Bundles(GlobalOptions g, string? planId, TextWriter output)
    {
        using var rt = Runtime.Start(g);
        using var conn = rt.Db.Open();
        var catalog = new CatalogCache().InForce(conn, SystemClock.Instance.GetCurrentInstant())
            ?? throw new UserErrorException("No catalogue version is in force: billing catalog load templates/catalog");
        var bundles = catalog.Catalog.Plans.Values.Where(p => planId is null || p.Id == planId).SelectMany(p => p.Bundles.Select(b => (Plan: p, Bundle: b))).ToList();
        if (g.Json)
        {
            output.WriteLine(JsonSerializer.Serialize(bundles.Select(x => new { plan = x.Plan.Id, bundle = x.Bundle.Id, x.Bundle.Name, service = x.Bundle.Allowance.Service.ToString().ToLowerInvariant(), x.Bundle.Allowance.Amount, price = x.Bundle.Price.ToString(Inv), x.Plan.Currency }), BillingConfig.Json));
            return 0;
        }

        var table = new TextTable("plan", "bundle", "name", "service", "amount", "destinations", "price");
        foreach (var (plan, b) in bundles)
        {
            table.Add(plan.Id, b.Id, b.Name, b.Allowance.Service.ToString().ToLowerInvariant(), b.Allowance.Amount, b.Allowance.DestinationGroups is null ? "all" : string.Join(";", b.Allowance.DestinationGroups.Order(StringComparer.Ordinal)), Money.Of(b.Price, plan.Currency).ToString());
        }

        output.Write(table.ToString());
        output.WriteLine("Amounts in the service's unit: seconds, messages, bytes. A bundle lasts until the end of the bill cycle it is bought in.");
        return 0;
    }

    public static int Adjust(GlobalOptions g, string msisdnText, string amountText, string reason, string? by, TextWriter output)
    {
        if (!decimal.TryParse(amountText, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, Inv, out var amount) || amount == 0m)
        {
            throw new UserErrorException($"AMOUNT '{amountText}' must be a non-zero decimal: positive credits the wallet, negative debits it (e.g. 2.50 or -1.20)");
        }

        using var rt = Runtime.Start(g);
        var msisdn = Number(rt, msisdnText);
        using var conn = rt.Db.Open();
        WalletAdjustment r;
        try
        {
            r = new TopUpService(new CatalogCache(), Templates(rt)).Adjust(conn, msisdn, amount, SystemClock.Instance.GetCurrentInstant(), reason, by ?? Environment.UserName);
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
        var result = new ExpireCreditJob(rt.Db, new CatalogCache(), SystemClock.Instance, Templates(rt)).Run();
        output.WriteLine(g.Json
            ? JsonSerializer.Serialize(new { result.Wallets, result.Expired, amount = result.Amounts.Sum(a => a.Amount).ToString(Inv) }, BillingConfig.Json)
            : $"Expiry run: {result.Expired:N0} of {result.Wallets:N0} wallet(s) with old credit had it expire" + (result.Amounts.Count == 0 ? "." : $" ({string.Join(", ", result.Amounts)} in total)."));
        return 0;
    }

    /// <summary>The notification layouts configured (else the shipped ones), checked once.</summary>
    public static Func<NotificationTemplates> Templates(Runtime rt)
    {
        ArgumentNullException.ThrowIfNull(rt);
        var folder = NotificationTemplates.Locate(rt.Config.Notifications.Templates);
        var loaded = new Lazy<NotificationTemplates>(() =>
        {
            try
            {
                return NotificationTemplates.Load(folder);
            }
            catch (InvalidDataException e)
            {
                throw new UserErrorException(e.Message);
            }
        });
        return () => loaded.Value;
    }

    private static IReadOnlyList<TopUpResult> Credit(Runtime rt, Npgsql.NpgsqlConnection conn, IReadOnlyList<TopUpRequest> requests)
    {
        try
        {
            return new TopUpService(new CatalogCache(), Templates(rt)).Credit(conn, requests);
        }
        catch (TopUpException e)
        {
            throw new UserErrorException(e.Message + ". Nothing was credited.");
        }
    }

    private static string Number(Runtime rt, string text) =>
        new NumberNormaliser(rt.Config.Numbering).Normalise(text, out var problem) ?? throw new UserErrorException($"MSISDN '{text}': {problem}");

    private static object Json(TopUpResult r, string? reference) => new
    {
        r.Added,
        account = r.AccountId,
        ledgerId = r.LedgerId,
        amount = r.Amount.ToInvariantString(),
        balance = r.Balance.ToInvariantString(),
        currency = r.Balance.Currency.Code,
        reference,
    };
}
