using Billing.Core.Catalog;
using NodaTime.Text;
using static Billing.Catalog.Cgrates.CgratesImporter;

namespace Billing.Catalog.Cgrates;

/// <summary>RatingProfiles.csv: Tenant, Category, Subject, ActivationTime, RatingPlanId, RatesFallbackSubject.</summary>
internal static class RatingProfilesReader
{
    public static List<RatingProfile> Read(IReadOnlyDictionary<string, string> files, CatalogProblems problems, HashSet<string> planIds, CgratesImportOptions options)
    {
        var profiles = new List<RatingProfile>();
        foreach (var row in CsvTable.ReadPositional(files, RatingProfilesFile, required: false, 5, problems))
        {
            var ok = true;
            var tenant = row.At(0).Length == 0 ? options.DefaultTenant : row.At(0);
            var category = row.At(1).Length == 0 ? options.DefaultCategory : row.At(1);
            var subject = row.At(2);
            if (subject.Length == 0)
            {
                problems.Error(row.File, row.Line, "the subject is empty (use *any for everyone)");
                ok = false;
            }

            var activation = OffsetDateTimePattern.ExtendedIso.Parse(row.At(3));
            if (!activation.Success)
            {
                problems.Error(row.File, row.Line, $"ActivationTime '{row.At(3)}' is not an RFC 3339 time (e.g. 2014-01-14T00:00:00Z)");
                ok = false;
            }

            if (!planIds.Contains(row.At(4)))
            {
                problems.Error(row.File, row.Line, $"rating plan '{row.At(4)}' is not in {RatingPlansFile} (or has errors there)");
                ok = false;
            }

            if (ok)
            {
                var fallbacks = row.At(5).Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
                profiles.Add(new RatingProfile(tenant, category, subject, activation.Value.ToInstant(), row.At(4), fallbacks));
            }
        }

        return profiles;
    }
}
