/* Prints the libddsc struct layouts and constants the C# raw-CDR layer hard-codes, from the installed headers. */
#include <stddef.h>
#include <stdio.h>
#include <dds/dds.h>
#include <dds/ddsi/ddsi_sertype.h>
#include <dds/ddsi/ddsi_serdata.h>
#include <dds/ddsi/q_radmin.h>

#define P(name, value) printf("%s %ld\n", name, (long) (value))

int main(void)
{
  P("sertype.size", sizeof(struct ddsi_sertype));
  P("sertype.allowed_data_representation", offsetof(struct ddsi_sertype, allowed_data_representation));
  P("sertype_ops.slots", sizeof(struct ddsi_sertype_ops) / sizeof(void *));
  P("serdata_ops.slots", sizeof(struct ddsi_serdata_ops) / sizeof(void *));
  P("serdata.size", sizeof(struct ddsi_serdata));
  P("serdata.refc", offsetof(struct ddsi_serdata, refc));
  P("serdata.kind", offsetof(struct ddsi_serdata, kind));
  P("serdata.type", offsetof(struct ddsi_serdata, type));
  P("serdata.timestamp", offsetof(struct ddsi_serdata, timestamp));
  P("rdata.rmsg", offsetof(struct nn_rdata, rmsg));
  P("rdata.nextfrag", offsetof(struct nn_rdata, nextfrag));
  P("rdata.min", offsetof(struct nn_rdata, min));
  P("rdata.maxp1", offsetof(struct nn_rdata, maxp1));
  P("rdata.payload_zoff", offsetof(struct nn_rdata, payload_zoff));
  P("rmsg.size", sizeof(struct nn_rmsg));
  P("sample_info.size", sizeof(dds_sample_info_t));
  P("sample_info.valid_data", offsetof(dds_sample_info_t, valid_data));
  P("sample_info.source_timestamp", offsetof(dds_sample_info_t, source_timestamp));
  P("sample_info.publication_handle", offsetof(dds_sample_info_t, publication_handle));
  P("endpoint.size", sizeof(dds_builtintopic_endpoint_t));
  P("endpoint.topic_name", offsetof(dds_builtintopic_endpoint_t, topic_name));
  P("endpoint.qos", offsetof(dds_builtintopic_endpoint_t, qos));
  P("matched_status.size", sizeof(dds_publication_matched_status_t));
  P("log_data.message", offsetof(dds_log_data_t, message));
  P("log_data.size", offsetof(dds_log_data_t, size));
  P("builtin.publication", DDS_BUILTIN_TOPIC_DCPSPUBLICATION);
  P("builtin.subscription", DDS_BUILTIN_TOPIC_DCPSSUBSCRIPTION);
  P("instance_state.alive", DDS_IST_ALIVE);
  P("reliability.reliable", DDS_RELIABILITY_RELIABLE);
  P("durability.transient_local", DDS_DURABILITY_TRANSIENT_LOCAL);
  P("history.keep_all", DDS_HISTORY_KEEP_ALL);
  P("retcode.timeout", DDS_RETCODE_TIMEOUT);
  P("retcode.precondition_not_met", DDS_RETCODE_PRECONDITION_NOT_MET);
  P("serdata_kind.data", SDK_DATA);
  P("serdata_kind.key", SDK_KEY);
  P("sertype_flag.no_key", DDSI_SERTYPE_FLAG_TOPICKIND_NO_KEY);
  P("data_representation_flag.xcdr1", DDS_DATA_REPRESENTATION_FLAG_XCDR1);
  P("log.warning", DDS_LC_WARNING);
  return 0;
}
