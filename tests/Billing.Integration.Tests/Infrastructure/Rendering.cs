using Billing.Documents;
using Billing.Jobs.Documents;
using Billing.Storage;
using NodaTime;
using NodaTime.Testing;

namespace Billing.Integration.Tests.Infrastructure;

/// <summary>The render job over a scratch database, drawing with the repository's shipped templates into a test folder.</summary>
internal static class Rendering
{
    public static readonly Instant RenderedAt = Instant.FromUtc(2026, 12, 2, 9, 0);

    private static readonly Lazy<InvoiceRenderer> Shipped = new(() => new InvoiceRenderer(
        InvoiceTemplate.Load(Path.Combine(Repo.Root, "templates", "invoices", "default")), Path.Combine(Repo.Root, "templates", "fonts")));

    private static readonly Lazy<LetterRenderer> ShippedLetters = new(() => new LetterRenderer(Shipped.Value));

    public static InvoiceRenderer Renderer => Shipped.Value;

    /// <summary>Dunning letters drawn with the shipped default brand into <paramref name="folder"/>.</summary>
    public static LetterWriter Letters(string folder) => new(() => ShippedLetters.Value, new DocumentFolder(folder), new FakeClock(RenderedAt));

    public static RenderDocumentsJob Job(BillingDatabase db, string folder, DocumentOptions? options = null) =>
        new(db, Shipped.Value, new DocumentFolder(folder), options ?? new DocumentOptions(), new FakeClock(RenderedAt));
}
