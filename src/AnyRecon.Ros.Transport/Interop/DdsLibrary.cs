using System.Runtime.InteropServices;
using System.Text;

namespace AnyRecon.Ros.Transport;

/// <summary>libddsc is not installed: live commands stop here with the package to install.</summary>
public sealed class DdsUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>A DDS call failed; carries Cyclone's return code and text.</summary>
public sealed class DdsException(string operation, int code)
    : Exception($"{operation}: {Ddsc.RetCodeText(code)} ({code})")
{
    public int Code { get; } = code;
}

/// <summary>
/// Loads libddsc once, and routes Cyclone's own error and warning log lines to <see cref="Log"/> (rate-limited by the
/// caller's logger) instead of letting them go to stderr unannounced.
/// </summary>
internal static unsafe class DdsLibrary
{
    private static readonly Lazy<nint> s_handle = new(Load);

    /// <summary>Receives Cyclone's error/warning lines; set by the process that owns logging.</summary>
    public static Action<string>? Log { get; set; }

    public static nint Handle => s_handle.Value;

    /// <summary>Whether libddsc can be loaded, without throwing.</summary>
    public static bool IsAvailable
    {
        get
        {
            try { return Handle != 0; }
            catch (DdsUnavailableException) { return false; }
        }
    }

    /// <summary>Names another libddsc build to load instead of Debian's (and lets tests stand in a missing one).</summary>
    public const string LibraryVariable = "ANYRECON_DDSC_LIBRARY";

    private static nint Load()
    {
        string name = Environment.GetEnvironmentVariable(LibraryVariable) is { Length: > 0 } overridden ? overridden : Ddsc.Library;
        if (!NativeLibrary.TryLoad(name, out var handle))
            throw new DdsUnavailableException($"Cyclone DDS ({name}) could not be loaded; live ROS 2 commands need it: apt-get install {Ddsc.DebianPackage}");
        // Every [LibraryImport] of Ddsc resolves to the library loaded here.
        NativeLibrary.SetDllImportResolver(typeof(DdsLibrary).Assembly, (library, _, _) => library == Ddsc.Library ? handle : 0);
        Ddsc.SetLogSink(&OnLog, 0);
        return handle;
    }

    public static void Check(int code, string operation)
    {
        if (code < 0) throw new DdsException(operation, code);
    }

    [UnmanagedCallersOnly]
    private static void OnLog(nint arg, Ddsc.LogData* data)
    {
        try
        {
            if ((data->Priority & (Ddsc.LogFatal | Ddsc.LogError | Ddsc.LogWarning)) == 0 || data->Message == null) return;
            string text = Encoding.UTF8.GetString(data->Message, (int)data->Size).TrimEnd();
            (Log ?? (line => Console.Error.WriteLine($"[cyclonedds] {line}")))(text);
        }
        catch
        {
            // A log line must never unwind into Cyclone.
        }
    }
}
