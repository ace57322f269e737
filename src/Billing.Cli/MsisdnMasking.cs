using System.Text.RegularExpressions;
using Serilog.Core;
using Serilog.Events;

namespace Billing.Cli;

/// <summary>
/// Subscriber numbers out of the logs: in every value a log event carries (its properties, however
/// nested; an exception's own text is written as thrown), a run of 10 to 15 digits — an E.164 number, with or without
/// its '+' — keeps its last 3 digits and the rest become '*'. Shorter numbers (ids, counts, years)
/// and file-name properties are left as they are. On by default; logging.unmaskMsisdns turns it off
/// for debugging.
/// </summary>
public sealed partial class MsisdnMasking : ILogEventEnricher
{
    public const int Visible = 3;

    /// <summary>Properties that name files the operator chose (a switch's file may carry a long timestamp): not masked.</summary>
    private static readonly HashSet<string> FileProperties = new(StringComparer.Ordinal) { "CdrFile", "File", "Folder", "Drop", "Where", "Urls", "SourceContext" };

    public static string Mask(string text) =>
        Msisdn().Replace(text ?? throw new ArgumentNullException(nameof(text)), m => new string('*', m.Length - Visible) + m.Value[^Visible..]);

    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
        ArgumentNullException.ThrowIfNull(logEvent);
        foreach (var (name, value) in logEvent.Properties.ToList())
        {
            if (!FileProperties.Contains(name) && Masked(value) is { } masked)
            {
                logEvent.AddOrUpdateProperty(new LogEventProperty(name, masked));
            }
        }
    }

    /// <summary>The value with its numbers masked, or null when nothing in it needed masking.</summary>
    private static LogEventPropertyValue? Masked(LogEventPropertyValue value) => value switch
    {
        ScalarValue { Value: string s } when Msisdn().IsMatch(s) => new ScalarValue(Mask(s)),
        ScalarValue { Value: long or ulong or decimal } v when Msisdn().IsMatch(v.Value.ToString()!) => new ScalarValue(Mask(v.Value.ToString()!)),
        SequenceValue seq when seq.Elements.Select(Masked).ToList() is var items && items.Any(i => i is not null) =>
            new SequenceValue(seq.Elements.Select((e, i) => items[i] ?? e)),
        StructureValue st when st.Properties.Select(p => Masked(p.Value)).ToList() is var props && props.Any(p => p is not null) =>
            new StructureValue(st.Properties.Select((p, i) => props[i] is { } m ? new LogEventProperty(p.Name, m) : p), st.TypeTag),
        DictionaryValue d when d.Elements.Select(kv => Masked(kv.Value)).ToList() is var vals && vals.Any(v => v is not null) =>
            new DictionaryValue(d.Elements.Select((kv, i) => new KeyValuePair<ScalarValue, LogEventPropertyValue>(kv.Key, vals[i] ?? kv.Value))),
        _ => null,
    };

    [GeneratedRegex(@"(?<![0-9A-Za-z])\+?[0-9]{10,15}(?![0-9A-Za-z])")]
    private static partial Regex Msisdn();
}
