using System.Globalization;
using Billing.Core.Catalog;
using Billing.Core.Prepaid;
using Billing.Core.Usage;

namespace Billing.Catalog.Native;

/// <summary>
/// A rate as its rows of rates.csv are read: the rate-level columns from its first row, then a step
/// per row, each checked against the one before; <see cref="Finish"/> gives the rate, or null when
/// any of its rows was wrong (every error reported on its own line).
/// </summary>
internal sealed class RateDraft(string id, CsvRow first)
{
    private readonly List<(RateStep Step, long Line)> _steps = [];
    private bool _broken;
    private decimal _connectFee;
    private decimal _minimum;
    private decimal _maxCost;
    private MaxCostStrategy _strategy = MaxCostStrategy.Free;
    private RoundingMethod _rounding = RoundingMethod.Middle;
    private int _decimals = 4;

    public string Id { get; } = id;

    public CsvRow First { get; } = first;

    public QuantityKind Kind { get; private set; } = QuantityKind.Plain;

    public void ReadRateColumns(CsvRow row, CatalogProblems problems)
    {
        _connectFee = Money(row, "connect_fee", problems);
        _minimum = Money(row, "minimum", problems);
        _maxCost = Money(row, "max_cost", problems);
        switch (row["max_cost_strategy"].ToLowerInvariant())
        {
            case "" or "free": _strategy = MaxCostStrategy.Free; break;
            case "disconnect": _strategy = MaxCostStrategy.Disconnect; break;
            default: Fail(row, problems, $"max_cost_strategy '{row["max_cost_strategy"]}' must be free or disconnect"); break;
        }

        switch (row["rounding"].ToLowerInvariant())
        {
            case "" or "middle": _rounding = RoundingMethod.Middle; break;
            case "up": _rounding = RoundingMethod.Up; break;
            case "down": _rounding = RoundingMethod.Down; break;
            default: Fail(row, problems, $"rounding '{row["rounding"]}' must be up, middle or down"); break;
        }

        if (row["decimals"].Length > 0)
        {
            if (!int.TryParse(row["decimals"], NumberStyles.None, CultureInfo.InvariantCulture, out _decimals) || _decimals > 6)
            {
                Fail(row, problems, $"decimals '{row["decimals"]}' must be a whole number from 0 to 6");
            }
        }
    }

    public void AddStep(CsvRow row, CatalogProblems problems)
    {
        var ok = true;
        var from = Quantity(row, "from", allowZero: true, problems, ref ok);
        var unit = Quantity(row, "unit", allowZero: false, problems, ref ok);
        var increment = Quantity(row, "increment", allowZero: false, problems, ref ok);
        if (!CatalogUnits.TryParseDecimal(row["price"], out var price) || price < 0)
        {
            Fail(row, problems, $"price '{row["price"]}' is not a non-negative decimal (e.g. 0.05)");
            ok = false;
        }

        if (!ok)
        {
            _broken = true;
            return;
        }

        if (_steps.Count == 0 && from != 0)
        {
            Fail(row, problems, $"the first step of rate '{Id}' must start at 0, not {row["from"]}");
            return;
        }

        if (_steps.Count > 0)
        {
            var (previous, previousLine) = _steps[^1];
            if (from <= previous.From)
            {
                Fail(row, problems, $"step from {from} does not increase on the previous step's {previous.From} (line {previousLine})");
                return;
            }

            if ((from - previous.From) % previous.Increment != 0)
            {
                _broken = true;
                problems.Error(row.File, previousLine, $"this step spans {from - previous.From} (to the next step on line {row.Line}), not a multiple of its increment {previous.Increment}");
            }
        }

        _steps.Add((new RateStep(from, price, unit, increment), row.Line));
    }

    public Rate? Finish(CatalogProblems problems)
    {
        if (_broken || _steps.Count == 0)
        {
            return null;
        }

        if (_minimum > 0 && _maxCost > 0 && _maxCost < _minimum)
        {
            problems.Error(First.File, First.Line, $"max_cost {_maxCost} is below minimum {_minimum}");
            return null;
        }

        return new Rate
        {
            Id = Id,
            ConnectFee = _connectFee,
            Steps = [.. _steps.Select(s => s.Step)],
            MinimumCharge = _minimum,
            MaxCost = _maxCost,
            MaxCostStrategy = _strategy,
            Rounding = _rounding,
            RoundingDecimals = _decimals,
        };
    }

    private long Quantity(CsvRow row, string column, bool allowZero, CatalogProblems problems, ref bool ok)
    {
        if (!CatalogUnits.TryParseQuantity(row[column], out var value, out var kind) || (!allowZero && value == 0))
        {
            Fail(row, problems, $"{column} '{row[column]}' is not a {(allowZero ? "" : "positive ")}quantity (e.g. 60s, 1m, 1KB, 1MB, 1sms or a plain number)");
            ok = false;
            return 0;
        }

        if (kind != QuantityKind.Plain)
        {
            if (Kind != QuantityKind.Plain && Kind != kind)
            {
                Fail(row, problems, $"{column} '{row[column]}' mixes {kind.ToString().ToLowerInvariant()} with {Kind.ToString().ToLowerInvariant()} units in rate '{Id}'");
                ok = false;
            }

            Kind = kind;
        }

        return value;
    }

    private decimal Money(CsvRow row, string column, CatalogProblems problems)
    {
        if (row[column].Length == 0)
        {
            return 0m;
        }

        if (CatalogUnits.TryParseDecimal(row[column], out var value) && value >= 0)
        {
            return value;
        }

        Fail(row, problems, $"{column} '{row[column]}' is not a non-negative decimal");
        return 0m;
    }

    private void Fail(CsvRow row, CatalogProblems problems, string message)
    {
        _broken = true;
        problems.Error(row.File, row.Line, message);
    }
}

/// <summary>A plan as plans.csv declares it, filled in by the files that refer to it (prices, allowances, fees, prepaid, bundles).</summary>
internal sealed class PlanDraft(string id, string name, string currency, string zone, long line)
{
    public string Id { get; } = id;

    public long Line { get; } = line;

    public List<PriceEntry> Voice { get; } = [];

    public List<PriceEntry> Sms { get; } = [];

    public List<PriceEntry> Data { get; } = [];

    public List<Allowance> Allowances { get; } = [];

    public List<RecurringFee> Fees { get; } = [];

    public List<Bundle> Bundles { get; } = [];

    public PrepaidPolicy Prepaid { get; set; } = PrepaidPolicy.Default;

    public Dictionary<ServiceType, string> UsageTaxCategories { get; } = [];

    public List<PriceEntry> Entries(ServiceType service) => service switch
    {
        ServiceType.Voice => Voice,
        ServiceType.Sms => Sms,
        ServiceType.Data => Data,
        _ => throw new ArgumentOutOfRangeException(nameof(service), service, null),
    };

    public Plan Build() => new()
    {
        Id = Id,
        Name = name.Length == 0 ? Id : name,
        Currency = currency,
        TimeZone = zone,
        Voice = [.. Voice],
        Sms = [.. Sms],
        Data = [.. Data],
        Allowances = [.. Allowances],
        RecurringFees = [.. Fees],
        Prepaid = Prepaid,
        Bundles = [.. Bundles],
        UsageTaxCategories = new Dictionary<ServiceType, string>(UsageTaxCategories),
    };
}
