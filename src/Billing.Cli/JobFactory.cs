using Billing.Documents;
using Billing.Jobs.Catalog;
using Billing.Jobs.Dunning;
using Billing.Jobs.Documents;
using Billing.Jobs.Invoicing;
using Billing.Jobs.Mediation;
using Billing.Jobs.Notifications;
using Billing.Jobs.Prepaid;
using Billing.Jobs.Rating;
using Billing.Mediation;
using Billing.Notifications;
using Billing.Storage;
using Hangfire;
using NodaTime;

namespace Billing.Cli;

/// <summary>
/// The one place jobs are built. The commands (through <see cref="Runtime.Jobs"/>) and serve's
/// Hangfire workers (<see cref="Register"/>) get them alike: the same database, configuration,
/// catalogue cache, notification layouts and clock.
/// </summary>
public sealed class JobFactory
{
    private readonly BillingDatabase _db;
    private readonly BillingConfig _config;

    public JobFactory(BillingDatabase db, BillingConfig config, IClock clock)
    {
        ArgumentNullException.ThrowIfNull(config);
        _db = db;
        _config = config;
        Clock = clock;
        Templates = LoadTemplatesOnce(config);
        // Loaded when first needed and kept; a failure is not kept (PublicationOnly): once the files are put right, the next job loads them.
        _renderer = new Lazy<InvoiceRenderer>(() => LoadRenderer(config.Documents), LazyThreadSafetyMode.PublicationOnly);
        _letterRenderer = new Lazy<LetterRenderer>(() => new LetterRenderer(_renderer.Value), LazyThreadSafetyMode.PublicationOnly);
    }

    private readonly Lazy<InvoiceRenderer> _renderer;

    private readonly Lazy<LetterRenderer> _letterRenderer;

    public IClock Clock { get; }

    /// <summary>The catalogue versions read so far: rating, prepaid and the bill run share them.</summary>
    public CatalogCache Catalogs { get; } = new();

    /// <summary>The notification layouts configured (else the shipped ones), loaded and checked when first needed, and again after a failure.</summary>
    public Func<NotificationTemplates> Templates { get; }

    /// <summary>Ingest of the drop folder; <paramref name="mediation"/> overrides the configured folder or settle time, <paramref name="client"/> is serve's (to fan out one job per file).</summary>
    public IngestDropFolderJob IngestDropFolder(MediationOptions? mediation = null, IBackgroundJobClient? client = null) =>
        new(_db, mediation ?? _config.Mediation, Clock, client);

    /// <summary>serve's drop-folder watcher: a settled file gets its ingest job (and rating) without waiting for the poll.</summary>
    public DropFolderWatcher DropFolderWatcher(IBackgroundJobClient client) => new(_config.Mediation, Clock, client);

    public IngestFileJob IngestFile() => new(_db, _config.Mediation, Clock);

    public RecycleSuspenseJob RecycleSuspense() => new(_db, _config.Mediation);

    /// <summary>Rating, with suspended subscribers' usage rated or held as dunning.suspendedUsage says.</summary>
    public RateUsageJob RateUsage() => new(_db, Catalogs, Templates, _config.Dunning.SuspendedUsageMode());

    /// <summary>Stored charges priced again and explained (`billing charges explain`).</summary>
    public ChargeExplainService ChargeExplanations() => new(_db, Catalogs);

    public ExpireCreditJob ExpireCredit() => new(_db, Catalogs, Clock, Templates);

    public DeliverNotificationsJob DeliverNotifications() => new(_db, _config.NotificationDelivery(), Clock);

    public BillRunJob BillRun(IClock? clock = null) => new(_db, Catalogs, _config.Invoicing, clock ?? Clock);

    /// <summary>The bill run split into Hangfire jobs, one per batch of accounts (serve).</summary>
    public BillRunFanOut BillRunFanOut(IBackgroundJobClient client) => new(_db, BillRun(), client, _config.Invoicing);

    /// <summary>Payments and credit notes, allocated to open invoices.</summary>
    public ReceivablesService Receivables() => new(_db, _config.Invoicing, Clock);

    /// <summary>One-time charges and manual adjustments for the next invoice.</summary>
    public AccountChargeService AccountCharges() => new(_db, Catalogs, _config.Invoicing, Clock);

    /// <summary>Top-ups, bundle purchases and adjustments, within the configured ceiling per posting.</summary>
    public TopUpService TopUps() => new(Catalogs, Templates, _config.Prepaid.TopUpCeiling, Clock);

    /// <summary>The dunning run: the ladder of the catalogue in force, messages in the configured layouts, letters into the document store, hand-over files in the agency folder.</summary>
    public DunningJob Dunning(IBackgroundJobClient? client = null) => new(_db, Catalogs, Templates, _config.Dunning, _config.AgencyFolder(), Letters(), Clock, client);

    /// <summary>Dunning letters drawn with the configured brand (the invoices' template) into the configured document store (or <paramref name="folder"/>).</summary>
    public LetterWriter Letters(string? folder = null) => new(() => _letterRenderer.Value, new DocumentFolder(folder ?? _config.Documents.Folder!), Clock);

    /// <summary>Invoice and credit-note PDFs into the configured document store (or <paramref name="folder"/>), with the brand's template loaded once.</summary>
    public RenderDocumentsJob RenderDocuments(string? folder = null) =>
        new(_db, _renderer.Value, new DocumentFolder(folder ?? _config.Documents.Folder!), _config.Documents, Clock);

    /// <summary>serve: every job Hangfire runs is built here, each time it runs.</summary>
    public void Register(IServiceCollection services)
    {
        services.AddTransient(sp => IngestDropFolder(client: sp.GetRequiredService<IBackgroundJobClient>()));
        services.AddTransient(_ => IngestFile());
        services.AddTransient(_ => RecycleSuspense());
        services.AddTransient(_ => RateUsage());
        services.AddTransient(_ => ExpireCredit());
        services.AddTransient(_ => DeliverNotifications());
        services.AddTransient(_ => BillRun());
        services.AddTransient(sp => BillRunFanOut(sp.GetRequiredService<IBackgroundJobClient>()));
        services.AddTransient(sp => Dunning(sp.GetRequiredService<IBackgroundJobClient>()));
        services.AddTransient(_ => RenderDocuments());
    }

    private static InvoiceRenderer LoadRenderer(DocumentOptions o)
    {
        try
        {
            return new InvoiceRenderer(InvoiceTemplate.Load(InvoiceTemplate.Locate(o.Templates, o.Brand)), DocumentFonts.Locate(o.Fonts));
        }
        catch (InvalidDataException e)
        {
            throw new UserErrorException(e.Message);
        }
    }

    private static Func<NotificationTemplates> LoadTemplatesOnce(BillingConfig config)
    {
        var folder = NotificationTemplates.Locate(config.Notifications.Templates);
        var loaded = new Lazy<NotificationTemplates>(() =>
        {
            try
            {
                return NotificationTemplates.Load(folder);
            }
            catch (InvalidDataException e)
            {
                throw new UserErrorException(e.Message);
            }
        }, LazyThreadSafetyMode.PublicationOnly);
        return () => loaded.Value;
    }
}
