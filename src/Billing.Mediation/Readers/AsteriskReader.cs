using CsvHelper;

namespace Billing.Mediation.Readers;

// PLACEHOLDER: being written (see the helper task); rejects every file until then.
public static class AsteriskReader
{
    public static ReaderOpening Open(CsvReader csv, SourceOptions source)
    {
        ArgumentNullException.ThrowIfNull(csv);
        csv.Dispose();
        return ReaderOpening.Rejected("Asterisk reader not written yet");
    }
}
