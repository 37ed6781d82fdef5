namespace AnyRecon.Ros.Tests;

/// <summary>A fresh folder under the system temp folder, deleted on dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "anyrecon-test-" + Guid.NewGuid().ToString("N"));

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    /// <summary>Copies a folder's files (not sub-folders) into a new sub-folder, e.g. to damage fixture copies safely.</summary>
    public string CopyFolder(string sourceFolder, string name)
    {
        string target = Combine(name);
        Directory.CreateDirectory(target);
        foreach (string file in Directory.EnumerateFiles(sourceFolder))
            File.Copy(file, System.IO.Path.Combine(target, System.IO.Path.GetFileName(file)));
        return target;
    }

    public void Dispose()
    {
        // Best effort: a leftover temp folder must not fail the test that used it.
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }
}
