using AnyRecon.Ros.Completion;
using AnyRecon.Ros.Imaging;

namespace AnyRecon.Ros.Pipeline;

/// <summary>
/// Replay's files for the completion loop, in <c>DIR/completed/</c>: each completed view and its guidance render as
/// PNGs named by the target (what <c>anyrecon eval --views</c> reads), and <c>contact_sheet.png</c> of the first
/// targets: guidance | retrieved | completed | ground truth (from <c>--gt-views DIR/NAME.png</c> when given).
/// </summary>
public sealed class CompletedViewOutputs(string directory, string? groundTruthViews)
{
    /// <summary>frame_id of completed images: a virtual camera with no TF of its own.</summary>
    public const string TargetFrame = "anyrecon_target_optical";

    /// <summary>Rows of the contact sheet; later targets are written but not shown.</summary>
    public const int ContactSheetRows = 6;

    private const int Thumbnail = 240;
    private readonly List<ContactSheet.Row> _rows = [];
    private readonly PngCodec _png = new();

    public void Write(TargetPose target, CompletionRequest request, CompletedView view)
    {
        CompletedViewFiles.Write(directory, target.Name, view, request.Guidance);
        if (_rows.Count >= ContactSheetRows) return;
        // Thumbnails only, so a long run holds a few small images, not every keyframe.
        var guidance = Shrink(new ColorImage(request.Guidance.Width, request.Guidance.Height, request.Guidance.Rgb));
        var retrieved = request.Retrieved.Take(4).Select(k => Shrink(k.Color)).ToArray();
        ColorImage? truth = null;
        string? truthPath = groundTruthViews is null ? null : Path.Combine(groundTruthViews, target.Name + ".png");
        if (truthPath is not null && File.Exists(truthPath)) truth = Shrink(_png.DecodeRgb(File.ReadAllBytes(truthPath)));
        _rows.Add(new ContactSheet.Row(target.Name, guidance, retrieved, Shrink(new ColorImage(view.Width, view.Height, view.Rgb)), truth));
    }

    public void WriteContactSheet()
    {
        if (_rows.Count == 0) return;
        var sheet = ContactSheet.Compose(_rows);
        Directory.CreateDirectory(directory);
        File.WriteAllBytes(Path.Combine(directory, "contact_sheet.png"), _png.Encode(sheet));
    }

    private static ColorImage Shrink(ColorImage image) => image.Width <= Thumbnail
        ? new ColorImage(image.Width, image.Height, (byte[])image.Rgb.Clone())
        : ContactSheet.Resize(image, Thumbnail, Math.Max(8, Thumbnail * image.Height / image.Width));
}
