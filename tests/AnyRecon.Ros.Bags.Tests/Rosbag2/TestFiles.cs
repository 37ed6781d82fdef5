using System.Security.Cryptography;
using AnyRecon.Ros.Tests;
using Xunit;

namespace AnyRecon.Ros.Bags.Tests;

/// <summary>Fixture paths for theory rows, temporary folders, and a snapshot to prove fixtures are never modified.</summary>
internal static class TestFiles
{
    /// <summary>The fixture path for a theory row; an empty row means the inventory was missing, so this skips (or fails under CI).</summary>
    public static string Fixture(string relativePath)
    {
        if (relativePath.Length == 0)
        {
            Fixtures.Require(Path.Combine(FixtureInventory.Rosbag2Suite, "INVENTORY.txt"));
            Assert.Fail("the fixture inventory exists but selected no rows");
        }
        return Fixtures.Require(relativePath);
    }

    /// <summary>A fresh folder under the system temp folder, deleted on dispose.</summary>
    public sealed class TempDirectory : IDisposable
    {
        public TempDirectory()
        {
            Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "anyrecon-test-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(Path);
        }

        public string Path { get; }

        public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

        /// <summary>Copies a fixture folder's files (not sub-folders) into a new sub-folder, to damage them safely.</summary>
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
            try
            {
                Directory.Delete(Path, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>Name, size and SHA-256 of every file under a folder.</summary>
    public static IReadOnlyList<string> Snapshot(string folder) =>
        Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal)
            .Select(f => $"{Path.GetRelativePath(folder, f)} {new FileInfo(f).Length} {Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f)))}")
            .ToArray();
}
