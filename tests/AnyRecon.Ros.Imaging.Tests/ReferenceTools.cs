using System.Diagnostics;
using System.Text;
using AnyRecon.Ros.Tests;

namespace AnyRecon.Ros.Imaging.Tests;

/// <summary>Debian's reference decoders (netpbm's pngtopnm, libjpeg-turbo-progs' djpeg), run as processes.</summary>
internal static class ReferenceTools
{
    /// <summary>Runs <paramref name="tool"/> with <paramref name="input"/> on stdin; returns stdout. Missing tool: suite unavailable.</summary>
    public static byte[] Run(string tool, string arguments, byte[] input)
    {
        string path = Path.Combine("/usr/bin", tool);
        if (!File.Exists(path))
            Fixtures.Unavailable($"reference suite '{tool}' could not run: {path} not found (.ci/setup installs netpbm and libjpeg-turbo-progs)");
        var start = new ProcessStartInfo(path, arguments)
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        using var process = Process.Start(start)!;
        var stdout = new MemoryStream();
        var copy = process.StandardOutput.BaseStream.CopyToAsync(stdout);
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardInput.BaseStream.Write(input);
        process.StandardInput.Close();
        copy.Wait();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{tool} {arguments} exited {process.ExitCode}: {stderr.Result}");
        return stdout.ToArray();
    }

    /// <summary>A decoded binary PNM: P5 (gray) or P6 (RGB), 8-bit or 16-bit big-endian samples as the format says.</summary>
    public sealed record Pnm(int Width, int Height, int Channels, int MaxValue, byte[] Samples)
    {
        public int Sample(int index) => MaxValue > 255 ? (Samples[2 * index] << 8) | Samples[2 * index + 1] : Samples[index];

        public int SampleCount => Width * Height * Channels;
    }

    public static Pnm ParsePnm(byte[] data)
    {
        int position = 0;
        string Token()
        {
            while (true)
            {
                while (char.IsWhiteSpace((char)data[position])) position++;
                if (data[position] != '#') break;
                while (data[position] != '\n') position++;
            }
            int start = position;
            while (!char.IsWhiteSpace((char)data[position])) position++;
            return Encoding.ASCII.GetString(data, start, position - start);
        }
        string magic = Token();
        int channels = magic switch { "P5" => 1, "P6" => 3, _ => throw new InvalidDataException($"not a binary PGM/PPM: {magic}") };
        int width = int.Parse(Token()), height = int.Parse(Token()), max = int.Parse(Token());
        position++; // the single whitespace before the raster
        int bytes = width * height * channels * (max > 255 ? 2 : 1);
        return new Pnm(width, height, channels, max, data.AsSpan(position, bytes).ToArray());
    }

    public static Pnm Decode(string tool, byte[] file) => ParsePnm(Run(tool, "", file));

    /// <summary>Peak signal-to-noise ratio of two 8-bit sample arrays, dB.</summary>
    public static double Psnr(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++) { double d = a[i] - b[i]; sum += d * d; }
        double mse = sum / a.Length;
        return mse == 0 ? double.PositiveInfinity : 10 * Math.Log10(255.0 * 255.0 / mse);
    }
}
