namespace Billing.Core.Usage;

/// <summary>What a usage record measures: voice by seconds, SMS by event, data by bytes.</summary>
public enum ServiceType
{
    Voice = 1,
    Sms = 2,
    Data = 3,
}

public static class ServiceTypes
{
    public static string Code(this ServiceType service) => service switch
    {
        ServiceType.Voice => "voice",
        ServiceType.Sms => "sms",
        ServiceType.Data => "data",
        _ => throw new ArgumentOutOfRangeException(nameof(service), service, null),
    };

    public static bool TryParse(string? text, out ServiceType service)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "voice": service = ServiceType.Voice; return true;
            case "sms": service = ServiceType.Sms; return true;
            case "data": service = ServiceType.Data; return true;
            default: service = default; return false;
        }
    }
}
