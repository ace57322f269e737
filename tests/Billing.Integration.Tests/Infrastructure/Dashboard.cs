using System.Net;
using System.Text.RegularExpressions;

namespace Billing.Integration.Tests.Infrastructure;

/// <summary>The Hangfire dashboard's buttons as its own script presses them: a form POST carrying the antiforgery token its pages hand out.</summary>
public static partial class Dashboard
{
    /// <summary>The header name and token in a dashboard page's <c>csrf-header</c>/<c>csrf-token</c> meta tags (null when the page has none); the page also sets the antiforgery cookie.</summary>
    public static async Task<(string Header, string Token)?> Token(HttpClient http, string page = "/hangfire/recurring")
    {
        var html = await http.GetStringAsync(new Uri(page, UriKind.Relative));
        var header = CsrfHeader().Match(html);
        var token = CsrfToken().Match(html);
        return header.Success && token.Success
            ? (WebUtility.HtmlDecode(header.Groups[1].Value), WebUtility.HtmlDecode(token.Groups[1].Value))
            : null;
    }

    /// <summary>A button: POST the form with the token of a freshly fetched page, if the page carries one.</summary>
    public static async Task<HttpResponseMessage> Press(HttpClient http, string path, params (string Name, string Value)[] form)
    {
        var token = await Token(http);
        using var request = Post(path, form);
        if (token is { } t)
        {
            request.Headers.Add(t.Header, t.Token);
        }

        return await http.SendAsync(request);
    }

    public static HttpRequestMessage Post(string path, params (string Name, string Value)[] form) =>
        new(HttpMethod.Post, new Uri(path, UriKind.Relative))
        {
            Content = new FormUrlEncodedContent(form.Select(f => new KeyValuePair<string, string>(f.Name, f.Value))),
        };

    [GeneratedRegex("<meta name=\"csrf-header\" content=\"([^\"]+)\"")]
    private static partial Regex CsrfHeader();

    [GeneratedRegex("<meta name=\"csrf-token\" content=\"([^\"]+)\"")]
    private static partial Regex CsrfToken();
}
