using AnyRecon.Ros.Evaluation;
using AnyRecon.Ros.Imaging;

namespace AnyRecon.Ros.Cli.Eval;

/// <summary>Mean PSNR and SSIM of completed views and of their guidance renders against ground-truth views of the same names.</summary>
internal static class ViewQuality
{
    public readonly record struct Scores(double Psnr, double Ssim);

    public static (int Views, Scores Completed, Scores Guidance) Evaluate(string viewDirectory, string truthDirectory)
    {
        if (!Directory.Exists(viewDirectory)) throw new DirectoryNotFoundException($"{viewDirectory} does not exist");
        if (!Directory.Exists(truthDirectory)) throw new DirectoryNotFoundException($"{truthDirectory} does not exist");
        var names = Directory.GetFiles(viewDirectory, "*.png").Select(p => Path.GetFileNameWithoutExtension(p)!).Where(n => n != "contact_sheet").Order(StringComparer.Ordinal).ToList();
        if (names.Count == 0) throw new ArgumentException($"{viewDirectory} holds no completed views (NAME.png)");
        var png = new PngCodec();
        double cp = 0, cs = 0, gp = 0, gs = 0;
        foreach (string name in names)
        {
            string truthPath = Path.Combine(truthDirectory, name + ".png"), guidancePath = Path.Combine(viewDirectory, "guidance", name + ".png");
            if (!File.Exists(truthPath)) throw new FileNotFoundException($"no ground-truth view for {name}: {truthPath}");
            if (!File.Exists(guidancePath)) throw new FileNotFoundException($"no guidance render for {name}: {guidancePath}");
            var truth = png.DecodeRgb(File.ReadAllBytes(truthPath));
            var completed = png.DecodeRgb(File.ReadAllBytes(Path.Combine(viewDirectory, name + ".png")));
            var guidance = png.DecodeRgb(File.ReadAllBytes(guidancePath));
            foreach (var (image, label) in new[] { (completed, "completed view"), (guidance, "guidance render") })
                if (image.Width != truth.Width || image.Height != truth.Height)
                    throw new ArgumentException($"{name}: {label} is {image.Width}x{image.Height}, ground truth {truth.Width}x{truth.Height}");
            // An identical view has infinite PSNR; cap it at 100 dB so a mean stays finite.
            cp += Math.Min(100, ImageMetrics.Psnr(truth.Rgb, completed.Rgb));
            gp += Math.Min(100, ImageMetrics.Psnr(truth.Rgb, guidance.Rgb));
            cs += ImageMetrics.Ssim(truth.Rgb, completed.Rgb, truth.Width, truth.Height);
            gs += ImageMetrics.Ssim(truth.Rgb, guidance.Rgb, truth.Width, truth.Height);
        }
        int n = names.Count;
        return (n, new Scores(cp / n, cs / n), new Scores(gp / n, gs / n));
    }
}
