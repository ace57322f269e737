using System.Security.Cryptography;
using System.Text;

namespace Billing.Catalog;

/// <summary>Recognises an unchanged catalogue folder: SHA-256 over its CSV files' names and bytes.</summary>
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
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var files = Directory.EnumerateFiles(folder, "*", SearchOption.TopDirectoryOnly)
            .Where(f => f.EndsWith(".csv", StringComparison.OrdinalIgnoreCase))
            .OrderBy(f => Path.GetFileName(f), StringComparer.Ordinal);
        Span<byte> length = stackalloc byte[8];
        foreach (var file in files)
        {
            var bytes = File.ReadAllBytes(file);
            hash.AppendData(Encoding.UTF8.GetBytes(Path.GetFileName(file)));
            hash.AppendData([0]);
            BitConverter.TryWriteBytes(length, (long)bytes.Length);
            hash.AppendData(length);
            hash.AppendData(bytes);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
