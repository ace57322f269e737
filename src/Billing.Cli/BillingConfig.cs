using System.Text.Json;
using System.Text.Json.Serialization;
using Billing.Jobs.Notifications;
using Billing.Mediation;
using Billing.Notifications;

namespace Billing.Cli;

/// <summary>
/// The installation's configuration: an optional JSON file (<c>--config</c>, else <c>BILLING_CONFIG</c>,
/// else <c>billing.json</c> in the working directory), else the shipped defaults.
/// </summary>
public sealed record BillingConfig
{
    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        PropertyNameCaseInsensitive = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public MediationOptions Mediation { get; init; } = new();

    /// <summary>The operator's numbering plan for subscriber numbers typed by people (accounts files, billing price).</summary>
    public NumberingPlan Numbering { get; init; } = DefaultSources.OperatorPlan;

    /// <summary>The numbering plan a CGRateS import reads national-format prefixes under, unless told another.</summary>
    [JsonIgnore]
    public Billing.Catalog.Cgrates.PrefixNumbering PrefixNumbering => new(Numbering.CountryCode, Numbering.TrunkPrefix, Numbering.InternationalPrefixes);

    /// <summary>Where the embedded cluster, logs and demo files live (relative to the working directory).</summary>
    public string StateDirectory { get; init; } = ".billing";

    /// <summary>Delivery of prepaid notifications: the channel (a folder or SMTP) and its settings.</summary>
    public NotificationOptions Notifications { get; init; } = new();

    /// <summary>The bill run: payment terms, number series, batch size, the daily run's approval.</summary>
    public Billing.Jobs.Invoicing.InvoicingOptions Invoicing { get; init; } = new();

    /// <summary>Invoice and credit-note PDFs: the document store, the brand, the fonts, the itemised annex.</summary>
    public Billing.Jobs.Documents.DocumentOptions Documents { get; init; } = new();
    /// <summary>Prepaid wallets: the ceiling per top-up (and per manual adjustment).</summary>
    public Billing.Jobs.Prepaid.PrepaidOptions Prepaid { get; init; } = new();

    /// <summary>The dunning run: where the agency hand-over files go, accounts read per query.</summary>
    public Billing.Jobs.Dunning.DunningOptions Dunning { get; init; } = new();

    /// <summary>Recurring jobs under serve: id → cron and time zone, over the defaults of <see cref="Billing.Jobs.Scheduling.Schedules"/>.</summary>
    public IReadOnlyDictionary<string, Billing.Jobs.Scheduling.ScheduleSetting> Schedules { get; init; } = new Dictionary<string, Billing.Jobs.Scheduling.ScheduleSetting>();

    /// <summary>Logging: subscriber numbers masked unless unmaskMsisdns says otherwise.</summary>
    public LoggingOptions Logging { get; init; } = new();

    /// <summary>The web host: which reverse proxies' forwarded headers are believed.</summary>
    public Hosting.ServeOptions Serve { get; init; } = new();

    /// <summary>The recurring jobs as they run: the configured schedules over the defaults.</summary>
    public IReadOnlyList<Billing.Jobs.Scheduling.Schedule> RecurringJobs() => Billing.Jobs.Scheduling.Schedules.Resolve(Schedules);

    /// <summary>The folder of the agency hand-over files: dunning.agencyFolder, else &lt;stateDirectory&gt;/agency.</summary>
    public string AgencyFolder() => Path.GetFullPath(Dunning.AgencyFolder ?? Path.Combine(StateDirectory, "agency"));

    /// <summary>The notification settings with the state directory that places the default folder.</summary>
    public NotificationDeliveryOptions NotificationDelivery() => new(Notifications, StateDirectory);

    /// <summary>Folders under the state directory that are not configured otherwise: mediation's spill files in &lt;stateDirectory&gt;/tmp, the documents in &lt;stateDirectory&gt;/documents.</summary>
    private BillingConfig WithStateFolders() =>
        this with
        {
            Mediation = Mediation with { TempFolder = Mediation.TempFolder ?? Path.Combine(StateDirectory, "tmp") },
            Documents = Documents with { Folder = Documents.Folder ?? Path.Combine(StateDirectory, "documents") },
        };

    /// <summary>What is wrong with the configuration, in words an operator can act on.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var s in Mediation.Sources)
        {
            if (string.IsNullOrWhiteSpace(s.Name) || !s.Name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                problems.Add($"source name '{s.Name}' must be letters, digits, '-' or '_' (it is a folder under incoming/)");
            }
            else if (!names.Add(s.Name))
            {
                problems.Add($"source '{s.Name}' is configured twice");
            }

            if (NodaTime.DateTimeZoneProviders.Tzdb.GetZoneOrNull(s.TimeZone) is null)
            {
                problems.Add($"source '{s.Name}': unknown IANA time zone '{s.TimeZone}' (e.g. Europe/London, America/New_York, UTC)");
            }

            if (s.Format == CdrFormat.Asterisk && s.AsteriskColumns is not (16 or 17 or 18 or 21))
            {
                problems.Add($"source '{s.Name}': asteriskColumns must be 16, 17, 18 or 21, not {s.AsteriskColumns}");
            }

            if (s.ClockSkewSeconds is < 0 or > CdrNormaliser.MaxClockSkewSeconds)
            {
                problems.Add($"source '{s.Name}': clockSkewSeconds must be 0 to {CdrNormaliser.MaxClockSkewSeconds}, not {s.ClockSkewSeconds}");
            }

            if (s.Numbering.CountryCode.Length is 0 or > 3 || !s.Numbering.CountryCode.All(char.IsAsciiDigit))
            {
                problems.Add($"source '{s.Name}': countryCode '{s.Numbering.CountryCode}' must be 1–3 digits");
            }
        }

        if (Mediation.SettleSeconds < 0)
        {
            problems.Add("mediation.settleSeconds must not be negative");
        }

        if (Mediation.WatchSettleMilliseconds is < 0 or > 3_600_000)
        {
            problems.Add("mediation.watchSettleMilliseconds must be 0 to 3,600,000");
        }

        foreach (var (name, value) in new[]
        {
            ("maxFileBytes", Mediation.MaxFileBytes),
            ("maxSuspendedRowsPerFile", Mediation.MaxSuspendedRowsPerFile),
            ("maxSuspendedBytesPerFile", Mediation.MaxSuspendedBytesPerFile),
        })
        {
            if (value < 1)
            {
                problems.Add($"mediation.{name} must be at least 1, not {value}");
            }
        }

        problems.AddRange(Notifications.Problems());
        problems.AddRange(Invoicing.Problems());
        problems.AddRange(Documents.Problems());
        problems.AddRange(Prepaid.Problems());
        problems.AddRange(Dunning.Problems());
        problems.AddRange(Billing.Jobs.Scheduling.Schedules.Problems(Schedules));
        problems.AddRange(Serve.Problems());

        return problems;
    }

    public static BillingConfig Load(string? path)
    {
        path ??= Environment.GetEnvironmentVariable("BILLING_CONFIG");
        if (path is null && File.Exists("billing.json"))
        {
            path = "billing.json";
        }

        if (path is null)
        {
            return new BillingConfig().WithStateFolders();
        }

        if (!File.Exists(path))
        {
            throw new UserErrorException($"Configuration file '{path}' does not exist.");
        }

        try
        {
            var config = JsonSerializer.Deserialize<BillingConfig>(File.ReadAllText(path), Json) ?? new BillingConfig();
            var problems = config.Problems();
            return problems.Count == 0
                ? config.WithStateFolders()
                : throw new UserErrorException($"Configuration file '{path}' is not valid:\n  - {string.Join("\n  - ", problems)}");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new UserErrorException($"Configuration file '{path}' is not valid: {e.Message}");
        }
    }
}

/// <summary>The <c>logging</c> section of billing.json.</summary>
public sealed record LoggingOptions
{
    /// <summary>True: subscriber numbers appear whole in the logs (for debugging a number's path; turn it off again).</summary>
    public bool UnmaskMsisdns { get; init; }
}

/// <summary>A mistake the user can fix: printed without a stack trace, exit code 2.</summary>
public sealed class UserErrorException(string message) : Exception(message);
