using System.CommandLine;
using Billing.Catalog;

namespace Billing.Cli.Commands;

/// <summary>
/// How a CGRateS tariff plan is read, as `catalog import-cgrates` and `price --cgrates` take it on the
/// command line: the currency and time zone its plans lack, the tenant and category of its rating
/// profiles, and the numbering plan of its national-format prefixes.
/// </summary>
public sealed class CgratesOptions
{
    private readonly Option<string> _currency = new("--currency") { Description = "Currency of the imported plans (CGRateS plans carry none)", DefaultValueFactory = _ => "EUR" };
    private readonly Option<string> _timeZone = new("--time-zone") { Description = "IANA zone the CGRateS timings are evaluated in", DefaultValueFactory = _ => "UTC" };
    private readonly Option<string> _tenant = new("--tenant") { Description = "CGRateS tenant", DefaultValueFactory = _ => "cgrates.org" };
    private readonly Option<string> _category = new("--category") { Description = "CGRateS category", DefaultValueFactory = _ => "call" };
    private readonly Option<string?> _countryCode = new("--country-code") { Description = "Country code under which national-format CGRateS prefixes and dialled numbers (0723…) are read as E.164 (40723…) (default: the configured numbering plan's)" };
    private readonly Option<string?> _trunkPrefix = new("--trunk-prefix") { Description = "Trunk prefix of national-format prefixes and numbers (default: the configured numbering plan's)" };

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public Command AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        foreach (var option in new Option[] { _currency, _timeZone, _tenant, _category, _countryCode, _trunkPrefix })
        {
            command.Options.Add(option);
        }

        return command;
    }

    /// <summary>The import's options as the CGRateS reader takes them; the country code and trunk prefix only if given.</summary>
    public Dictionary<string, string> Read(ParseResult p)
    {
        ArgumentNullException.ThrowIfNull(p);
        var options = new Dictionary<string, string> { ["currency"] = p.GetValue(_currency)!, ["timeZone"] = p.GetValue(_timeZone)!, ["tenant"] = p.GetValue(_tenant)!, ["category"] = p.GetValue(_category)! };
        if (p.GetValue(_countryCode) is { } country)
        {
            options[CatalogSource.CountryCodeOption] = country;
        }

        if (p.GetValue(_trunkPrefix) is { } trunk)
        {
            options[CatalogSource.TrunkPrefixOption] = trunk;
        }

        return options;
    }
}
