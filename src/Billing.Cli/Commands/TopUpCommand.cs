using System.CommandLine;
using System.Text.Json;
using Billing.Jobs.Prepaid;
using Billing.Storage;
using NodaTime;

namespace Billing.Cli.Commands;

/// <summary>billing topup: one payment credited to a prepaid wallet (and a bundle bought with it).</summary>
public static class TopUpCommand
{
    public static Command Build(Cli cli)
    {
        ArgumentNullException.ThrowIfNull(cli);
        var msisdn = new Argument<string>("msisdn") { Description = "The prepaid subscriber's number (E.164, +…, 00… or national)" };
        var amount = Checked.Amount("amount", "Amount in the wallet's currency, e.g. 10.00: positive, in its minor unit, at most prepaid.topUpCeiling (1000 by default)");
        var reference = new Option<string?>("--reference") { Description = "The payment's reference: a second top-up with it credits nothing" };
        var at = Checked.Time("--at", "When it was paid: ISO-8601 time (default: now)");
        var bundle = new Option<string?>("--bundle") { Description = "Also buy this bundle of the plan with the credit (see billing bundles list)" };
        var topup = new Command("topup", "Credit a prepaid wallet (lifts barring once above the floor; queues a receipt)") { msisdn, amount, reference, at, bundle };
        topup.SetAction(p => cli.Run(p, g => TopUp(g, p.GetValue(msisdn)!, p.GetValue(amount), p.GetValue(reference), p.GetValue(at), p.GetValue(bundle), Console.Out)));
        return topup;
    }

    public static int TopUp(GlobalOptions g, string msisdnText, decimal amount, string? reference, Instant? paidAt, string? bundle, TextWriter output)
    {
        WalletCommands.CheckAmount(g, amount, signed: false);
        var at = paidAt ?? SystemClock.Instance.GetCurrentInstant();
        using var rt = Runtime.Start(g);
        var msisdn = WalletCommands.Number(rt, msisdnText);
        using var conn = rt.Db.Open();
        var result = Credit(rt, conn, [new TopUpRequest(msisdn, amount, at, reference, "billing topup", Bundle: bundle)])[0];
        if (g.Json)
        {
            output.WriteLine(JsonSerializer.Serialize(new
            {
                result.Added,
                account = result.AccountId,
                ledgerId = result.LedgerId,
                amount = result.Amount.ToInvariantString(),
                balance = result.Balance.ToInvariantString(),
                currency = result.Balance.Currency.Code,
                reference,
            }, BillingConfig.Json));
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

    /// <summary>Credits the top-ups all or none; a refusal is the command's error (exit 2).</summary>
    public static IReadOnlyList<TopUpResult> Credit(Runtime rt, Npgsql.NpgsqlConnection conn, IReadOnlyList<TopUpRequest> requests)
    {
        ArgumentNullException.ThrowIfNull(rt);
        try
        {
            return rt.Jobs.TopUps().Credit(conn, requests);
        }
        catch (TopUpException e)
        {
            throw new UserErrorException(e.Message + ". Nothing was credited.");
        }
    }
}
