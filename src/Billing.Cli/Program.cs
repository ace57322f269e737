using System.CommandLine;
using Billing.Cli;
using Billing.Cli.Commands;
using Serilog;

var dbOption = new Option<string?>("--db") { Description = "PostgreSQL connection string (else BILLING_DB, else a private embedded cluster under .billing/)", Recursive = true };
var configOption = new Option<string?>("--config") { Description = "Configuration file (else BILLING_CONFIG, else ./billing.json if present, else the defaults)", Recursive = true };
var verboseOption = new Option<bool>("--verbose", "-v") { Description = "Log progress to the console (stderr)", Recursive = true };
var jsonOption = new Option<bool>("--json") { Description = "Machine-readable JSON on stdout", Recursive = true };

var root = new RootCommand("""
    billing — batch CDR mediation and bill-run engine.
    Reads CDR files dropped by switches and PBXs, normalises them into PostgreSQL exactly once,
    and keeps every bad row in suspense with a reason. Start with: billing demo
    """)
{
    dbOption, configOption, verboseOption, jsonOption,
};

GlobalOptions Global(ParseResult p) => new(p.GetValue(dbOption), p.GetValue(configOption), p.GetValue(verboseOption), p.GetValue(jsonOption));
var cli = new Cli((p, server, action) => Guarded(p, server, action));

int Guarded(ParseResult p, bool server, Func<GlobalOptions, int> action)
{
    var g = Global(p);
    try
    {
        var config = BillingConfig.Load(g.ConfigPath);
        Runtime.ConfigureLogging(g.Verbose, server, config.StateDirectory);
        return action(g);
    }
    catch (UserErrorException e)
    {
        Console.Error.WriteLine($"billing: {e.Message}");
        return 2;
    }
    catch (InvalidOperationException e) when (e.Message.Contains("PostgreSQL", StringComparison.Ordinal))
    {
        Console.Error.WriteLine($"billing: {e.Message}");
        return 2;
    }
    finally
    {
        Log.CloseAndFlush();
    }
}

// demo
var samplesOption = new Option<string?>("--samples") { Description = "Folder of sample CDRs (default: sample-cdrs/ of the repository)" };
var demo = new Command("demo", "Run the pipeline end to end on sample-cdrs/ into a fresh demo database and print a summary") { samplesOption };
demo.SetAction(p => Guarded(p, false, g => DemoCommand.Run(g, p.GetValue(samplesOption), Console.Out)));
root.Subcommands.Add(demo);

// ingest
var dropOption = new Option<string?>("--drop") { Description = "Drop folder (default from configuration: ./drop)" };
var settleOption = new Option<int?>("--settle") { Description = "Seconds a file must be unmodified before it is read (default 5)" };
var createOption = new Option<bool>("--create") { Description = "Create the drop folder if it does not exist (else a missing folder is an error)" };
var ingest = new Command("ingest", "Ingest every CDR file waiting in <drop>/incoming/<source>/; one line per file") { dropOption, settleOption, createOption };
ingest.SetAction(p => Guarded(p, false, g => MediationCommands.Ingest(g, p.GetValue(dropOption), p.GetValue(settleOption), p.GetValue(createOption), Console.Out)));
root.Subcommands.Add(ingest);

// files
var limitOption = new Option<int>("--limit") { Description = "How many files, newest first", DefaultValueFactory = _ => 50 };
var sourceFilter = new Option<string?>("--source") { Description = "Only this source" };
var filesList = new Command("list", "The manifest of processed files: read = accepted + suspended + duplicates + filtered") { limitOption, sourceFilter };
filesList.SetAction(p => Guarded(p, false, g => MediationCommands.FilesList(g, p.GetValue(limitOption), p.GetValue(sourceFilter), Console.Out)));
root.Subcommands.Add(new Command("files", "CDR file manifests") { filesList });

// suspense
var reasonOption = new Option<string?>("--reason") { Description = "Only rows with this reason code (e.g. bad-number)" };
var suspenseList = new Command("list", "Open suspense rows grouped by source and reason");
suspenseList.SetAction(p => Guarded(p, false, g => MediationCommands.SuspenseList(g, Console.Out)));
var recycle = new Command("recycle", "Run open suspense rows through mediation again (after a configuration fix)") { reasonOption, sourceFilter };
recycle.SetAction(p => Guarded(p, false, g => MediationCommands.SuspenseRecycle(g, p.GetValue(reasonOption), p.GetValue(sourceFilter), Console.Out)));
var noteOption = new Option<string>("--note") { Description = "Why these rows are closed (kept in the audit log)", Required = true };
var byOption = new Option<string?>("--by") { Description = "Who writes them off (default: the OS user)" };
var writeOff = new Command("write-off", "Close open suspense rows without usage, with an audit entry") { reasonOption, sourceFilter, noteOption, byOption };
writeOff.SetAction(p => Guarded(p, false, g => MediationCommands.SuspenseWriteOff(g, p.GetValue(reasonOption), p.GetValue(sourceFilter), p.GetValue(noteOption)!, p.GetValue(byOption), Console.Out)));
root.Subcommands.Add(new Command("suspense", "Rows that could not be mediated, with their reasons") { suspenseList, recycle, writeOff });

// db
var migrate = new Command("migrate", "Apply pending schema migrations (also done on every start)");
migrate.SetAction(p => Guarded(p, false, g => DbCommands.Migrate(g, Console.Out)));
root.Subcommands.Add(new Command("db", "Database schema") { migrate });

// accounts
var accountsFile = new Argument<string>("file") { Description = "Accounts CSV (columns in README: account_id,name,…,msisdn,plan,active_from,active_to)" };
var accountsImport = new Command("import", "Upsert accounts and subscriptions from a CSV file; all rows or none") { accountsFile };
accountsImport.SetAction(p => Guarded(p, false, g => AccountCommands.Import(g, p.GetValue(accountsFile)!, Console.Out)));
var accountId = new Argument<string>("id") { Description = "Account id" };
var accountsShow = new Command("show", "An account and its subscriptions") { accountId };
accountsShow.SetAction(p => Guarded(p, false, g => AccountCommands.Show(g, p.GetValue(accountId)!, Console.Out)));
var accountsStatement = new Command("statement", "The receivables ledger: invoices, credit notes, payments, allocations and the open balance") { accountId };
accountsStatement.SetAction(p => Guarded(p, false, g => AccountCommands.Statement(g, p.GetValue(accountId)!, Console.Out)));
root.Subcommands.Add(new Command("accounts", "Customer accounts and subscriptions") { accountsImport, accountsShow, accountsStatement });

// catalog
var catalogPath = new Argument<string>("path") { Description = "Catalogue folder" };
var effectiveOption = new Option<string?>("--effective") { Description = "Usage from this date (UTC midnight) or ISO-8601 time on is priced by this version (default: now)" };
var labelOption = new Option<string?>("--label") { Description = "Version label stored with every rated charge (default: folder name + checksum)" };
var catalogLoad = new Command("load", "Validate a native catalogue folder (every error with file and line) and store it as a new version") { catalogPath, effectiveOption, labelOption };
catalogLoad.SetAction(p => Guarded(p, false, g => CatalogCommands.Load(g, "native", p.GetValue(catalogPath)!, p.GetValue(effectiveOption), p.GetValue(labelOption), new Dictionary<string, string>(), Console.Out)));
var currencyOption = new Option<string>("--currency") { Description = "Currency of the imported plans (CGRateS plans carry none)", DefaultValueFactory = _ => "EUR" };
var tzOption = new Option<string>("--time-zone") { Description = "IANA zone the CGRateS timings are evaluated in", DefaultValueFactory = _ => "UTC" };
var tenantOption = new Option<string>("--tenant") { Description = "CGRateS tenant", DefaultValueFactory = _ => "cgrates.org" };
var categoryOption = new Option<string>("--category") { Description = "CGRateS category", DefaultValueFactory = _ => "call" };
var cgratesDir = new Argument<string>("dir") { Description = "CGRateS tariff-plan folder (Destinations.csv, Timings.csv, Rates.csv, DestinationRates.csv, RatingPlans.csv, RatingProfiles.csv)" };
var countryCodeOption = new Option<string?>("--country-code") { Description = "Country code under which national-format CGRateS prefixes and dialled numbers (0723…) are read as E.164 (40723…) (default: the configured numbering plan's)" };
var trunkPrefixOption = new Option<string?>("--trunk-prefix") { Description = "Trunk prefix of national-format prefixes and numbers (default: the configured numbering plan's)" };
Dictionary<string, string> CgratesOptions(ParseResult p)
{
    var options = new Dictionary<string, string> { ["currency"] = p.GetValue(currencyOption)!, ["timeZone"] = p.GetValue(tzOption)!, ["tenant"] = p.GetValue(tenantOption)!, ["category"] = p.GetValue(categoryOption)! };
    if (p.GetValue(countryCodeOption) is { } country)
    {
        options[Billing.Catalog.CatalogSource.CountryCodeOption] = country;
    }

    if (p.GetValue(trunkPrefixOption) is { } trunk)
    {
        options[Billing.Catalog.CatalogSource.TrunkPrefixOption] = trunk;
    }

    return options;
}

var importCgrates = new Command("import-cgrates", "Import a CGRateS tariff plan with CGRateS' semantics and store it as a new version") { cgratesDir, currencyOption, tzOption, tenantOption, categoryOption, countryCodeOption, trunkPrefixOption, effectiveOption, labelOption };
importCgrates.SetAction(p => Guarded(p, false, g => CatalogCommands.Load(g, "cgrates", p.GetValue(cgratesDir)!, p.GetValue(effectiveOption), p.GetValue(labelOption), CgratesOptions(p), Console.Out)));
var versionOption = new Option<int?>("--version") { Description = "Version to show (default: the one in force now)" };
var catalogShow = new Command("show", "Stored catalogue versions and a summary of one") { versionOption };
catalogShow.SetAction(p => Guarded(p, false, g => CatalogCommands.Show(g, p.GetValue(versionOption), Console.Out)));
root.Subcommands.Add(new Command("catalog", "Tariff catalogue versions") { catalogLoad, importCgrates, catalogShow });

// price
var priceCatalog = new Option<string>("--catalog") { Description = "Catalogue folder (native, or CGRateS with --cgrates)", Required = true };
var priceCgrates = new Option<bool>("--cgrates") { Description = "The folder is a CGRateS tariff plan" };
var pricePlan = new Option<string?>("--plan") { Description = "Plan id" };
var priceSubject = new Option<string?>("--subject") { Description = "CGRateS subject, resolved through RatingProfiles (with fallbacks)" };
var priceService = new Option<string>("--service") { Description = "voice, sms or data", Required = true };
var priceDestination = new Option<string?>("--destination") { Description = "Called number (E.164, +…, 00… or national)" };
var priceStart = new Option<string>("--start") { Description = "Event start, ISO-8601 with offset", Required = true };
var priceUsage = new Option<string>("--usage") { Description = "Seconds (95, 1m35s), SMS count, or bytes (5MB)", Required = true };
var price = new Command("price", "Price one event from a catalogue folder, no database, and explain every part") { priceCatalog, priceCgrates, pricePlan, priceSubject, priceService, priceDestination, priceStart, priceUsage, currencyOption, tzOption, tenantOption, categoryOption, countryCodeOption, trunkPrefixOption };
price.SetAction(p => Guarded(p, false, g => PriceCommand.Run(g, new PriceCommand.Request(p.GetValue(priceCatalog)!, p.GetValue(priceCgrates), p.GetValue(pricePlan), p.GetValue(priceSubject),
    CgratesOptions(p), p.GetValue(priceService)!, p.GetValue(priceDestination), p.GetValue(priceStart)!, p.GetValue(priceUsage)!), Console.Out)));
root.Subcommands.Add(price);

// rate
var rangeOption = new Option<int>("--range") { Description = "Usage ids per transaction (each of the 4 subscriber partitions finds about a quarter of them)", DefaultValueFactory = _ => Billing.Jobs.Rating.RateUsageJob.DefaultRangeSize };
var rate = new Command("rate", "Rate all unrated usage (and held usage whose cause is gone); safe to run from several processes") { rangeOption };
rate.SetAction(p => Guarded(p, false, g => RateCommand.Run(g, p.GetValue(rangeOption), Console.Out)));
root.Subcommands.Add(rate);

// rerate
var rerateFrom = new Option<string>("--from") { Description = "Start of the period: a date (UTC midnight) or ISO-8601 time", Required = true };
var rerateTo = new Option<string>("--to") { Description = "End of the period, exclusive", Required = true };
var rerateAccount = new Option<string?>("--account") { Description = "Only this account" };
var dryRunOption = new Option<bool>("--dry-run") { Description = "Print the difference per account and change nothing" };
var rerate = new Command("rerate", "Re-price a period after a catalogue fix: replaces not-invoiced charges, records the difference of invoiced ones as adjustments") { rerateFrom, rerateTo, rerateAccount, dryRunOption };
rerate.SetAction(p => Guarded(p, false, g => RerateCommand.Run(g, p.GetValue(rerateFrom)!, p.GetValue(rerateTo)!, p.GetValue(rerateAccount), p.GetValue(dryRunOption), Console.Out)));
root.Subcommands.Add(rerate);

// prepaid
var topupMsisdn = new Argument<string>("msisdn") { Description = "The prepaid subscriber's number (E.164, +…, 00… or national)" };
var topupAmount = new Argument<string>("amount") { Description = "Amount in the wallet's currency, e.g. 10.00" };
var referenceOption = new Option<string?>("--reference") { Description = "The payment's reference: a second top-up with it credits nothing" };
var atOption = new Option<string?>("--at") { Description = "When it was paid: ISO-8601 time (default: now)" };
var withBundleOption = new Option<string?>("--bundle") { Description = "Also buy this bundle of the plan with the credit (see billing bundles list)" };
var topup = new Command("topup", "Credit a prepaid wallet (lifts barring once above the floor; queues a receipt)") { topupMsisdn, topupAmount, referenceOption, atOption, withBundleOption };
topup.SetAction(p => Guarded(p, false, g => WalletCommands.TopUp(g, p.GetValue(topupMsisdn)!, p.GetValue(topupAmount)!, p.GetValue(referenceOption), p.GetValue(atOption), p.GetValue(withBundleOption), Console.Out)));
root.Subcommands.Add(topup);
var topupsFile = new Argument<string>("file") { Description = "Payment gateway export: reference,msisdn,amount,paid_at[,currency][,note]" };
var topupsImport = new Command("import", "Credit every top-up of a gateway export; idempotent on reference; all rows or none") { topupsFile };
topupsImport.SetAction(p => Guarded(p, false, g => WalletCommands.Import(g, p.GetValue(topupsFile)!, Console.Out)));
root.Subcommands.Add(new Command("topups", "Top-ups from a payment gateway") { topupsImport });
var walletMsisdn = new Argument<string>("msisdn") { Description = "The prepaid subscriber's number" };
var movementsOption = new Option<int>("--limit") { Description = "How many movements and notifications to show", DefaultValueFactory = _ => 20 };
var walletsShow = new Command("show", "A wallet: balance, barring, last movements, thresholds crossed, overdraft") { walletMsisdn, movementsOption };
walletsShow.SetAction(p => Guarded(p, false, g => WalletCommands.Show(g, p.GetValue(walletMsisdn)!, p.GetValue(movementsOption), Console.Out)));
var walletsCheck = new Command("check", "Check that every wallet's balance equals the sum of its ledger (exit 1 if not)");
walletsCheck.SetAction(p => Guarded(p, false, g => WalletCommands.Check(g, Console.Out)));
var overdraftAccount = new Option<string?>("--account") { Description = "Only this account" };
var walletsOverdraft = new Command("overdraft", "Prepaid usage priced after the wallet reached its floor, per account (for collections)") { overdraftAccount };
walletsOverdraft.SetAction(p => Guarded(p, false, g => WalletCommands.Overdraft(g, p.GetValue(overdraftAccount), Console.Out)));
var walletsExpire = new Command("expire", "Expire credit older than each plan's expiry_days now (the daily job does this at 02:00 UTC)");
walletsExpire.SetAction(p => Guarded(p, false, g => WalletCommands.Expire(g, Console.Out)));
var adjustAmount = new Argument<string>("amount") { Description = "Signed amount: positive credits the wallet, negative debits it" };
var adjustReason = new Option<string>("--reason") { Description = "Why (kept on the ledger row and in audit_log)", Required = true };
var adjustBy = new Option<string?>("--by") { Description = "Who (default: the OS user)" };
var walletsAdjust = new Command("adjust", "Post a manual correction (goodwill credit, charge taken back) to a wallet; recorded in audit_log") { walletMsisdn, adjustAmount, adjustReason, adjustBy };
walletsAdjust.SetAction(p => Guarded(p, false, g => WalletCommands.Adjust(g, p.GetValue(walletMsisdn)!, p.GetValue(adjustAmount)!, p.GetValue(adjustReason)!, p.GetValue(adjustBy), Console.Out)));
root.Subcommands.Add(new Command("wallets", "Prepaid wallets") { walletsShow, walletsCheck, walletsOverdraft, walletsExpire, walletsAdjust });
var bundleId = new Argument<string>("bundle") { Description = "Bundle id (catalogue bundles.csv)" };
var bundlesBuy = new Command("buy", "Buy a bundle from the wallet: an allowance used before money until the end of the bill cycle") { walletMsisdn, bundleId, referenceOption, atOption };
bundlesBuy.SetAction(p => Guarded(p, false, g => WalletCommands.Buy(g, p.GetValue(walletMsisdn)!, p.GetValue(bundleId)!, p.GetValue(referenceOption), p.GetValue(atOption), Console.Out)));
var bundlesPlan = new Option<string?>("--plan") { Description = "Only this plan's" };
var bundlesList = new Command("list", "Bundles the catalogue in force sells, per plan") { bundlesPlan };
bundlesList.SetAction(p => Guarded(p, false, g => WalletCommands.Bundles(g, p.GetValue(bundlesPlan), Console.Out)));
root.Subcommands.Add(new Command("bundles", "Prepaid bundles (allowances bought from the wallet)") { bundlesList, bundlesBuy });
// notifications
var notifyStatus = new Option<string?>("--status") { Description = "Only this status: pending, sent, failed or no-address" };
var notifyAccount = new Option<string?>("--account") { Description = "Only this account" };
var notifyKind = new Option<string?>("--kind") { Description = "Only this kind: low-balance, exhausted, credit-limit, expired or topup" };
var notifyLimit = new Option<int>("--limit") { Description = "How many, newest first", DefaultValueFactory = _ => 50 };
var notificationsList = new Command("list", "Messages in the outbox, newest first, with the count in each status") { notifyStatus, notifyAccount, notifyKind, notifyLimit };
notificationsList.SetAction(p => Guarded(p, false, g => NotificationCommands.List(g, new Billing.Storage.NotificationFilter(p.GetValue(notifyStatus), p.GetValue(notifyAccount), p.GetValue(notifyKind), p.GetValue(notifyLimit)), Console.Out)));
var notificationsSend = new Command("send", "Deliver the messages that are due now through the configured channel (a folder, or SMTP); prints sent, failed and no-address counts");
notificationsSend.SetAction(p => Guarded(p, false, g => NotificationCommands.Send(g, Console.Out)));
var notificationId = new Argument<long>("id") { Description = "Notification id (from billing notifications list)" };
var notificationsRetry = new Command("retry", "Make a failed or no-address notification pending again with fresh attempts (after fixing the SMTP settings or the account's e-mail)") { notificationId };
notificationsRetry.SetAction(p => Guarded(p, false, g => NotificationCommands.Retry(g, p.GetValue(notificationId), Console.Out)));
root.Subcommands.Add(new Command("notifications", "Prepaid notifications outbox (low balance, credit exhausted, top-up …): list, deliver, retry") { notificationsList, notificationsSend, notificationsRetry });

root.Subcommands.Add(BillRunCommands.Build(cli));
root.Subcommands.Add(ReconcileCommands.Build(cli));
root.Subcommands.Add(InvoiceCommands.Build(cli));
root.Subcommands.Add(CreditNoteCommands.Build(cli));
root.Subcommands.Add(PaymentCommands.Build(cli));
root.Subcommands.Add(ChargeCommands.Build(cli));

// config
var configShow = new Command("show", "Print the configuration in force (defaults, or the file's settings) as JSON");
configShow.SetAction(p => Guarded(p, false, g => ConfigCommand.Show(g, Console.Out)));
root.Subcommands.Add(new Command("config", "Configuration: sources, numbering plans, drop folder") { configShow });

// serve
var urlsOption = new Option<string>("--urls") { Description = "Where the web host listens", DefaultValueFactory = _ => "http://127.0.0.1:5080" };
var workersOption = new Option<int>("--workers") { Description = "Hangfire worker count", DefaultValueFactory = _ => Environment.ProcessorCount };
var serve = new Command("serve", "Web host: Hangfire server and dashboard (/hangfire), drop-folder polling and notification delivery every minute") { urlsOption, workersOption };
serve.SetAction(p => Guarded(p, true, g => ServeCommand.Run(g, p.GetValue(urlsOption)!, p.GetValue(workersOption))));
root.Subcommands.Add(serve);

// bench
var rowsOption = new Option<int>("--rows") { Description = "How many CDRs", DefaultValueFactory = _ => 2_000_000 };
var filesOption = new Option<int>("--files") { Description = "Spread over this many files", DefaultValueFactory = _ => 20 };
var benchWorkersOption = new Option<int>("--workers") { Description = "Files ingested in parallel (as Hangfire workers would)", DefaultValueFactory = _ => Environment.ProcessorCount };
var benchIngest = new Command("ingest", "Generate canonical CDRs, ingest them, and compare with a plain binary COPY") { rowsOption, filesOption, benchWorkersOption };
benchIngest.SetAction(p => Guarded(p, false, g => BenchCommand.Ingest(g, p.GetValue(rowsOption), p.GetValue(filesOption), p.GetValue(benchWorkersOption), Console.Out)));
var subscribersOption = new Option<int>("--subscribers") { Description = "How many subscribers", DefaultValueFactory = _ => 10_000 };
var prefixesOption = new Option<int>("--prefixes") { Description = "Destination prefixes in the synthetic catalogue", DefaultValueFactory = _ => 5_000 };
var rateWorkersOption = new Option<int>("--workers") { Description = "Rating processes at once (each claims its own id ranges)", DefaultValueFactory = _ => Environment.ProcessorCount };
var prepaidShareOption = new Option<decimal>("--prepaid-share") { Description = "Share of subscribers prepaid in the second run (0.5: every other one)", DefaultValueFactory = _ => 0.5m };
var benchTopUpOption = new Option<decimal?>("--top-up") { Description = "Each prepaid wallet's top-up in GBP before rating (default: 3.25 per usage record per subscriber, 65.00 for 20)" };
var repeatOption = new Option<int>("--repeat") { Description = "Rounds of the two runs, alternating; the best of each is compared (for a noisy machine)", DefaultValueFactory = _ => 1 };
var benchRate = new Command("rate", "Rate N stored usage records with a realistic catalogue, all postpaid and then with a share prepaid; also the pure engine alone") { rowsOption, subscribersOption, rateWorkersOption, prefixesOption, prepaidShareOption, benchTopUpOption, repeatOption };
benchRate.SetAction(p => Guarded(p, false, g => BenchRateCommand.Run(g, p.GetValue(rowsOption), p.GetValue(subscribersOption), p.GetValue(rateWorkersOption), p.GetValue(prefixesOption), p.GetValue(prepaidShareOption), p.GetValue(benchTopUpOption), p.GetValue(repeatOption), Console.Out)));
var engineRepeatOption = new Option<int>("--repeat") { Description = "Timed rounds (the best and the median are printed)", DefaultValueFactory = _ => 5 };
var engineRowsOption = new Option<int>("--rows") { Description = "Events per round", DefaultValueFactory = _ => 2_000_000 };
var engineSubscribersOption = new Option<int>("--subscribers") { Description = "Subscribers whose allowances the events draw on", DefaultValueFactory = _ => 1_000 };
var benchEngine = new Command("engine", "The pure rating engine alone on one thread, no database") { engineRowsOption, prefixesOption, engineSubscribersOption, engineRepeatOption };
benchEngine.SetAction(p => Guarded(p, false, g => BenchEngineCommand.Run(g, p.GetValue(engineRowsOption), p.GetValue(prefixesOption), p.GetValue(engineSubscribersOption), p.GetValue(engineRepeatOption), Console.Out)));
root.Subcommands.Add(new Command("bench", "Benchmarks that print measured figures") { benchIngest, benchRate, benchEngine, BenchBillRunCommand.Build(cli), BenchPdfCommand.Build(cli) });

return root.Parse(args).Invoke();
