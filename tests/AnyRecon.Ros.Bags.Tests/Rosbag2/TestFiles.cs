using System.Security.Cryptography;
using AnyRecon.Ros.Tests;
using Xunit;

namespace AnyRecon.Ros.Bags.Tests;

/// <summary>Fixture paths for theory rows, and a snapshot to prove fixtures are never modified.</summary>
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

    /// <summary>Name, size and SHA-256 of every file under a folder.</summary>
    public static IReadOnlyList<string> Snapshot(string folder) =>
        Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal)
            .Select(f => $"{Path.GetRelativePath(folder, f)} {new FileInfo(f).Length} {Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f)))}")
            .ToArray();
}
