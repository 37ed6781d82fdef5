using Xunit;

namespace AnyRecon.Ros.Tests;

/// <summary>
/// Finds ../shared/fixtures (files written by others). One setting: ANYRECON_FIXTURES overrides the default
/// <c>&lt;repo&gt;/../shared/fixtures</c>. Under CI a missing folder fails the test; elsewhere the test is skipped
/// with a message naming the suite that could not run.
/// </summary>
internal static class Fixtures
{
    public const string EnvironmentVariable = "ANYRECON_FIXTURES";

    public static string Root
    {
        get
        {
            string? fromEnv = Environment.GetEnvironmentVariable(EnvironmentVariable);
            if (!string.IsNullOrEmpty(fromEnv)) return Path.GetFullPath(fromEnv);
            return Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "fixtures"));
        }
    }

    public static string RepoRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "AnyRecon.Ros.sln"))) dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException("AnyRecon.Ros.sln not found above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>Path of a fixture file or folder; fails (CI) or skips naming the suite (elsewhere) when missing.</summary>
    public static string Require(string relativePath)
    {
        string path = Path.Combine(Root, relativePath);
        if (File.Exists(path) || Directory.Exists(path)) return path;
        Unavailable($"fixture suite '{relativePath}' could not run: {path} not found (set {EnvironmentVariable})");
        return path;
    }

    /// <summary>Ends a test whose suite cannot run here (fixture or tool missing): fails under CI, where every suite
    /// must run; skips elsewhere. <paramref name="message"/> names the suite and how to provide what is missing.</summary>
    public static void Unavailable(string message)
    {
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            Assert.Fail(message);
        Assert.Skip(message);
    }

    /// <summary>Every fixture file under <paramref name="relativeFolder"/> matching <paramref name="pattern"/>, for theory data.
    /// Returns a single empty entry when missing, so the theory runs once and reports the missing suite through <see cref="Require"/>.</summary>
    public static IEnumerable<string> Files(string relativeFolder, string pattern)
    {
        string folder = Path.Combine(Root, relativeFolder);
        if (!Directory.Exists(folder)) return [""];
        return Directory.EnumerateFiles(folder, pattern, SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(Root, f))
            .Order(StringComparer.Ordinal)
            .ToArray();
    }
}
