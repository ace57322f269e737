using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using IPNetwork = System.Net.IPNetwork;

namespace Billing.Cli.Hosting;

/// <summary>The <c>serve</c> section of billing.json: the reverse proxies whose forwarded headers are believed.</summary>
public sealed record ServeOptions
{
    /// <summary>
    /// Addresses (e.g. 127.0.0.1) or networks (e.g. 10.0.0.0/24) of the reverse proxies in front of
    /// serve. Only a request from one of them has its X-Forwarded-For and X-Forwarded-Proto applied;
    /// from anyone else those headers change nothing. Empty (the default): no proxy is believed.
    /// </summary>
    public IReadOnlyList<string> KnownProxies { get; init; } = [];

    public IReadOnlyList<string> Problems() =>
        [.. KnownProxies.Where(p => !IPAddress.TryParse(p, out _) && !IPNetwork.TryParse(p, out _))
            .Select(p => $"serve.knownProxies: '{p}' is neither an IP address (e.g. 127.0.0.1, ::1) nor a network (e.g. 10.0.0.0/24)")];

    /// <summary>
    /// Forwarded headers honoured from the configured proxies only. ASP.NET's own default believes
    /// loopback, and with both of its lists empty it believes everyone: so with no proxy configured
    /// no header is read at all, and otherwise the lists hold exactly the configured ones.
    /// </summary>
    public ForwardedHeadersOptions ForwardedHeaders()
    {
        var o = new ForwardedHeadersOptions
        {
            ForwardedHeaders = KnownProxies.Count == 0
                ? Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.None
                : Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedFor | Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedProto,
        };
        o.KnownIPNetworks.Clear();
        o.KnownProxies.Clear();
        foreach (var p in KnownProxies)
        {
            if (IPAddress.TryParse(p, out var address))
            {
                o.KnownProxies.Add(address);
            }
            else
            {
                o.KnownIPNetworks.Add(IPNetwork.Parse(p));
            }
        }

        return o;
    }
}
