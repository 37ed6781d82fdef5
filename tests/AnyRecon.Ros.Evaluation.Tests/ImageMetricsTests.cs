using System.Diagnostics;
using System.Globalization;
using AnyRecon.Ros.Tests;
using Xunit;

namespace AnyRecon.Ros.Evaluation.Tests;

/// <summary>PSNR and SSIM against an independent implementation: scikit-image (Debian's python3-skimage).</summary>
public sealed class ImageMetricsTests
{
    private const string Script = """
        import sys, numpy as np
        from skimage.metrics import peak_signal_noise_ratio, structural_similarity
        w, h = int(sys.argv[3]), int(sys.argv[4])
        a = np.fromfile(sys.argv[1], dtype=np.uint8).reshape(h, w, 3)
        b = np.fromfile(sys.argv[2], dtype=np.uint8).reshape(h, w, 3)
        psnr = peak_signal_noise_ratio(a, b, data_range=255)
        ssim = structural_similarity(a, b, gaussian_weights=True, sigma=1.5, use_sample_covariance=False, data_range=255, channel_axis=2)
        print(repr(float(psnr)), repr(float(ssim)))
        """;

    public static TheoryData<int, int, int> Cases => new() { { 1, 64, 48 }, { 2, 31, 57 }, { 3, 120, 90 } };

    [Theory]
    [MemberData(nameof(Cases))]
    public void PsnrAndSsim_ImagePairs_MatchScikitImage(int seed, int width, int height)
    {
        using var temp = new TempDirectory();
        var random = new Random(seed);
        // A textured image and a degraded copy: blur-like shifts, noise and a blanked patch, as completion errors look.
        var a = new byte[width * height * 3];
        for (int v = 0; v < height; v++)
            for (int u = 0; u < width; u++)
                for (int c = 0; c < 3; c++)
                    a[(v * width + u) * 3 + c] = (byte)(128 + 100 * Math.Sin(u * 0.3 + c) * Math.Cos(v * 0.2) + random.Next(-20, 20));
        var b = (byte[])a.Clone();
        for (int i = 0; i < b.Length; i++) b[i] = (byte)Math.Clamp(b[i] + random.Next(-25, 26), 0, 255);
        for (int v = height / 3; v < height / 2; v++) b.AsSpan((v * width + width / 4) * 3, width / 3 * 3).Clear();
        string pa = temp.Combine("a.raw"), pb = temp.Combine("b.raw"), script = temp.Combine("metrics.py");
        File.WriteAllBytes(pa, a);
        File.WriteAllBytes(pb, b);
        File.WriteAllText(script, Script);

        var (exit, output, error) = Run("/usr/bin/python3", script, pa, pb, width.ToString(CultureInfo.InvariantCulture), height.ToString(CultureInfo.InvariantCulture));
        if (exit != 0 && error.Contains("No module named", StringComparison.Ordinal))
            Fixtures.Unavailable($"suite 'image metrics vs scikit-image' could not run: /usr/bin/python3 has no skimage (apt install python3-skimage): {error.Trim()}");
        Assert.True(exit == 0, error);
        var expected = output.Trim().Split(' ').Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(expected[0], ImageMetrics.Psnr(a, b), 9);
        Assert.Equal(expected[1], ImageMetrics.Ssim(a, b, width, height), 9);
        // Sanity on the scale: identical images.
        Assert.Equal(double.PositiveInfinity, ImageMetrics.Psnr(a, a));
        Assert.Equal(1.0, ImageMetrics.Ssim(a, a, width, height), 12);
    }

    private static (int Exit, string Output, string Error) Run(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output.Result, error);
    }
}
