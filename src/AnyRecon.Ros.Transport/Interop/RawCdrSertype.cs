using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace AnyRecon.Ros.Transport;

/// <summary>
/// A Cyclone "sertype" that carries serialized CDR bytes only, as rmw_cyclonedds does: Cyclone never sees a type
/// description, so every ROS message type (and malformed bytes) passes through untouched. A sample ("serdata") is one
/// native allocation: Cyclone's 72-byte header, our payload pointer, wire size, message size and flags, then the payload.
/// Received fragments are copied once into that payload; a sent payload is handed to Cyclone by reference.
/// RTPS pads every payload to a multiple of 4 bytes, so a receiver cannot tell the message's own length; as XCDR1
/// provides, the sender records the padding count in the low bits of the encapsulation options and the receiver takes
/// it off again, so a message arrives with exactly the bytes it was sent with.
/// The callbacks run on Cyclone's threads: they never throw and never allocate managed memory.
/// </summary>
internal static unsafe class RawCdrSertype
{
    private const int PayloadPointerOffset = Ddsc.Serdata.Size;
    private const int WireSizeOffset = Ddsc.Serdata.Size + 8;
    private const int MessageSizeOffset = Ddsc.Serdata.Size + 16;
    private const int FlagsOffset = Ddsc.Serdata.Size + 24;
    private const int HeaderSize = Ddsc.Serdata.Size + 32;

    /// <summary>The payload's options carry a padding count this process wrote (the sample was never on the wire).</summary>
    public const byte PaddingMarkedLocally = 1;

    private static readonly Lazy<(nint SertypeOps, nint SerdataOps)> s_ops = new(CreateOps);

    /// <summary>A new sertype for <paramref name="ddsTypeName"/>; give it to dds_create_topic_sertype, which owns it.</summary>
    public static byte* Create(string ddsTypeName)
    {
        var (sertypeOps, serdataOps) = s_ops.Value;
        var sertype = (byte*)NativeMemory.AllocZeroed(Ddsc.Sertype.Size);
        Ddsc.SertypeInitFlags(sertype, ddsTypeName, sertypeOps, serdataOps, Ddsc.SertypeFlagNoKey);
        *(uint*)(sertype + Ddsc.Sertype.AllowedDataRepresentation) = Ddsc.DataRepresentationFlagXcdr1;
        return sertype;
    }

    /// <summary>
    /// A sample for a message of <paramref name="messageSize"/> bytes with one reference: fill the first
    /// <paramref name="messageSize"/> bytes of <see cref="PayloadPointer"/>, call <see cref="MarkPadding"/>, then pass
    /// it to dds_writecdr. The wire size is rounded up to 4 with zeros.
    /// </summary>
    public static byte* NewSample(byte* sertype, int kind, nuint messageSize)
    {
        nuint wireSize = (messageSize + 3) & ~(nuint)3;
        var sample = (byte*)NativeMemory.Alloc(HeaderSize + wireSize);
        Ddsc.SerdataInit(sample, sertype, kind);
        *(byte**)(sample + PayloadPointerOffset) = sample + HeaderSize;
        *(nuint*)(sample + WireSizeOffset) = wireSize;
        *(nuint*)(sample + MessageSizeOffset) = messageSize;
        sample[FlagsOffset] = 0;
        new Span<byte>(sample + HeaderSize + messageSize, (int)(wireSize - messageSize)).Clear();
        return sample;
    }

    /// <summary>Records the wire padding in the encapsulation options of a filled sample (unless they already hold a count).</summary>
    public static void MarkPadding(byte* sample)
    {
        nuint messageSize = MessageSize(sample), padding = WireSize(sample) - messageSize;
        byte* payload = PayloadPointer(sample);
        if (padding == 0 || messageSize < 4 || (payload[3] & 3) != 0) return;
        payload[3] |= (byte)padding;
        sample[FlagsOffset] |= PaddingMarkedLocally;
    }

    public static byte* PayloadPointer(byte* sample) => *(byte**)(sample + PayloadPointerOffset);

    public static nuint WireSize(byte* sample) => *(nuint*)(sample + WireSizeOffset);

    public static nuint MessageSize(byte* sample) => *(nuint*)(sample + MessageSizeOffset);

    public static byte Flags(byte* sample) => sample[FlagsOffset];

    /// <summary>The message's bytes; valid until the sample's last reference is dropped.</summary>
    public static Span<byte> Message(byte* sample) => new(PayloadPointer(sample), checked((int)MessageSize(sample)));

    /// <summary>A received payload: take off the padding its options announce (zeros only), restoring the sent bytes.</summary>
    private static void UnmarkPadding(byte* sample)
    {
        nuint size = WireSize(sample);
        byte* payload = PayloadPointer(sample);
        if (size < 4) return;
        nuint padding = (nuint)(payload[3] & 3);
        if (padding == 0 || size < 4 + padding) return;
        for (nuint i = size - padding; i < size; i++)
            if (payload[i] != 0) return;
        payload[3] &= 0xFC;
        *(nuint*)(sample + MessageSizeOffset) = size - padding;
    }

    /// <summary>The library's handle, for the address of ddsi_sertype_v0 (Cyclone compares the version slot by address).</summary>
    private static (nint, nint) CreateOps()
    {
        nint library = DdsLibrary.Handle;
        var sertypeOps = (nint*)NativeMemory.AllocZeroed((nuint)(Ddsc.SertypeOpsSlots * sizeof(nint)));
        sertypeOps[0] = NativeLibrary.GetExport(library, "ddsi_sertype_v0");
        sertypeOps[1] = 0; // arg
        sertypeOps[2] = (nint)(delegate* unmanaged<byte*, void>)&FreeSertype;
        sertypeOps[3] = (nint)(delegate* unmanaged<byte*, void*, nuint, void>)&ZeroSamples;
        sertypeOps[4] = (nint)(delegate* unmanaged<void**, byte*, void*, nuint, nuint, void>)&ReallocSamples;
        sertypeOps[5] = (nint)(delegate* unmanaged<byte*, void**, nuint, int, void>)&FreeSamples;
        sertypeOps[6] = (nint)(delegate* unmanaged<byte*, byte*, byte>)&EqualSertypes;
        sertypeOps[7] = (nint)(delegate* unmanaged<byte*, uint>)&HashSertype;
        // 8..11 type_id, type_map, type_info, derive_sertype: none (no XTypes information, XCDR1 only);
        // 12..13 get_serialized_size, serialize_into: only for shared-memory loans, which we do not use.

        var serdataOps = (nint*)NativeMemory.AllocZeroed((nuint)(Ddsc.SerdataOpsSlots * sizeof(nint)));
        serdataOps[0] = (nint)(delegate* unmanaged<byte*, byte*, byte>)&EqualKeys;
        serdataOps[1] = (nint)(delegate* unmanaged<byte*, uint>)&GetSize;
        serdataOps[2] = (nint)(delegate* unmanaged<byte*, int, byte*, nuint, byte*>)&FromReceivedFragments;
        serdataOps[3] = (nint)(delegate* unmanaged<byte*, int, nuint, Ddsc.IoVec*, nuint, byte*>)&FromIoVec;
        serdataOps[4] = (nint)(delegate* unmanaged<byte*, byte*, byte*>)&FromKeyHash;
        serdataOps[5] = (nint)(delegate* unmanaged<byte*, int, void*, byte*>)&FromSample;
        serdataOps[6] = (nint)(delegate* unmanaged<byte*, nuint, nuint, byte*, void>)&ToSerialized;
        serdataOps[7] = (nint)(delegate* unmanaged<byte*, nuint, nuint, Ddsc.IoVec*, byte*>)&ToSerializedReference;
        serdataOps[8] = (nint)(delegate* unmanaged<byte*, Ddsc.IoVec*, void>)&ReleaseSerializedReference;
        serdataOps[9] = (nint)(delegate* unmanaged<byte*, void*, void**, void*, byte>)&ToSample;
        serdataOps[10] = (nint)(delegate* unmanaged<byte*, byte*>)&ToUntyped;
        serdataOps[11] = (nint)(delegate* unmanaged<byte*, byte*, void*, void**, void*, byte>)&UntypedToSample;
        serdataOps[12] = (nint)(delegate* unmanaged<byte*, void>)&FreeSample;
        serdataOps[13] = (nint)(delegate* unmanaged<byte*, byte*, byte*, nuint, nuint>)&Print;
        serdataOps[14] = (nint)(delegate* unmanaged<byte*, byte*, byte, void>)&GetKeyHash;
        serdataOps[15] = (nint)(delegate* unmanaged<byte*, uint>)&GetSize;
        serdataOps[16] = (nint)(delegate* unmanaged<byte*, int, void*, void*, byte*>)&FromSharedMemory;
        return ((nint)sertypeOps, (nint)serdataOps);
    }

    [UnmanagedCallersOnly]
    private static void FreeSertype(byte* sertype)
    {
        Ddsc.SertypeFini(sertype);
        NativeMemory.Free(sertype);
    }

    // Sample (de)allocation is for typed reads; raw CDR never has typed samples.
    [UnmanagedCallersOnly]
    private static void ZeroSamples(byte* sertype, void* samples, nuint count) { }

    [UnmanagedCallersOnly]
    private static void ReallocSamples(void** pointers, byte* sertype, void* old, nuint oldCount, nuint count)
    {
        for (nuint i = 0; i < count; i++) pointers[i] = null;
    }

    [UnmanagedCallersOnly]
    private static void FreeSamples(byte* sertype, void** pointers, nuint count, int op) { }

    // Cyclone has already compared type names and ops tables; all raw sertypes of one name are the same type.
    [UnmanagedCallersOnly]
    private static byte EqualSertypes(byte* a, byte* b) => 1;

    [UnmanagedCallersOnly]
    private static uint HashSertype(byte* sertype) => 0x52415743; // "RAWC": the type name is hashed by Cyclone

    [UnmanagedCallersOnly]
    private static byte EqualKeys(byte* a, byte* b) => 1; // keyless: one instance

    [UnmanagedCallersOnly]
    private static uint GetSize(byte* sample) => (uint)WireSize(sample);

    [UnmanagedCallersOnly]
    private static byte* FromReceivedFragments(byte* sertype, int kind, byte* fragments, nuint size)
    {
        var sample = NewSample(sertype, kind, size);
        byte* destination = PayloadPointer(sample);
        uint filled = 0;
        // Fragments arrive in order and may overlap; copy only the bytes each one adds.
        for (byte* fragment = fragments; fragment != null; fragment = *(byte**)(fragment + Ddsc.ReceivedFragment.Next))
        {
            uint min = *(uint*)(fragment + Ddsc.ReceivedFragment.Min);
            uint maxPlus1 = Math.Min(*(uint*)(fragment + Ddsc.ReceivedFragment.MaxPlus1), (uint)size);
            if (maxPlus1 <= filled || min > filled) continue;
            byte* packet = *(byte**)(fragment + Ddsc.ReceivedFragment.Message) + Ddsc.ReceivedFragment.MessageHeaderSize;
            byte* source = packet + *(ushort*)(fragment + Ddsc.ReceivedFragment.PayloadZoff) + (filled - min);
            Buffer.MemoryCopy(source, destination + filled, size - filled, maxPlus1 - filled);
            filled = maxPlus1;
        }
        if (filled < size) new Span<byte>(destination + filled, (int)(size - filled)).Clear();
        UnmarkPadding(sample);
        return sample;
    }

    [UnmanagedCallersOnly]
    private static byte* FromIoVec(byte* sertype, int kind, nuint count, Ddsc.IoVec* vectors, nuint size)
    {
        var sample = NewSample(sertype, kind, size);
        byte* destination = PayloadPointer(sample);
        nuint filled = 0;
        for (nuint i = 0; i < count && filled < size; i++)
        {
            nuint n = Math.Min(vectors[i].Length, size - filled);
            Buffer.MemoryCopy(vectors[i].Base, destination + filled, size - filled, n);
            filled += n;
        }
        UnmarkPadding(sample);
        return sample;
    }

    [UnmanagedCallersOnly]
    private static byte* FromKeyHash(byte* sertype, byte* keyHash) => NewSample(sertype, Ddsc.SerdataKindKey, 0);

    [UnmanagedCallersOnly]
    private static byte* FromSample(byte* sertype, int kind, void* sample) => null;

    [UnmanagedCallersOnly]
    private static void ToSerialized(byte* sample, nuint offset, nuint size, byte* buffer) =>
        Buffer.MemoryCopy(PayloadPointer(sample) + offset, buffer, size, size);

    [UnmanagedCallersOnly]
    private static byte* ToSerializedReference(byte* sample, nuint offset, nuint size, Ddsc.IoVec* reference)
    {
        reference->Base = PayloadPointer(sample) + offset;
        reference->Length = size;
        Interlocked.Increment(ref Unsafe.AsRef<int>(sample + Ddsc.Serdata.RefCount));
        return sample;
    }

    [UnmanagedCallersOnly]
    private static void ReleaseSerializedReference(byte* sample, Ddsc.IoVec* reference) => Ddsc.SerdataUnref(sample);

    [UnmanagedCallersOnly]
    private static byte ToSample(byte* sample, void* destination, void** bufferPointer, void* bufferLimit) => 0;

    /// <summary>The key-only form Cyclone keeps per instance: no payload, no type.</summary>
    [UnmanagedCallersOnly]
    private static byte* ToUntyped(byte* sample)
    {
        var sertype = *(byte**)(sample + Ddsc.Serdata.Type);
        var untyped = NewSample(sertype, Ddsc.SerdataKindKey, 0);
        *(byte**)(untyped + Ddsc.Serdata.Type) = null;
        return untyped;
    }

    [UnmanagedCallersOnly]
    private static byte UntypedToSample(byte* sertype, byte* sample, void* destination, void** bufferPointer, void* bufferLimit) => 0;

    [UnmanagedCallersOnly]
    private static void FreeSample(byte* sample) => NativeMemory.Free(sample);

    [UnmanagedCallersOnly]
    private static nuint Print(byte* sertype, byte* sample, byte* buffer, nuint size)
    {
        if (size > 0) buffer[0] = 0;
        return 0;
    }

    [UnmanagedCallersOnly]
    private static void GetKeyHash(byte* sample, byte* keyHash, byte forceMd5) => new Span<byte>(keyHash, 16).Clear();

    [UnmanagedCallersOnly]
    private static byte* FromSharedMemory(byte* sertype, int kind, void* subscriber, void* buffer) => null;
}
