namespace AnyRecon.Ros.CaptureViews;

/// <summary>A snapshot of a <see cref="CaptureViewCache"/>'s size and LRU counters.</summary>
/// <param name="KeyframeCount">Keyframes on disk (all of them readable through Get).</param>
/// <param name="FileBytes">Size of the data file, header included.</param>
/// <param name="DecodedBytes">RAM held by decoded keyframes in the LRU (colour + depth arrays).</param>
/// <param name="DecodedKeyframes">Decoded keyframes in the LRU.</param>
/// <param name="Hits">Get calls served from the LRU.</param>
/// <param name="Misses">Get calls that read and decoded from disk.</param>
/// <param name="Evictions">Decoded keyframes dropped from RAM to stay within the budget.</param>
/// <param name="TornTailBytesDropped">Bytes of an interrupted append cut off the end of the file when it was opened (0 after a clean close).</param>
public readonly record struct CaptureViewCacheStatistics(
    int KeyframeCount,
    long FileBytes,
    long DecodedBytes,
    int DecodedKeyframes,
    long Hits,
    long Misses,
    long Evictions,
    long TornTailBytesDropped);
