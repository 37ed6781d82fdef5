using System.Runtime.InteropServices;

namespace AnyRecon.Ros.Transport;

/// <summary>
/// Eclipse Cyclone DDS 0.10 (libddsc from Debian's libddsc0debian): the C API calls we use, and the struct layouts of
/// this build that the raw-CDR sertype relies on. Layouts are checked against the installed headers by
/// <c>DdscLayoutTests</c>, which compiles a probe with the C compiler.
/// </summary>
internal static unsafe partial class Ddsc
{
    /// <summary>The runtime package ships only the versioned name; plain libddsc.so comes with cyclonedds-dev.</summary>
    internal const string Library = "libddsc.so.0debian";

    internal const string DebianPackage = "libddsc0debian";

    // Return codes (dds/ddsrt/retcode.h).
    internal const int RetOk = 0;
    internal const int RetTimeout = -10;
    internal const int RetPreconditionNotMet = -4;

    internal const uint DomainDefault = 0xffffffff;      // DDS_DOMAIN_DEFAULT
    internal const int MinPseudoHandle = 0x7fff0000;     // DDS_MIN_PSEUDO_HANDLE
    internal const int BuiltinTopicPublication = MinPseudoHandle + 3;
    internal const int BuiltinTopicSubscription = MinPseudoHandle + 4;

    internal const int ReliabilityBestEffort = 0, ReliabilityReliable = 1;
    internal const int DurabilityVolatile = 0, DurabilityTransientLocal = 1;
    internal const int HistoryKeepLast = 0, HistoryKeepAll = 1;
    internal const short DataRepresentationXcdr1 = 0;    // DDS_DATA_REPRESENTATION_XCDR1
    internal const uint DataRepresentationFlagXcdr1 = 1; // DDS_DATA_REPRESENTATION_FLAG_XCDR1
    internal const uint SertypeFlagNoKey = 1;            // DDSI_SERTYPE_FLAG_TOPICKIND_NO_KEY
    internal const long Infinity = long.MaxValue;        // DDS_INFINITY

    internal const int InstanceAlive = 16;              // DDS_IST_ALIVE (the states are bit flags)

    // enum ddsi_serdata_kind
    internal const int SerdataKindEmpty = 0, SerdataKindKey = 1, SerdataKindData = 2;

    // Log categories (dds/ddsrt/log.h).
    internal const uint LogFatal = 1, LogError = 2, LogWarning = 4;

    /// <summary>struct ddsi_sertype on this build (with DDS_HAS_SHM's iox_size).</summary>
    internal static class Sertype
    {
        internal const int Size = 80;
        internal const int AllowedDataRepresentation = 24;
    }

    /// <summary>struct ddsi_serdata on this build (DDS_HAS_SHM adds iox_chunk and iox_subscriber).</summary>
    internal static class Serdata
    {
        internal const int Size = 72;
        internal const int RefCount = 12;
        internal const int Kind = 16;
        internal const int Type = 24;
        internal const int Timestamp = 32;
    }

    /// <summary>Cyclone's received-fragment chain (struct nn_rdata, q_radmin.h) that from_ser reads.</summary>
    internal static class ReceivedFragment
    {
        internal const int Message = 0;       // struct nn_rmsg *
        internal const int Next = 8;          // struct nn_rdata *
        internal const int Min = 16;          // uint32: first byte offset of the fragment in the sample
        internal const int MaxPlus1 = 20;     // uint32: one past its last byte
        internal const int PayloadZoff = 26;  // uint16: payload offset in the packet
        internal const int MessageHeaderSize = 48; // sizeof(struct nn_rmsg): the packet follows it
    }

    internal const int SertypeOpsSlots = 14;
    internal const int SerdataOpsSlots = 17;

    [StructLayout(LayoutKind.Sequential)]
    internal struct SampleInfo
    {
        public int SampleState;
        public int ViewState;
        public int InstanceState;
        public byte ValidData;
        public long SourceTimestamp;
        public ulong InstanceHandle;
        public ulong PublicationHandle;
        public uint DisposedGenerationCount;
        public uint NoWritersGenerationCount;
        public uint SampleRank;
        public uint GenerationRank;
        public uint AbsoluteGenerationRank;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct Guid
    {
        public fixed byte Bytes[16];
    }

    /// <summary>dds_builtintopic_endpoint_t: a discovered reader or writer.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct BuiltinEndpoint
    {
        public Guid Key;
        public Guid ParticipantKey;
        public ulong ParticipantInstanceHandle;
        public byte* TopicName;
        public byte* TypeName;
        public nint Qos;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct MatchedStatus
    {
        public uint TotalCount;
        public int TotalCountChange;
        public uint CurrentCount;
        public int CurrentCountChange;
        public ulong LastHandle;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct IoVec
    {
        public byte* Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct LogData
    {
        public uint Priority;
        public byte* File;
        public uint Line;
        public byte* Function;
        public byte* Message;
        public nuint Size;
        public nuint HeaderSize;
    }

    [LibraryImport(Library, EntryPoint = "dds_create_domain", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int CreateDomain(uint domain, string? config);

    [LibraryImport(Library, EntryPoint = "dds_create_participant")]
    internal static partial int CreateParticipant(uint domain, nint qos, nint listener);

    [LibraryImport(Library, EntryPoint = "dds_create_topic_sertype", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int CreateTopicSertype(int participant, string name, nint* sertype, nint qos, nint listener, nint sedpPlist);

    [LibraryImport(Library, EntryPoint = "dds_create_writer")]
    internal static partial int CreateWriter(int participantOrPublisher, int topic, nint qos, nint listener);

    [LibraryImport(Library, EntryPoint = "dds_create_reader")]
    internal static partial int CreateReader(int participantOrSubscriber, int topic, nint qos, nint listener);

    [LibraryImport(Library, EntryPoint = "dds_delete")]
    internal static partial int Delete(int entity);

    [LibraryImport(Library, EntryPoint = "dds_writecdr")]
    internal static partial int WriteCdr(int writer, byte* serdata);

    [LibraryImport(Library, EntryPoint = "dds_takecdr")]
    internal static partial int TakeCdr(int reader, byte** samples, uint max, SampleInfo* infos, uint mask);

    [LibraryImport(Library, EntryPoint = "dds_take")]
    internal static partial int Take(int reader, void** samples, SampleInfo* infos, nuint bufferSize, uint max);

    [LibraryImport(Library, EntryPoint = "dds_read")]
    internal static partial int Read(int reader, void** samples, SampleInfo* infos, nuint bufferSize, uint max);

    [LibraryImport(Library, EntryPoint = "dds_return_loan")]
    internal static partial int ReturnLoan(int entity, void** samples, int count);

    [LibraryImport(Library, EntryPoint = "dds_get_guid")]
    internal static partial int GetGuid(int entity, Guid* guid);

    [LibraryImport(Library, EntryPoint = "dds_get_instance_handle")]
    internal static partial int GetInstanceHandle(int entity, ulong* handle);

    [LibraryImport(Library, EntryPoint = "dds_get_publication_matched_status")]
    internal static partial int GetPublicationMatchedStatus(int writer, MatchedStatus* status);

    [LibraryImport(Library, EntryPoint = "dds_get_subscription_matched_status")]
    internal static partial int GetSubscriptionMatchedStatus(int reader, MatchedStatus* status);

    [LibraryImport(Library, EntryPoint = "dds_wait_for_acks")]
    internal static partial int WaitForAcks(int writer, long timeout);

    [LibraryImport(Library, EntryPoint = "dds_strretcode")]
    internal static partial byte* StrRetCode(int code);

    [LibraryImport(Library, EntryPoint = "dds_create_qos")]
    internal static partial nint CreateQos();

    [LibraryImport(Library, EntryPoint = "dds_delete_qos")]
    internal static partial void DeleteQos(nint qos);

    [LibraryImport(Library, EntryPoint = "dds_qset_reliability")]
    internal static partial void QsetReliability(nint qos, int kind, long maxBlockingTime);

    [LibraryImport(Library, EntryPoint = "dds_qset_durability")]
    internal static partial void QsetDurability(nint qos, int kind);

    [LibraryImport(Library, EntryPoint = "dds_qset_history")]
    internal static partial void QsetHistory(nint qos, int kind, int depth);

    [LibraryImport(Library, EntryPoint = "dds_qset_durability_service")]
    internal static partial void QsetDurabilityService(nint qos, long cleanupDelay, int historyKind, int historyDepth, int maxSamples, int maxInstances, int maxSamplesPerInstance);

    [LibraryImport(Library, EntryPoint = "dds_qset_userdata")]
    internal static partial void QsetUserData(nint qos, byte* value, nuint size);

    [LibraryImport(Library, EntryPoint = "dds_qset_data_representation")]
    internal static partial void QsetDataRepresentation(nint qos, uint count, short* values);

    [LibraryImport(Library, EntryPoint = "dds_qget_reliability")]
    internal static partial byte QgetReliability(nint qos, int* kind, long* maxBlockingTime);

    [LibraryImport(Library, EntryPoint = "dds_qget_durability")]
    internal static partial byte QgetDurability(nint qos, int* kind);

    [LibraryImport(Library, EntryPoint = "dds_qget_history")]
    internal static partial byte QgetHistory(nint qos, int* kind, int* depth);

    [LibraryImport(Library, EntryPoint = "dds_qget_userdata")]
    internal static partial byte QgetUserData(nint qos, void** value, nuint* size);

    [LibraryImport(Library, EntryPoint = "dds_free")]
    internal static partial void Free(void* pointer);

    [LibraryImport(Library, EntryPoint = "dds_create_listener")]
    internal static partial nint CreateListener(nint arg);

    [LibraryImport(Library, EntryPoint = "dds_delete_listener")]
    internal static partial void DeleteListener(nint listener);

    [LibraryImport(Library, EntryPoint = "dds_lset_data_available")]
    internal static partial void LsetDataAvailable(nint listener, delegate* unmanaged<int, nint, void> callback);

    [LibraryImport(Library, EntryPoint = "dds_set_log_sink")]
    internal static partial void SetLogSink(delegate* unmanaged<nint, LogData*, void> callback, nint arg);

    [LibraryImport(Library, EntryPoint = "ddsi_sertype_init_flags", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial void SertypeInitFlags(byte* sertype, string typeName, nint sertypeOps, nint serdataOps, uint flags);

    [LibraryImport(Library, EntryPoint = "ddsi_sertype_fini")]
    internal static partial void SertypeFini(byte* sertype);

    [LibraryImport(Library, EntryPoint = "ddsi_serdata_init")]
    internal static partial void SerdataInit(byte* serdata, byte* sertype, int kind);

    [LibraryImport(Library, EntryPoint = "ddsi_serdata_unref")]
    internal static partial void SerdataUnref(byte* serdata);

    internal static string RetCodeText(int code)
    {
        var text = StrRetCode(code);
        return text == null ? $"DDS error {code}" : Marshal.PtrToStringUTF8((nint)text) ?? $"DDS error {code}";
    }
}
