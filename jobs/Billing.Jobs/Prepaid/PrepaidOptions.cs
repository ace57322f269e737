using System.Globalization;
using Billing.Core.Prepaid;

namespace Billing.Jobs.Prepaid;

/// <summary>Configuration of prepaid wallets (<c>prepaid</c> in billing.json).</summary>
public sealed record PrepaidOptions
{
    /// <summary>The largest top-up (and manual adjustment, either way) one posting may carry, in the wallet's currency.</summary>
    public decimal TopUpCeiling { get; init; } = WalletAmount.DefaultCeiling;

    public IReadOnlyList<string> Problems() =>
        TopUpCeiling is > 0m and <= MaxCeiling
            ? []
            : [$"prepaid.topUpCeiling must be more than 0 and at most {MaxCeiling.ToString(CultureInfo.InvariantCulture)}, not {TopUpCeiling.ToString(CultureInfo.InvariantCulture)}"];

    /// <summary>What a wallet's balance column holds comfortably (numeric(20,6) stops below 10^14).</summary>
    private const decimal MaxCeiling = 1_000_000_000m;
}
