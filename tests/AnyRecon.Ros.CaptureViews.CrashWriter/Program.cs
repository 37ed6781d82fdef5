using AnyRecon.Ros.CaptureViews;
using AnyRecon.Ros.CaptureViews.Tests;

// Usage: CrashWriter <directory> <width> <height> [maxKeyframes]
// Appends TestKeyframe.Create(id, width, height) for id = Count, Count+1, ... and prints "ack <id>" after each
// Append returns (stdout is auto-flushed), so the parent knows exactly which keyframes were acknowledged when it kills us.
if (args.Length < 3)
{
    Console.Error.WriteLine("usage: CrashWriter <directory> <width> <height> [maxKeyframes]");
    return 2;
}
int width = int.Parse(args[1]), height = int.Parse(args[2]);
long max = args.Length > 3 ? long.Parse(args[3]) : 100_000; // a cap, so a parent that forgets to kill us cannot fill the disk
using var cache = CaptureViewCache.Open(args[0]);
Console.Out.WriteLine($"ready {cache.Count}");
while (cache.Count < max)
{
    var info = TestKeyframe.Create(cache.Count, width, height).AppendTo(cache);
    Console.Out.WriteLine($"ack {info.Id}");
}
return 0;
