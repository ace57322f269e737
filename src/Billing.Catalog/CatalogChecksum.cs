using System.Security.Cryptography;
using System.Text;

namespace Billing.Catalog;

/// <summary>Recognises an unchanged catalogue: SHA-256 over its CSV files' names and bytes.</summary>
public static class CatalogChecksum
{
    /// <summary>
    /// Lower-case hex SHA-256 over the folder's top-level *.csv files in ordinal name order, each as
    /// its name (UTF-8), a NUL, its length (8 bytes, little-endian) and its bytes. Other files (a
    /// README) do not change tariffs and are left out.
    /// </summary>
    public static string Of(string folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        var files = Directory.EnumerateFiles(folder, "*", SearchOption.TopDirectoryOnly)
            .Where(f => f.EndsWith(".csv", StringComparison.OrdinalIgnoreCase))
            .Select(f => (Path.GetFileName(f), File.ReadAllBytes(f)));
        return Hash(files);
    }

    /// <summary>The same over files' contents (name → text), each file's bytes being its text in UTF-8 without a byte-order mark.</summary>
    public static string Of(IReadOnlyDictionary<string, string> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        return Hash(files.Where(f => f.Key.EndsWith(".csv", StringComparison.OrdinalIgnoreCase)).Select(f => (f.Key, Encoding.UTF8.GetBytes(f.Value))));
    }

    private static string Hash(IEnumerable<(string Name, byte[] Bytes)> files)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> length = stackalloc byte[8];
        foreach (var (name, bytes) in files.OrderBy(f => f.Name, StringComparer.Ordinal))
        {
            hash.AppendData(Encoding.UTF8.GetBytes(name));
            hash.AppendData([0]);
            BitConverter.TryWriteBytes(length, (long)bytes.Length);
            hash.AppendData(length);
            hash.AppendData(bytes);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
