using AnyRecon.Ros.Imaging;

namespace AnyRecon.Ros.Pipeline;

/// <summary>
/// The completion report a person looks at: one row per target, columns guidance render | retrieved views (up to four,
/// 2×2) | completed view | ground truth (when known), each scaled into a fixed tile, with a title over each column and
/// the target's name at the start of its row. Plain RGB8; the caller encodes it (PNG).
/// </summary>
public static class ContactSheet
{
    /// <summary>One row: the images of a target (any sizes; <paramref name="GroundTruth"/> may be null).</summary>
    public sealed record Row(string Name, ColorImage Guidance, IReadOnlyList<ColorImage> Retrieved, ColorImage Completed, ColorImage? GroundTruth);

    private const int Margin = 8, Label = 14, Scale = 2;

    public static ColorImage Compose(IReadOnlyList<Row> rows, int tileWidth = 240)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0) throw new ArgumentException("no rows", nameof(rows));
        ArgumentOutOfRangeException.ThrowIfLessThan(tileWidth, 16);
        var first = rows[0].Completed;
        int tileHeight = Math.Max(8, tileWidth * first.Height / first.Width);
        bool truth = rows.Any(r => r.GroundTruth is not null);
        string[] titles = truth ? ["GUIDANCE", "RETRIEVED", "COMPLETED", "GROUND TRUTH"] : ["GUIDANCE", "RETRIEVED", "COMPLETED"];
        int columns = titles.Length;
        int width = Margin + columns * (tileWidth + Margin);
        int rowHeight = Label + tileHeight + Margin;
        int height = Margin + Label + rows.Count * rowHeight;
        var sheet = new ColorImage(width, height, new byte[width * height * 3]);
        sheet.Rgb.AsSpan().Fill(32);
        for (int c = 0; c < columns; c++) DrawText(sheet, Margin + c * (tileWidth + Margin), Margin / 2, titles[c], 230);
        for (int r = 0; r < rows.Count; r++)
        {
            var row = rows[r];
            int y = Margin + Label + r * rowHeight;
            DrawText(sheet, Margin, y, row.Name.ToUpperInvariant(), 180);
            y += Label;
            Blit(sheet, row.Guidance, Margin, y, tileWidth, tileHeight);
            int half = tileWidth / 2, halfH = tileHeight / 2;
            for (int i = 0; i < Math.Min(4, row.Retrieved.Count); i++)
                Blit(sheet, row.Retrieved[i], Margin + (tileWidth + Margin) + (i & 1) * half, y + (i >> 1) * halfH, half - 1, halfH - 1);
            Blit(sheet, row.Completed, Margin + 2 * (tileWidth + Margin), y, tileWidth, tileHeight);
            if (truth && row.GroundTruth is { } gt) Blit(sheet, gt, Margin + 3 * (tileWidth + Margin), y, tileWidth, tileHeight);
        }
        return sheet;
    }

    /// <summary>A box-filtered copy of <paramref name="image"/> at <paramref name="width"/> × <paramref name="height"/>.</summary>
    public static ColorImage Resize(ColorImage image, int width, int height)
    {
        var resized = new ColorImage(width, height, new byte[width * height * 3]);
        Blit(resized, image, 0, 0, width, height);
        return resized;
    }

    /// <summary>Box-filtered resize of <paramref name="image"/> into the rectangle (integer source boxes, so no aliasing when shrinking).</summary>
    private static void Blit(ColorImage sheet, ColorImage image, int x0, int y0, int w, int h)
    {
        Span<int> sum = stackalloc int[3];
        for (int y = 0; y < h; y++)
        {
            int sy0 = y * image.Height / h, sy1 = Math.Max(sy0 + 1, (y + 1) * image.Height / h);
            for (int x = 0; x < w; x++)
            {
                int sx0 = x * image.Width / w, sx1 = Math.Max(sx0 + 1, (x + 1) * image.Width / w);
                sum.Clear();
                for (int sy = sy0; sy < sy1; sy++)
                {
                    var src = image.Rgb.AsSpan((sy * image.Width + sx0) * 3, (sx1 - sx0) * 3);
                    for (int i = 0; i < src.Length; i += 3)
                    {
                        sum[0] += src[i];
                        sum[1] += src[i + 1];
                        sum[2] += src[i + 2];
                    }
                }
                int n = (sy1 - sy0) * (sx1 - sx0);
                int o = ((y0 + y) * sheet.Width + x0 + x) * 3;
                sheet.Rgb[o] = (byte)((sum[0] + n / 2) / n);
                sheet.Rgb[o + 1] = (byte)((sum[1] + n / 2) / n);
                sheet.Rgb[o + 2] = (byte)((sum[2] + n / 2) / n);
            }
        }
    }

    private static void DrawText(ColorImage sheet, int x, int y, string text, byte grey)
    {
        foreach (char ch in text)
        {
            if (Glyphs.TryGetValue(ch, out var rows))
                for (int gy = 0; gy < 5; gy++)
                    for (int gx = 0; gx < 3; gx++)
                    {
                        if (rows[gy][gx] != '#') continue;
                        for (int dy = 0; dy < Scale; dy++)
                            for (int dx = 0; dx < Scale; dx++)
                            {
                                int px = x + gx * Scale + dx, py = y + gy * Scale + dy;
                                if (px >= sheet.Width || py >= sheet.Height) continue;
                                sheet.Rgb.AsSpan((py * sheet.Width + px) * 3, 3).Fill(grey);
                            }
                    }
            x += 4 * Scale;
        }
    }

    // A 3×5 pixel font: enough for titles and target names.
    private static readonly Dictionary<char, string[]> Glyphs = new()
    {
        ['A'] = ["###", "#.#", "###", "#.#", "#.#"], ['B'] = ["##.", "#.#", "##.", "#.#", "##."], ['C'] = ["###", "#..", "#..", "#..", "###"],
        ['D'] = ["##.", "#.#", "#.#", "#.#", "##."], ['E'] = ["###", "#..", "##.", "#..", "###"], ['F'] = ["###", "#..", "##.", "#..", "#.."],
        ['G'] = ["###", "#..", "#.#", "#.#", "###"], ['H'] = ["#.#", "#.#", "###", "#.#", "#.#"], ['I'] = ["###", ".#.", ".#.", ".#.", "###"],
        ['J'] = ["..#", "..#", "..#", "#.#", "###"], ['K'] = ["#.#", "#.#", "##.", "#.#", "#.#"], ['L'] = ["#..", "#..", "#..", "#..", "###"],
        ['M'] = ["#.#", "###", "###", "#.#", "#.#"], ['N'] = ["##.", "#.#", "#.#", "#.#", "#.#"], ['O'] = ["###", "#.#", "#.#", "#.#", "###"],
        ['P'] = ["###", "#.#", "###", "#..", "#.."], ['Q'] = ["###", "#.#", "#.#", "###", "..#"], ['R'] = ["###", "#.#", "##.", "#.#", "#.#"],
        ['S'] = ["###", "#..", "###", "..#", "###"], ['T'] = ["###", ".#.", ".#.", ".#.", ".#."], ['U'] = ["#.#", "#.#", "#.#", "#.#", "###"],
        ['V'] = ["#.#", "#.#", "#.#", "#.#", ".#."], ['W'] = ["#.#", "#.#", "###", "###", "#.#"], ['X'] = ["#.#", "#.#", ".#.", "#.#", "#.#"],
        ['Y'] = ["#.#", "#.#", ".#.", ".#.", ".#."], ['Z'] = ["###", "..#", ".#.", "#..", "###"],
        ['0'] = ["###", "#.#", "#.#", "#.#", "###"], ['1'] = [".#.", "##.", ".#.", ".#.", "###"], ['2'] = ["###", "..#", "###", "#..", "###"],
        ['3'] = ["###", "..#", "###", "..#", "###"], ['4'] = ["#.#", "#.#", "###", "..#", "..#"], ['5'] = ["###", "#..", "###", "..#", "###"],
        ['6'] = ["###", "#..", "###", "#.#", "###"], ['7'] = ["###", "..#", "..#", "..#", "..#"], ['8'] = ["###", "#.#", "###", "#.#", "###"],
        ['9'] = ["###", "#.#", "###", "..#", "###"], ['_'] = ["...", "...", "...", "...", "###"], ['-'] = ["...", "...", "###", "...", "..."],
        ['.'] = ["...", "...", "...", "...", ".#."], [' '] = ["...", "...", "...", "...", "..."],
    };
}
