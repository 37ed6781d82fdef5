namespace AnyRecon.Ros.Bags.Mcap;

/// <summary>
/// Shared machinery of the two message readers: reused chunk slots, the queue of messages waiting to be yielded,
/// filters, and the damage policy. A message's data points into a slot, which is only reused once all its messages
/// have been yielded and the enumerator has advanced again.
/// </summary>
internal abstract class McapMessageCursor : IDisposable
{
    private static readonly Comparer<PendingMessage> s_byTime = Comparer<PendingMessage>.Create(
        static (a, b) => a.LogTime != b.LogTime ? a.LogTime.CompareTo(b.LogTime)
            : a.UnitOffset != b.UnitOffset ? a.UnitOffset.CompareTo(b.UnitOffset)
            : a.ContentOffset.CompareTo(b.ContentOffset));

    private readonly McapReader _reader;
    private readonly HashSet<string>? _topics;
    private readonly Dictionary<ushort, ChannelEntry> _channelEntries = [];
    private readonly List<Slot> _slots = [];
    private PendingMessage[] _pending = new PendingMessage[64];
    private int _count;
    private int _cursor;
    private BagFormatException? _firstDamage;

    protected McapMessageCursor(McapReader reader, McapFileIndex registry, McapMessageQuery query, BagFormatException? knownDamage)
    {
        _reader = reader;
        Registry = registry;
        Query = query;
        _topics = query.Topics is null ? null : new HashSet<string>(query.Topics, StringComparer.Ordinal);
        _firstDamage = knownDamage;
    }

    public McapMessage Current { get; private set; }

    protected McapFileSource Source => _reader.Source;

    protected McapReaderOptions Options => _reader.Options;

    protected McapFileIndex Registry { get; }

    protected McapMessageQuery Query { get; }

    protected McapChunkDecoder Decoder { get; } = new();

    protected bool HasPending => _cursor < _count;

    protected ulong NextPendingTime => _pending[_cursor].LogTime;

    public bool MoveNext()
    {
        if (TryAdvance()) return true;
        if (_firstDamage is { } damage && Options.DamagePolicy == McapDamagePolicy.Throw)
        {
            _firstDamage = null;
            throw damage;
        }
        return false;
    }

    protected abstract bool TryAdvance();

    /// <summary>True when a channel's topic passes the topic filter (unknown channels count as wanted: they may be declared later in the file).</summary>
    protected bool WantsChannel(ushort channelId) =>
        _topics is null || !Registry.Channels.TryGetValue(channelId, out McapChannel? channel) || _topics.Contains(channel.Topic);

    protected void OnDamage(BagFormatException damage)
    {
        _reader.Report(new McapProblem(McapProblemKind.DataDamaged, damage.FilePath, damage.Offset, damage.Reason, damage));
        _firstDamage ??= damage;
    }

    /// <summary>Yields the next queued message and releases its slot's claim on it.</summary>
    protected void YieldNext()
    {
        ref PendingMessage next = ref _pending[_cursor++];
        Slot slot = _slots[next.Slot];
        slot.Unread--;
        ReadOnlyMemory<byte> content = slot.Buffer.AsMemory(next.ContentOffset, next.ContentLength);
        McapRecordParser.TryReadMessageHeader(content.Span, out _, out uint sequence, out ulong logTime, out ulong publishTime);
        Current = new McapMessage(next.Channel.Channel, next.Channel.Schema, sequence, logTime, publishTime,
            content[McapRecordParser.MessageHeaderLength..]);
        next.Channel = null!;
    }

    /// <summary>A slot none of whose messages is still queued (its buffer may be handed out again).</summary>
    protected int FreeSlot()
    {
        for (int i = 0; i < _slots.Count; i++)
            if (_slots[i].Unread == 0) return i;
        _slots.Add(new Slot());
        return _slots.Count - 1;
    }

    protected ref byte[] SlotBuffer(int slot) => ref _slots[slot].Buffer;

    /// <summary>
    /// Queues the wanted messages among the records in a slot (registering schemas and channels met on the way).
    /// All or nothing: a malformed record or an undeclared channel queues none and throws <see cref="McapParseException"/>.
    /// </summary>
    /// <param name="slotIndex">The slot holding the records.</param>
    /// <param name="length">Bytes of records in the slot.</param>
    /// <param name="unitOffset">File offset of the chunk or run, so equal log times keep file order across chunks.</param>
    /// <param name="sortByTime">Keep the queue in log-time order.</param>
    protected void QueueRecords(int slotIndex, int length, long unitOffset, bool sortByTime)
    {
        if (_cursor == _count) _cursor = _count = 0;
        else if (_cursor > _pending.Length / 2)
        {
            Array.Copy(_pending, _cursor, _pending, 0, _count - _cursor);
            Array.Clear(_pending, _count - _cursor, _cursor);
            _count -= _cursor;
            _cursor = 0;
        }

        int before = _count;
        Slot slot = _slots[slotIndex];
        ReadOnlySpan<byte> records = slot.Buffer.AsSpan(0, length);
        bool inOrder = true;
        ulong last = before > _cursor ? _pending[before - 1].LogTime : 0;
        int position = 0;
        try
        {
            while (McapRecordWalker.TryNext(records, ref position, out byte opcode, out int offset, out int contentLength))
            {
                switch ((McapOpcode)opcode)
                {
                    case McapOpcode.Message:
                        ReadOnlySpan<byte> content = records.Slice(offset, contentLength);
                        if (!McapRecordParser.TryReadMessageHeader(content, out ushort channelId, out _, out ulong logTime, out _))
                            throw new McapParseException($"message record of {contentLength} bytes is shorter than its 22-byte header", offset);
                        if (!Query.AcceptsTime(logTime)) break;
                        ChannelEntry? entry = Entry(channelId)
                            ?? throw new McapParseException($"message on channel {channelId}, which no Channel record declares before it", offset);
                        if (!entry.Wanted) break;
                        if (_count == _pending.Length) Array.Resize(ref _pending, _pending.Length * 2);
                        if (logTime < last) inOrder = false;
                        last = logTime;
                        _pending[_count++] = new PendingMessage(logTime, unitOffset, entry, slotIndex, offset, contentLength);
                        break;
                    case McapOpcode.Schema:
                        Registry.Register(McapRecordParser.ParseSchema(records.Slice(offset, contentLength)));
                        break;
                    case McapOpcode.Channel:
                        Registry.Register(McapRecordParser.ParseChannel(records.Slice(offset, contentLength)));
                        break;
                }
            }
        }
        catch (McapParseException)
        {
            Array.Clear(_pending, before, _count - before);
            _count = before;
            throw;
        }
        slot.Unread = _count - before;
        // Merging into messages still queued from another chunk (overlapping chunks) always sorts, so ties keep file order.
        if (sortByTime && (!inOrder || (before > _cursor && _count > before))) Array.Sort(_pending, _cursor, _count - _cursor, s_byTime);
    }

    private ChannelEntry? Entry(ushort channelId)
    {
        if (_channelEntries.TryGetValue(channelId, out ChannelEntry? entry)) return entry;
        if (!Registry.Channels.TryGetValue(channelId, out McapChannel? channel)) return null;
        Registry.Schemas.TryGetValue(channel.SchemaId, out McapSchema? schema);
        entry = new ChannelEntry(channel, schema, _topics is null || _topics.Contains(channel.Topic));
        _channelEntries[channelId] = entry;
        return entry;
    }

    public virtual void Dispose() => Decoder.Dispose();

    private sealed class Slot
    {
        public byte[] Buffer = [];
        public int Unread;
    }

    private sealed record ChannelEntry(McapChannel Channel, McapSchema? Schema, bool Wanted);

    private record struct PendingMessage(ulong LogTime, long UnitOffset, ChannelEntry Channel, int Slot, int ContentOffset, int ContentLength);
}

/// <summary>
/// Reads through an index: chooses the chunks the query needs (time range, channels) and, in log-time order, loads a
/// chunk only when its start time is reached, so overlapping chunks are merged while non-overlapping ones are held one at a time.
/// </summary>
internal sealed class McapIndexedCursor : McapMessageCursor
{
    private readonly List<McapLoadUnit> _units;
    private readonly bool _byTime;
    private int _nextUnit;

    public McapIndexedCursor(McapReader reader, McapFileIndex index, McapMessageQuery query)
        : base(reader, index, query, index.Damage)
    {
        _byTime = query.Order == McapReadOrder.LogTime;
        _units = [];
        foreach (McapLoadUnit unit in index.Units)
        {
            if (unit.ChannelIds is { Length: 0 }) continue;
            if (!query.OverlapsTime(unit.StartTime, unit.EndTime)) continue;
            if (query.Topics is not null && unit.ChannelIds is { } ids && !Array.Exists(ids, WantsChannel)) continue;
            _units.Add(unit);
        }
        if (_byTime)
            _units.Sort(static (a, b) => a.StartTime != b.StartTime ? a.StartTime.CompareTo(b.StartTime) : a.Offset.CompareTo(b.Offset));
        else
            _units.Sort(static (a, b) => a.Offset.CompareTo(b.Offset));
    }

    protected override bool TryAdvance()
    {
        while (true)
        {
            if (HasPending)
            {
                // A chunk starting at or before the next queued message may hold earlier messages: merge it first.
                if (_byTime && _nextUnit < _units.Count && _units[_nextUnit].StartTime <= NextPendingTime)
                {
                    Load(_units[_nextUnit++]);
                    continue;
                }
                YieldNext();
                return true;
            }
            if (_nextUnit >= _units.Count) return false;
            Load(_units[_nextUnit++]);
        }
    }

    private void Load(McapLoadUnit unit)
    {
        int slot = FreeSlot();
        try
        {
            int length;
            if (unit.IsRawRun)
            {
                if (unit.Length > Options.MaxChunkBytes)
                    throw Source.Damage(unit.Offset, $"run of {unit.Length} bytes exceeds MaxChunkBytes");
                length = (int)unit.Length;
                McapChunkDecoder.EnsureCapacity(ref SlotBuffer(slot), length);
                Source.ReadExactly(unit.Offset, SlotBuffer(slot).AsSpan(0, length));
            }
            else
            {
                if (!Source.TryReadRecordHeader(unit.Offset, Source.Length, out McapRecordHeader record)
                    || record.Opcode != (byte)McapOpcode.Chunk || record.TotalLength != unit.Length)
                    throw Source.Damage(unit.Offset, "the chunk index points at something that is not the chunk it describes");
                Decoder.Load(Source, record, ref SlotBuffer(slot), out length, Options.VerifyCrcs, Options.MaxChunkBytes);
            }
            try
            {
                QueueRecords(slot, length, unit.Offset, _byTime);
            }
            catch (McapParseException e)
            {
                long offset = unit.IsRawRun ? unit.Offset + e.Position : unit.Offset;
                string where = unit.IsRawRun ? "" : $" at uncompressed offset {e.Position}";
                throw Source.Damage(offset, $"malformed record in {(unit.IsRawRun ? "data section" : "chunk")}{where}: {e.Message}");
            }
        }
        catch (BagFormatException e)
        {
            OnDamage(e);
        }
    }
}

/// <summary>One pass over the data section in file order, the way a stream is read; needs no index.</summary>
internal sealed class McapLinearCursor : McapMessageCursor
{
    private readonly bool _checkOrder;
    private readonly McapDataCrc? _crc;
    private long _position;
    private bool _done;
    private bool _orderReported;
    private ulong _lastLogTime;

    public McapLinearCursor(McapReader reader, McapMessageQuery query)
        : base(reader, new McapFileIndex(), query, knownDamage: null)
    {
        _position = reader.DataStart;
        _checkOrder = query.Order == McapReadOrder.LogTime;
        if (Options.VerifyCrcs)
        {
            _crc = new McapDataCrc();
            _crc.AppendRange(Source, 0, _position);
        }
    }

    protected override bool TryAdvance()
    {
        while (true)
        {
            if (HasPending)
            {
                YieldNext();
                if (_checkOrder)
                {
                    ulong t = Current.LogTime;
                    if (t < _lastLogTime && !_orderReported)
                    {
                        _orderReported = true;
                        ReportOrder();
                    }
                    _lastLogTime = Math.Max(_lastLogTime, t);
                }
                return true;
            }
            if (_done) return false;
            ReadNextRecord();
        }
    }

    private void ReadNextRecord()
    {
        McapRecordHeader record;
        try
        {
            if (!Source.TryReadRecordHeader(_position, Source.Length, out record))
                throw Source.Damage(_position, "the file ends without a Data End record (truncated or unfinished recording)");
            if (record.Opcode == 0) throw Source.Damage(_position, "opcode 0x00 is not a valid record (corrupt data)");
        }
        catch (BagFormatException e)
        {
            // The record framing is lost: nothing after this point can be trusted.
            _done = true;
            OnDamage(e);
            return;
        }
        _position = record.End;
        try
        {
            switch ((McapOpcode)record.Opcode)
            {
                case McapOpcode.Chunk:
                {
                    int slot = FreeSlot();
                    Decoder.Load(Source, record, ref SlotBuffer(slot), out int length, Options.VerifyCrcs, Options.MaxChunkBytes);
                    if (_crc is not null) Decoder.AppendStoredBytes(_crc, Source, record, SlotBuffer(slot).AsSpan(0, length));
                    Queue(record, slot, length, isChunk: true);
                    break;
                }
                case McapOpcode.Message:
                case McapOpcode.Schema:
                case McapOpcode.Channel:
                {
                    // A top-level record is queued as a one-record run, read with its header.
                    if (record.TotalLength > Options.MaxRecordBytes)
                        throw Source.Damage(record.Offset, $"record of {record.ContentLength} bytes exceeds MaxRecordBytes");
                    int slot = FreeSlot();
                    int length = (int)record.TotalLength;
                    McapChunkDecoder.EnsureCapacity(ref SlotBuffer(slot), length);
                    Source.ReadExactly(record.Offset, SlotBuffer(slot).AsSpan(0, length));
                    _crc?.Append(record.Offset, SlotBuffer(slot).AsSpan(0, length));
                    Queue(record, slot, length, isChunk: false);
                    break;
                }
                case McapOpcode.DataEnd:
                    _done = true;
                    // Catches damage the records themselves cannot show (e.g. a changed topic name), after the messages.
                    _crc?.Check(Source, record);
                    break;
                case McapOpcode.Footer:
                    _done = true;
                    break;
                default:
                    _crc?.AppendRange(Source, record.Offset, record.End);
                    break;
            }
        }
        catch (BagFormatException e)
        {
            // Only this record's content is bad; its length was sound, so reading goes on after it.
            _crc?.Invalidate();
            OnDamage(e);
        }
    }

    private void Queue(in McapRecordHeader record, int slot, int length, bool isChunk)
    {
        try
        {
            QueueRecords(slot, length, record.Offset, sortByTime: false);
        }
        catch (McapParseException e)
        {
            throw isChunk
                ? Source.Damage(record.Offset, $"malformed record in chunk at uncompressed offset {e.Position}: {e.Message}")
                : Source.Damage(record.Offset + e.Position, $"malformed {(McapOpcode)record.Opcode} record: {e.Message}");
        }
    }

    private void ReportOrder() => Options.OnProblem?.Invoke(new McapProblem(McapProblemKind.OrderNotGuaranteed, Source.FilePath, -1,
        $"the file is read linearly (no usable index) and a message at log time {Current.LogTime} follows a later one; messages come in file order"));
}
