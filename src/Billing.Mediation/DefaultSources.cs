namespace Billing.Mediation;

/// <summary>
/// The sources shipped by default, one per format, all in UTC until configured otherwise.
/// The numbering plan is a UK operator's; the PBX sources dial out with access code 9 and
/// have 4-digit extensions in the DID range +44 20 794x xxxx.
/// </summary>
public static class DefaultSources
{
    public static NumberingPlan OperatorPlan { get; } = new();

    public static NumberingPlan PbxPlan { get; } = new()
    {
        AccessCodes = ["9"],
        ExtensionDigits = 4,
        ExtensionPrefix = "4420794",
    };

    public static IReadOnlyList<SourceOptions> All { get; } =
    [
        new() { Name = "canonical", Format = CdrFormat.Canonical, Numbering = OperatorPlan },
        new() { Name = "cucm", Format = CdrFormat.Cucm, Numbering = PbxPlan },
        new() { Name = "asterisk", Format = CdrFormat.Asterisk, AsteriskColumns = 18, Numbering = PbxPlan },
        new() { Name = "freeswitch", Format = CdrFormat.FreeSwitch, FreeSwitchTemplate = FreeSwitchTemplate.Example, Numbering = PbxPlan },
    ];
}
