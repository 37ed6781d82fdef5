namespace AnyRecon.Ros.CaptureViews.Tests;

internal sealed class TempDirectory : IDisposable
{
    public TempDirectory() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "anyrecon-cache-" + Guid.NewGuid().ToString("N"));

    public string DataFile => System.IO.Path.Combine(Path, CaptureViewCache.DataFileName);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}
