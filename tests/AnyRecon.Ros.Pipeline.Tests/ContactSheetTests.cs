using AnyRecon.Ros.Imaging;
using Xunit;

namespace AnyRecon.Ros.Pipeline.Tests;

public sealed class ContactSheetTests
{
    private static ColorImage Solid(int w, int h, byte r, byte g, byte b)
    {
        var rgb = new byte[w * h * 3];
        for (int i = 0; i < rgb.Length; i += 3) (rgb[i], rgb[i + 1], rgb[i + 2]) = (r, g, b);
        return new ColorImage(w, h, rgb);
    }

    private static (byte, byte, byte) At(ColorImage image, int x, int y)
    {
        int o = (y * image.Width + x) * 3;
        return (image.Rgb[o], image.Rgb[o + 1], image.Rgb[o + 2]);
    }

    [Fact]
    public void Compose_TwoRows_EachTileShowsItsImageWhereTheLayoutPutsIt()
    {
        // A 2×2 checkerboard of 0/200 averages to 100 when a tile pixel covers whole 2×2 source boxes.
        var checker = new byte[64 * 48 * 3];
        for (int y = 0; y < 48; y++) for (int x = 0; x < 64; x++) checker.AsSpan((y * 64 + x) * 3, 3).Fill((byte)(((x + y) & 1) * 200));
        var rows = new[]
        {
            new ContactSheet.Row("000000", Solid(64, 48, 255, 0, 0), [Solid(64, 48, 0, 255, 0), Solid(32, 24, 0, 0, 255)], new ColorImage(64, 48, checker), Solid(64, 48, 9, 9, 9)),
            new ContactSheet.Row("gap_000003", Solid(64, 48, 1, 2, 3), [], Solid(128, 96, 40, 50, 60), null),
        };
        const int tile = 32;
        var sheet = ContactSheet.Compose(rows, tile);
        const int margin = 8, label = 14, tileHeight = 24;
        Assert.Equal(margin + 4 * (tile + margin), sheet.Width);
        Assert.Equal(margin + label + 2 * (label + tileHeight + margin), sheet.Height);

        int Column(int c) => margin + c * (tile + margin);
        int Row(int r) => margin + label + r * (label + tileHeight + margin) + label;
        Assert.Equal(((byte)255, (byte)0, (byte)0), At(sheet, Column(0) + 5, Row(0) + 5));
        Assert.Equal(((byte)0, (byte)255, (byte)0), At(sheet, Column(1) + 3, Row(0) + 3));
        Assert.Equal(((byte)0, (byte)0, (byte)255), At(sheet, Column(1) + tile / 2 + 3, Row(0) + 3));
        Assert.Equal(((byte)100, (byte)100, (byte)100), At(sheet, Column(2) + 7, Row(0) + 7));
        Assert.Equal(((byte)9, (byte)9, (byte)9), At(sheet, Column(3) + 1, Row(0) + 1));
        Assert.Equal(((byte)1, (byte)2, (byte)3), At(sheet, Column(0), Row(1)));
        Assert.Equal(((byte)40, (byte)50, (byte)60), At(sheet, Column(2) + tile - 1, Row(1) + tileHeight - 1));
        // No ground truth for row 2: the background shows.
        Assert.Equal(((byte)32, (byte)32, (byte)32), At(sheet, Column(3) + 5, Row(1) + 5));
        // Titles are drawn above the columns ("G" of GUIDANCE: its top bar).
        Assert.Equal(((byte)230, (byte)230, (byte)230), At(sheet, Column(0), margin / 2));
    }
}
