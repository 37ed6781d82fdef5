namespace AnyRecon.Ros.Bags;

/// <summary>
/// Merges the time-ordered message streams of a bag's files into one (a k-way merge on a min-heap keyed by
/// (timestamp, split index)). A file is opened only once the merge reaches its first timestamp and closed when it runs
/// out, so a long split bag holds one or two files open at a time, never all of them, and never more than one message each.
/// </summary>
internal static class MessageMerger
{
    /// <summary>Merges <c>files</c>, each given with a lower bound of its first timestamp, opening each through <c>open</c>.</summary>
    public static IEnumerable<(SerializedBagMessage Message, BagFile File)> Merge(
        IReadOnlyList<(BagFile File, long Start)> files, Func<BagFile, IStorageReader> open, MessageFilter? filter)
    {
        long filterStart = filter?.StartTimeNs ?? long.MinValue;
        var pending = files
            .Select(f => (f.File, Start: Math.Max(f.Start, filterStart)))
            .OrderBy(p => p.Start).ThenBy(p => p.File.Index)
            .ToList();
        var heap = new PriorityQueue<Cursor, (long Timestamp, int FileIndex)>();
        var live = new List<Cursor>();
        int next = 0;
        try
        {
            while (true)
            {
                // Open every file whose first message could come before the current head of the merge.
                while (next < pending.Count && (!heap.TryPeek(out _, out var head) || pending[next].Start <= head.Timestamp))
                {
                    var file = pending[next++].File;
                    var cursor = new Cursor(file, open(file), filter);
                    live.Add(cursor);
                    if (cursor.MoveNext()) heap.Enqueue(cursor, (cursor.Current.TimestampNs, file.Index));
                    else Retire(cursor, live);
                }
                if (!heap.TryDequeue(out var smallest, out _)) yield break;
                yield return (smallest.Current, smallest.File);
                if (smallest.MoveNext()) heap.Enqueue(smallest, (smallest.Current.TimestampNs, smallest.File.Index));
                else Retire(smallest, live);
            }
        }
        finally
        {
            foreach (var cursor in live) cursor.Dispose();
        }
    }

    private static void Retire(Cursor cursor, List<Cursor> live)
    {
        live.Remove(cursor);
        cursor.Dispose();
    }

    private sealed class Cursor : IDisposable
    {
        private readonly IStorageReader _reader;
        private readonly IEnumerator<SerializedBagMessage> _messages;

        public Cursor(BagFile file, IStorageReader reader, MessageFilter? filter)
        {
            File = file;
            _reader = reader;
            try
            {
                _messages = reader.ReadMessages(filter).GetEnumerator();
            }
            catch
            {
                reader.Dispose();
                throw;
            }
        }

        public BagFile File { get; }

        public SerializedBagMessage Current => _messages.Current;

        public bool MoveNext() => _messages.MoveNext();

        public void Dispose()
        {
            _messages.Dispose();
            _reader.Dispose();
        }
    }
}
