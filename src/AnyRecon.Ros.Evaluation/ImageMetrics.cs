namespace AnyRecon.Ros.Evaluation;

/// <summary>
/// Image quality of a view against ground truth, as scikit-image computes it (so numbers compare with papers): PSNR
/// over every RGB byte with peak 255, and SSIM (Wang et al. 2004) per channel with an 11×11 Gaussian window (σ = 1.5),
/// K1 = 0.01, K2 = 0.03, population covariances, averaged over the image minus a 5-pixel border and then over the
/// three channels (skimage's <c>structural_similarity(gaussian_weights=True, sigma=1.5, use_sample_covariance=False,
/// data_range=255, channel_axis=2)</c>).
/// </summary>
public static class ImageMetrics
{
    private const int Radius = 5;
    private static readonly double[] s_kernel = GaussianKernel(1.5, Radius);

    /// <summary>PSNR in dB of two RGB8 images of one size; +∞ when identical.</summary>
    public static double Psnr(ReadOnlySpan<byte> expected, ReadOnlySpan<byte> actual)
    {
        if (expected.Length != actual.Length || expected.Length == 0) throw new ArgumentException($"images differ in size ({expected.Length} vs {actual.Length} bytes)");
        double sum = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            int d = expected[i] - actual[i];
            sum += d * d;
        }
        double mse = sum / expected.Length;
        return mse == 0 ? double.PositiveInfinity : 10 * Math.Log10(255.0 * 255.0 / mse);
    }

    /// <summary>Mean SSIM of two RGB8 images (row-major, width × height × 3); needs both sides ≥ 11 pixels.</summary>
    public static double Ssim(ReadOnlySpan<byte> expected, ReadOnlySpan<byte> actual, int width, int height)
    {
        if (expected.Length != width * height * 3 || actual.Length != expected.Length) throw new ArgumentException($"images must be {width}x{height} RGB8");
        if (width < 2 * Radius + 1 || height < 2 * Radius + 1) throw new ArgumentException($"SSIM needs at least {2 * Radius + 1} pixels a side, got {width}x{height}");
        const double c1 = 0.01 * 255 * 0.01 * 255, c2 = 0.03 * 255 * 0.03 * 255;
        int n = width * height;
        var x = new double[n];
        var y = new double[n];
        var products = new double[5][];
        for (int p = 0; p < 5; p++) products[p] = new double[n];
        var blurred = new double[5][];
        for (int p = 0; p < 5; p++) blurred[p] = new double[n];
        var scratch = new double[n];
        double total = 0;
        for (int c = 0; c < 3; c++)
        {
            for (int i = 0; i < n; i++)
            {
                x[i] = expected[i * 3 + c];
                y[i] = actual[i * 3 + c];
                products[0][i] = x[i];
                products[1][i] = y[i];
                products[2][i] = x[i] * x[i];
                products[3][i] = y[i] * y[i];
                products[4][i] = x[i] * y[i];
            }
            for (int p = 0; p < 5; p++) Blur(products[p], blurred[p], scratch, width, height);
            double sum = 0;
            int count = 0;
            for (int v = Radius; v < height - Radius; v++)
                for (int u = Radius; u < width - Radius; u++)
                {
                    int i = v * width + u;
                    double ux = blurred[0][i], uy = blurred[1][i];
                    double vx = blurred[2][i] - ux * ux, vy = blurred[3][i] - uy * uy, vxy = blurred[4][i] - ux * uy;
                    sum += (2 * ux * uy + c1) * (2 * vxy + c2) / ((ux * ux + uy * uy + c1) * (vx + vy + c2));
                    count++;
                }
            total += sum / count;
        }
        return total / 3;
    }

    /// <summary>Separable Gaussian blur, valid where the window fits (the only region SSIM averages).</summary>
    private static void Blur(double[] source, double[] destination, double[] scratch, int width, int height)
    {
        for (int v = 0; v < height; v++)
            for (int u = Radius; u < width - Radius; u++)
            {
                double s = 0;
                for (int k = -Radius; k <= Radius; k++) s += s_kernel[k + Radius] * source[v * width + u + k];
                scratch[v * width + u] = s;
            }
        for (int v = Radius; v < height - Radius; v++)
            for (int u = Radius; u < width - Radius; u++)
            {
                double s = 0;
                for (int k = -Radius; k <= Radius; k++) s += s_kernel[k + Radius] * scratch[(v + k) * width + u];
                destination[v * width + u] = s;
            }
    }

    private static double[] GaussianKernel(double sigma, int radius)
    {
        var kernel = new double[2 * radius + 1];
        double sum = 0;
        for (int i = -radius; i <= radius; i++) sum += kernel[i + radius] = Math.Exp(-0.5 * i * i / (sigma * sigma));
        for (int i = 0; i < kernel.Length; i++) kernel[i] /= sum;
        return kernel;
    }
}
