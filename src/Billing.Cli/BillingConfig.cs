using System.Text.Json;
using System.Text.Json.Serialization;
using Billing.Mediation;

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

    /// <summary>Where the embedded cluster, logs and demo files live (relative to the working directory).</summary>
    public string StateDirectory { get; init; } = ".billing";

    public static BillingConfig Load(string? path)
    {
        path ??= Environment.GetEnvironmentVariable("BILLING_CONFIG");
        if (path is null && File.Exists("billing.json"))
        {
            path = "billing.json";
        }

        if (path is null)
        {
            return new BillingConfig();
        }

        if (!File.Exists(path))
        {
            throw new UserErrorException($"Configuration file '{path}' does not exist.");
        }

        try
        {
            var config = JsonSerializer.Deserialize<BillingConfig>(File.ReadAllText(path), Json) ?? new BillingConfig();
            foreach (var s in config.Mediation.Sources)
            {
                _ = s.Zone();
            }

            return config;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new UserErrorException($"Configuration file '{path}' is not valid: {e.Message}");
        }
    }
}

/// <summary>A mistake the user can fix: printed without a stack trace, exit code 2.</summary>
public sealed class UserErrorException(string message) : Exception(message);
