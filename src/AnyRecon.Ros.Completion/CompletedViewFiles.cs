using AnyRecon.Ros.Imaging;

namespace AnyRecon.Ros.Completion;

/// <summary>
/// A completed view on disk, as <c>anyrecon eval --views</c> reads it: <c>DIR/NAME.png</c> (completed colour),
/// <c>DIR/guidance/NAME.png</c> (the guidance render's colour, the baseline), <c>DIR/depth/NAME.png</c> (completed
/// depth, 16-bit millimetres, 0 = unknown) and <c>DIR/source/NAME.png</c> (8-bit <see cref="PixelSource"/> × 80, so
/// observed, warped and filled read as grey levels).
/// </summary>
public static class CompletedViewFiles
{
    public static void Write(string directory, string name, CompletedView view, GuidanceRender guidance)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(guidance);
        foreach (string sub in new[] { "", "guidance", "depth", "source" }) Directory.CreateDirectory(Path.Combine(directory, sub));
        var png = new PngCodec();
        File.WriteAllBytes(Path.Combine(directory, name + ".png"), png.Encode(new ColorImage(view.Width, view.Height, view.Rgb)));
        File.WriteAllBytes(Path.Combine(directory, "guidance", name + ".png"), png.Encode(new ColorImage(guidance.Width, guidance.Height, guidance.Rgb)));
        File.WriteAllBytes(Path.Combine(directory, "depth", name + ".png"), png.EncodeDepth(new DepthImage(view.Width, view.Height, view.Depth)));
        var source = new byte[view.Source.Length];
        for (int i = 0; i < source.Length; i++) source[i] = (byte)((int)view.Source[i] * 80);
        File.WriteAllBytes(Path.Combine(directory, "source", name + ".png"), png.Encode(source, view.Width, view.Height, PixelLayout.Mono8));
    }
}
