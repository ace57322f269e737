using System.Globalization;
using System.Text;
using Billing.Documents;

namespace Billing.Core.Tests.Documents;

public class PdfNumberTests
{
    private static string Of(double value) => PdfNumber.Append(new StringBuilder(), (decimal)value).ToString();

    [Theory]
    [InlineData(0.0, "0")]
    [InlineData(421.0, "421")]
    [InlineData(274.8184, "274.8184")]
    [InlineData(10.76320, "10.7632")]
    [InlineData(12.5060, "12.506")]
    [InlineData(0.0043, "0.0043")]
    [InlineData(0.05, "0.05")]
    [InlineData(0.5, "0.5")]
    [InlineData(1.00004, "1")]
    [InlineData(1.00005, "1.0001")]
    [InlineData(-3.25, "-3.25")]
    [InlineData(-0.00001, "0")]
    [InlineData(595.28, "595.28")]
    public void A_number_is_written_to_a_ten_thousandth_without_trailing_zeros(double value, string expected) =>
        Assert.Equal(expected, Of(value));

    [Theory]
    [InlineData(0.0, "0")]
    [InlineData(42.11, "42.11")]
    [InlineData(553.28, "553.28")]
    [InlineData(799.89, "799.89")]
    [InlineData(336.3224, "336.3224")]
    [InlineData(-12.5, "-12.5")]
    [InlineData(0.00004, "0")]
    [InlineData(0.00006, "0.0001")]
    public void A_double_is_written_to_a_ten_thousandth_without_trailing_zeros(double value, string expected) =>
        Assert.Equal(expected, PdfNumber.Append(new StringBuilder(), value).ToString());

    [Fact]
    public void Either_form_refuses_no_text_to_write_into()
    {
        Assert.Throws<ArgumentNullException>(() => PdfNumber.Append(null!, 1.5));
        Assert.Throws<ArgumentNullException>(() => PdfNumber.Append(null!, 1.5m));
    }

    [Fact]
    public void Every_number_reads_back_within_half_a_ten_thousandth_in_plain_notation()
    {
        var random = new Random(20261130);
        for (var k = 0; k < 20_000; k++)
        {
            var value = (random.NextDouble() - 0.2) * Math.Pow(10, random.Next(-5, 4));
            foreach (var text in new[] { Of(value), PdfNumber.Append(new StringBuilder(), value).ToString() })
            {
                Assert.Matches("^-?[0-9]+(\\.[0-9]*[1-9])?$", text);
                Assert.InRange(double.Parse(text, CultureInfo.InvariantCulture) - value, -0.00005000001, 0.00005000001);
            }
        }
    }
}
