using Billing.Core.Documents;
using Billing.Core.Dunning;
using Billing.Documents;
using Billing.Storage.Documents;
using NodaTime;

namespace Billing.Jobs.Documents;

/// <summary>
/// Dunning letters into the document store: drawn by <see cref="LetterRenderer"/> (the brand's template,
/// loaded when the first letter is drawn), written to <c>letters/INVOICE.STEP.pdf</c> through a temporary
/// name (0600), and described for the <c>documents</c> table (size, SHA-256).
/// </summary>
public sealed class LetterWriter(Func<LetterRenderer> renderer, DocumentFolder folder, IClock clock)
{
    public DocumentFolder Folder => folder;

    /// <summary>The letter's PDF bytes: the same for the same recorded letter, whenever drawn.</summary>
    public byte[] Render(DunningLetter letter) => renderer().Render(letter);

    /// <summary>Draws and writes the letter; the returned record is for <see cref="DocumentStore.Record"/>, in the step's transaction.</summary>
    public RenderedDocument Write(DunningLetter letter)
    {
        ArgumentNullException.ThrowIfNull(letter);
        var number = DunningLetter.NumberOf(letter.Invoice, letter.Step);
        var file = folder.Write(DocumentKind.Letter, number, Render(letter));
        return new RenderedDocument(DocumentKind.Letter, number, file.Path, file.SizeBytes, file.Sha256, clock.GetCurrentInstant());
    }
}
