using CsvHelper;

namespace Billing.Mediation.Readers;

// PLACEHOLDER: being written (see the helper task); rejects every file until then.
public static class CucmReader
{
    public static ReaderOpening Open(CsvReader csv, SourceOptions source, string fileName)
    {
        ArgumentNullException.ThrowIfNull(csv);
        csv.Dispose();
        return ReaderOpening.Rejected("Cucm reader not written yet");
    }
}
