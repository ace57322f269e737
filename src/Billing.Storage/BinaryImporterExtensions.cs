using Npgsql;
using NpgsqlTypes;

namespace Billing.Storage;

/// <summary>Nullable columns of a binary COPY: a value, or NULL.</summary>
internal static class BinaryImporterExtensions
{
    public static void WriteNullable(this NpgsqlBinaryImporter copy, string? value)
    {
        if (value is null)
        {
            copy.WriteNull();
        }
        else
        {
            copy.Write(value, NpgsqlDbType.Text);
        }
    }

    public static void WriteNullable(this NpgsqlBinaryImporter copy, long? value)
    {
        if (value is { } v)
        {
            copy.Write(v, NpgsqlDbType.Bigint);
        }
        else
        {
            copy.WriteNull();
        }
    }
}
