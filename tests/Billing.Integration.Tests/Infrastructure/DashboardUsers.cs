using System.Net;
using Billing.Cli.Portal;
using Billing.Integration.Tests.Portal;
using Billing.Storage;
using Billing.Storage.Portal;

namespace Billing.Integration.Tests.Infrastructure;

/// <summary>A finance and an operations user in a test database, and clients signed in as them through the portal's own form.</summary>
public static class DashboardUsers
{
    public const string Operations = "olga";
    public const string Finance = "fred";
    public const string Password = "dashboard passphrase 1";

    /// <summary>Adds both users unless they are there.</summary>
    public static void Ensure(BillingDatabase db)
    {
        ArgumentNullException.ThrowIfNull(db);
        using var c = db.Open();
        foreach (var (name, role) in new[] { (Operations, PortalAuth.Operations), (Finance, PortalAuth.Finance) })
        {
            if (PortalUserStore.Find(c, name) is null)
            {
                PortalUserStore.Add(c, name, role, PortalPasswords.Hash(Password), "tests");
            }
        }
    }

    /// <summary>A client of <paramref name="serve"/> signed in as <paramref name="name"/> (its cookies kept).</summary>
    public static async Task<HttpClient> SignedIn(ServeProcess serve, string name)
    {
        ArgumentNullException.ThrowIfNull(serve);
        var http = serve.Client();
        using var response = await PortalWorld.SignIn(http, name, Password);
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"sign-in of {name} answered {(int)response.StatusCode}\n{serve.Output}");
        return http;
    }
}
