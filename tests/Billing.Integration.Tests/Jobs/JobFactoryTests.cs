using Billing.Cli;
using Billing.Integration.Tests.Infrastructure;
using Billing.Notifications;
using NodaTime;

namespace Billing.Integration.Tests.Jobs;

public sealed class JobFactoryTests : IDisposable
{
    private readonly TempDir _tmp = new();

    public void Dispose() => _tmp.Dispose();

    /// <summary>
    /// Under `serve` one factory serves every job for the life of the process. The notification layouts are loaded when
    /// first needed: a folder missing or broken then made every later job fail the same way until serve was restarted, even
    /// after the files were put right. A failure is not kept: the next job loads them again.
    /// </summary>
    [Fact]
    public void Notification_layouts_that_failed_to_load_are_loaded_again_by_the_next_job_once_the_folder_is_put_right()
    {
        var folder = Path.Combine(_tmp.Path, "layouts");
        var config = new BillingConfig { Notifications = new NotificationOptions { Templates = folder } };
        var factory = new JobFactory(null!, config, SystemClock.Instance); // the layouts need no database

        Assert.Throws<UserErrorException>(() => factory.Templates());

        foreach (var file in Directory.EnumerateFiles(Path.Combine(Repo.Root, "templates", "notifications"), "*", SearchOption.AllDirectories))
        {
            var to = Path.Combine(folder, Path.GetRelativePath(Path.Combine(Repo.Root, "templates", "notifications"), file));
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(file, to);
        }

        Assert.NotNull(factory.Templates());
    }
}
