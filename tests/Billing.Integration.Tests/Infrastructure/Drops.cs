using Billing.Mediation;

namespace Billing.Integration.Tests.Infrastructure;

/// <summary>Writes files into a drop folder's incoming/&lt;source&gt;/, dated in the past so they count as settled.</summary>
public static class Drops
{
    public const string CanonicalHeader = "record_id,service,msisdn,destination,start_time,duration_s,volume_bytes,cell_id";

    /// <summary>
    /// When the dropped files were written: after every call in the tests' files (no call may start
    /// later, beyond the source's clock-skew tolerance) and before the clocks the tests run with.
    /// </summary>
    public static readonly DateTime WrittenAt = new(2026, 11, 20, 0, 0, 0, DateTimeKind.Utc);

    public static string Put(string dropRoot, string source, string name, string content)
    {
        var dir = Path.Combine(dropRoot, "incoming", source);
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, content);
        File.SetLastWriteTimeUtc(path, WrittenAt);
        return path;
    }

    public static string PutBytes(string dropRoot, string source, string name, byte[] content)
    {
        var path = Put(dropRoot, source, name, "");
        File.WriteAllBytes(path, content);
        File.SetLastWriteTimeUtc(path, WrittenAt);
        return path;
    }

    /// <summary>A canonical voice file with <paramref name="count"/> records r{first}…</summary>
    public static string Canonical(int first, int count, string msisdn = "07700900123")
    {
        var sb = new System.Text.StringBuilder(CanonicalHeader).Append('\n');
        for (var i = first; i < first + count; i++)
        {
            sb.Append($"r{i},voice,{msisdn},02079460{i % 1000:000},2026-11-02T08:{i / 60 % 60:00}:{i % 60:00}Z,{i % 300 + 1},,\n");
        }

        return sb.ToString();
    }

    public static MediationOptions Options(string dropRoot, int settleSeconds = 0) =>
        new() { DropFolder = dropRoot, SettleSeconds = settleSeconds };
}
