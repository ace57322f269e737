namespace Billing.Cli.Commands;

public static class BenchCommand
{
    public static int Ingest(GlobalOptions g, int rows, int files, TextWriter output) => throw new UserErrorException("bench ingest: coming in this change");
}
