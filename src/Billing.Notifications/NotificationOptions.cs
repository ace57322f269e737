using System.Text.Json.Serialization;
using Billing.Core.Notifications;
using Billing.Notifications.Channels;
using MimeKit;

namespace Billing.Notifications;

/// <summary>How notifications leave the outbox.</summary>
public enum NotificationChannelKind
{
    /// <summary>One text file per message in a folder (the default: nothing to set up).</summary>
    File,

    /// <summary>E-mail to the account's address through an SMTP server.</summary>
    Smtp,
}

public enum SmtpSecurity
{
    /// <summary>Plain text (a relay on the same host or network).</summary>
    [JsonStringEnumMemberName("none")]
    None,

    /// <summary>Upgrade to TLS after connecting (usually port 587); refuse a server that cannot.</summary>
    [JsonStringEnumMemberName("starttls")]
    StartTls,

    /// <summary>TLS from the start (usually port 465).</summary>
    [JsonStringEnumMemberName("ssl")]
    Ssl,
}

public sealed record SmtpOptions
{
    public string? Host { get; init; }

    public int Port { get; init; } = 25;

    public SmtpSecurity Security { get; init; } = SmtpSecurity.None;

    /// <summary>Log in with this user name (none: no authentication).</summary>
    public string? Username { get; init; }

    /// <summary>Its password (better not in a file that may be committed: see <see cref="PasswordFile"/>); else <see cref="EffectivePassword"/>'s other sources.</summary>
    public string? Password { get; init; }

    /// <summary>A file holding the password (its first line), outside the repository, e.g. /etc/billing/smtp-password, readable by billing's user only.</summary>
    public string? PasswordFile { get; init; }

    /// <summary>The sender, e.g. <c>"Billing &lt;billing@example.com&gt;"</c>; its domain is the right-hand side of every Message-ID.</summary>
    public string? From { get; init; }

    public int TimeoutSeconds { get; init; } = 30;

    public const string PasswordVariable = "BILLING_SMTP_PASSWORD";

    /// <summary>The environment variable naming a file that holds the password (as <see cref="PasswordFile"/>).</summary>
    public const string PasswordFileVariable = "BILLING_SMTP_PASSWORD_FILE";

    /// <summary>The password: <see cref="Password"/>, else BILLING_SMTP_PASSWORD, else the first line of <see cref="PasswordFile"/> or of the file BILLING_SMTP_PASSWORD_FILE names.</summary>
    public string? EffectivePassword()
    {
        if ((Password ?? Environment.GetEnvironmentVariable(PasswordVariable)) is { Length: > 0 } set)
        {
            return set;
        }

        return (PasswordFile ?? Environment.GetEnvironmentVariable(PasswordFileVariable)) is { Length: > 0 } file
            ? File.ReadLines(file).FirstOrDefault()?.TrimEnd('\r')
            : null;
    }
}

/// <summary>The <c>notifications</c> section of billing.json.</summary>
public sealed record NotificationOptions
{
    public NotificationChannelKind Channel { get; init; } = NotificationChannelKind.File;

    /// <summary>The file channel's folder (default: <c>notifications</c> under the state directory).</summary>
    public string? Folder { get; init; }

    /// <summary>The layouts folder (LANGUAGE/KIND.txt); null: <see cref="NotificationTemplates.Locate"/>.</summary>
    public string? Templates { get; init; }

    /// <summary>Attempts before a message is given up as failed.</summary>
    public int MaxAttempts { get; init; } = DeliveryRetry.DefaultMaxAttempts;

    public SmtpOptions Smtp { get; init; } = new();

    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (MaxAttempts is < 1 or > 100)
        {
            problems.Add($"notifications.maxAttempts must be 1–100, not {MaxAttempts}");
        }

        if (Folder is { } folder && string.IsNullOrWhiteSpace(folder))
        {
            problems.Add("notifications.folder must not be empty (leave it out for <stateDirectory>/notifications)");
        }

        if (Smtp.Port is < 1 or > 65535)
        {
            problems.Add($"notifications.smtp.port must be 1–65535, not {Smtp.Port}");
        }

        if (Smtp.TimeoutSeconds is < 1 or > 600)
        {
            problems.Add($"notifications.smtp.timeoutSeconds must be 1–600, not {Smtp.TimeoutSeconds}");
        }

        if (Smtp.From is { } from && !MailboxAddress.TryParse(from, out _))
        {
            problems.Add($"notifications.smtp.from '{from}' is not an e-mail address (e.g. \"Billing <billing@example.com>\")");
        }

        if (Smtp.PasswordFile is { Length: > 0 } passwordFile && !File.Exists(passwordFile))
        {
            problems.Add($"notifications.smtp.passwordFile: no file {passwordFile}");
        }

        if (Channel == NotificationChannelKind.Smtp)
        {
            if (string.IsNullOrWhiteSpace(Smtp.Host))
            {
                problems.Add("notifications.smtp.host is required when notifications.channel is \"smtp\"");
            }

            if (string.IsNullOrWhiteSpace(Smtp.From))
            {
                problems.Add("notifications.smtp.from is required when notifications.channel is \"smtp\"");
            }
        }

        return problems;
    }

    /// <summary>The configured channel, ready to send; <paramref name="stateDirectory"/> places the default folder.</summary>
    public INotificationChannel OpenChannel(string stateDirectory) => Channel switch
    {
        NotificationChannelKind.File => new FileChannel(Folder ?? Path.Combine(stateDirectory, "notifications"), Smtp.From),
        NotificationChannelKind.Smtp => new SmtpChannel(Smtp),
        _ => throw new InvalidOperationException($"unknown notification channel {Channel}"),
    };
}
