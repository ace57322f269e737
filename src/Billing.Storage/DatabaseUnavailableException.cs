namespace Billing.Storage;

/// <summary>
/// The database cannot be used, for a reason an operator fixes rather than a bug: the server is not
/// reachable, the embedded cluster cannot be created or started, or the schema is newer than this
/// build. The command line prints the message without a stack trace (exit 2).
/// </summary>
public sealed class DatabaseUnavailableException : Exception
{
    public DatabaseUnavailableException(string message)
        : base(message)
    {
    }

    public DatabaseUnavailableException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
