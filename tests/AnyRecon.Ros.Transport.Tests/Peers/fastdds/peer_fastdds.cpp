// anyrecon-peer-fastdds: ROS 2 style DDS peer on Fast DDS 2.9, types generated
// by fastddsgen from ../idl/RosPeerTypes.idl at build time.
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include <fastdds/dds/domain/DomainParticipant.hpp>
#include <fastdds/dds/domain/DomainParticipantFactory.hpp>
#include <fastdds/dds/publisher/DataWriter.hpp>
#include <fastdds/dds/publisher/Publisher.hpp>
#include <fastdds/dds/publisher/qos/DataWriterQos.hpp>
#include <fastdds/dds/subscriber/DataReader.hpp>
#include <fastdds/dds/subscriber/SampleInfo.hpp>
#include <fastdds/dds/subscriber/Subscriber.hpp>
#include <fastdds/dds/subscriber/qos/DataReaderQos.hpp>
#include <fastdds/dds/topic/Topic.hpp>
#include <fastdds/dds/topic/TypeSupport.hpp>

#include "RosPeerTypes.h"
#include "RosPeerTypesPubSubTypes.h"
#include "peer_common.h"

using namespace eprosima::fastdds::dds;
using eprosima::fastrtps::Duration_t;

namespace {

DomainParticipant* g_pp = nullptr;

int fail(const std::string& what)
{
    fprintf(stderr, "error: %s\n", what.c_str());
    return PEER_EXIT_FAIL;
}

Duration_t to_duration(double s)
{
    if (s < 0) s = 0;
    int32_t sec = static_cast<int32_t>(s);
    return Duration_t(sec, static_cast<uint32_t>((s - sec) * 1e9));
}

ReliabilityQosPolicyKind reliability(const peer_opts& o)
{
    return o.best_effort ? BEST_EFFORT_RELIABILITY_QOS : RELIABLE_RELIABILITY_QOS;
}

Topic* make_topic(const peer_opts& o, TopicDataType* t)
{
    TypeSupport ts(t);
    if (ts.register_type(g_pp) != ReturnCode_t::RETCODE_OK) return nullptr;
    return g_pp->create_topic(o.topic, ts.get_type_name(), TOPIC_QOS_DEFAULT);
}

template <typename Msg>
int run_sub(const peer_opts& o, TopicDataType* type, void (*print)(const Msg&))
{
    Topic* tp = make_topic(o, type);
    if (tp == nullptr) return fail("create_topic failed");
    Subscriber* sub = g_pp->create_subscriber(SUBSCRIBER_QOS_DEFAULT);
    if (sub == nullptr) return fail("create_subscriber failed");
    DataReaderQos q = DATAREADER_QOS_DEFAULT;
    q.reliability().kind = reliability(o);
    q.history().kind = KEEP_LAST_HISTORY_QOS;
    q.history().depth = 10;
    q.durability().kind = VOLATILE_DURABILITY_QOS;
    q.endpoint().history_memory_policy = eprosima::fastrtps::rtps::PREALLOCATED_WITH_REALLOC_MEMORY_MODE;
    DataReader* rd = sub->create_datareader(tp, q);
    if (rd == nullptr) return fail("create_datareader failed");
    peer_ready();

    const double deadline = peer_now() + o.timeout;
    long got = 0;
    Msg msg;
    SampleInfo info;
    while (got < o.count) {
        ReturnCode_t rc = rd->take_next_sample(&msg, &info);
        if (rc == ReturnCode_t::RETCODE_OK) {
            if (info.valid_data) {
                print(msg);
                got++;
            }
            continue;
        }
        if (rc != ReturnCode_t::RETCODE_NO_DATA) return fail("take_next_sample failed");
        const double left = deadline - peer_now();
        if (left <= 0) {
            fprintf(stderr, "error: timeout after %g s: received %ld of %ld samples on '%s'\n",
                    o.timeout, got, o.count, o.topic);
            return PEER_EXIT_FAIL;
        }
        rd->wait_for_unread_message(to_duration(left < 0.2 ? left : 0.2));
    }
    peer_sleep(PEER_LINGER_MS / 1000.0);
    return PEER_EXIT_OK;
}

void print_image(const sensor_msgs::msg::dds_::Image_& m)
{
    const auto& d = m.data_();
    peer_print_image(m.header_().stamp_().sec_(), m.header_().stamp_().nanosec_(), m.header_().frame_id_().c_str(),
                     m.height_(), m.width_(), m.encoding_().c_str(), m.is_bigendian_(), m.step_(),
                     d.data(), d.size());
}

void print_cloud(const sensor_msgs::msg::dds_::PointCloud2_& m)
{
    std::vector<peer_field> f;
    for (const auto& pf : m.fields_())
        f.push_back(peer_field{pf.name_().c_str(), pf.offset_(), pf.datatype_(), pf.count_()});
    const auto& d = m.data_();
    peer_print_cloud(m.header_().stamp_().sec_(), m.header_().stamp_().nanosec_(), m.header_().frame_id_().c_str(),
                     m.height_(), m.width_(), f.data(), f.size(), m.is_bigendian_(), m.point_step_(), m.row_step_(),
                     d.data(), d.size(), m.is_dense_());
}

void print_pose(const geometry_msgs::msg::dds_::PoseStamped_& m)
{
    const auto& p = m.pose_().position_();
    const auto& q = m.pose_().orientation_();
    peer_print_pose(m.header_().stamp_().sec_(), m.header_().stamp_().nanosec_(), m.header_().frame_id_().c_str(),
                    p.x_(), p.y_(), p.z_(), q.x_(), q.y_(), q.z_(), q.w_());
}

int run_pub(const peer_opts& o)
{
    const bool image = (o.cmd == CMD_PUB_IMAGE);
    TopicDataType* type = image ? static_cast<TopicDataType*>(new sensor_msgs::msg::dds_::Image_PubSubType())
                                : static_cast<TopicDataType*>(new geometry_msgs::msg::dds_::PoseStamped_PubSubType());
    Topic* tp = make_topic(o, type);
    if (tp == nullptr) return fail("create_topic failed");
    Publisher* pub = g_pp->create_publisher(PUBLISHER_QOS_DEFAULT);
    if (pub == nullptr) return fail("create_publisher failed");
    DataWriterQos q = DATAWRITER_QOS_DEFAULT;
    q.reliability().kind = reliability(o);
    q.reliability().max_blocking_time = Duration_t(10, 0);
    // Fast DDS heartbeats every 3 s by default; readers that only acknowledge
    // on a heartbeat (Cyclone) would make wait_for_acknowledgments take that long.
    q.reliable_writer_qos().times.heartbeatPeriod = Duration_t(0, 100000000);
    q.history().kind = KEEP_LAST_HISTORY_QOS;
    q.history().depth = 10;
    q.durability().kind = VOLATILE_DURABILITY_QOS;
    // Reliable: asynchronous mode, samples (several MB, fragmented) are sent
    // from Fast DDS's own thread as in rmw_fastrtps (Humble's default).
    // Best effort: synchronous, since nothing else tells when an asynchronous
    // best-effort writer has actually sent its last sample before we exit.
    q.publish_mode().kind = o.best_effort ? SYNCHRONOUS_PUBLISH_MODE : ASYNCHRONOUS_PUBLISH_MODE;
    // A volatile Cyclone reader matched to a non-Cyclone writer starts at the
    // last sequence number announced by the first HEARTBEAT it sees, so data
    // that is in flight when that heartbeat arrives is skipped ("the first
    // samples written after matching the reader may be lost", Cyclone
    // ddsi_endpoint_match). Fast DDS sends no heartbeat while its history is
    // empty; with MANUAL_BY_TOPIC liveliness (compatible with readers that
    // request AUTOMATIC) assert_liveliness() sends one (firstSN 1, lastSN 0)
    // so Cyclone is in sync before the first sample.
    q.liveliness().kind = MANUAL_BY_TOPIC_LIVELINESS_QOS;
    q.endpoint().history_memory_policy = eprosima::fastrtps::rtps::PREALLOCATED_WITH_REALLOC_MEMORY_MODE;
    DataWriter* wr = pub->create_datawriter(tp, q);
    if (wr == nullptr) return fail("create_datawriter failed");
    peer_ready();

    const double match_deadline = peer_now() + o.timeout;
    for (;;) {
        PublicationMatchedStatus st;
        if (wr->get_publication_matched_status(st) != ReturnCode_t::RETCODE_OK)
            return fail("get_publication_matched_status failed");
        if (st.current_count > 0) break;
        if (peer_now() >= match_deadline) {
            fprintf(stderr, "error: timeout after %g s: no subscriber matched on '%s'\n", o.timeout, o.topic);
            return PEER_EXIT_FAIL;
        }
        peer_sleep(0.01);
    }
    for (int k = 0; k < PEER_SETTLE_MS / 50; k++) {
        wr->assert_liveliness();
        peer_sleep(0.05);
    }

    const double period = 1.0 / o.rate;
    double next = peer_now();
    for (long i = 0; i < o.count; i++) {
        bool ok;
        if (image) {
            sensor_msgs::msg::dds_::Image_ m;
            m.header_().stamp_().sec_(static_cast<int32_t>(2000 + i));
            m.header_().stamp_().nanosec_(7);
            m.header_().frame_id_("camera");
            m.height_(static_cast<uint32_t>(o.height));
            m.width_(static_cast<uint32_t>(o.width));
            m.encoding_("rgb8");
            m.is_bigendian_(0);
            m.step_(static_cast<uint32_t>(3 * o.width));
            std::vector<uint8_t>& d = m.data_();
            d.resize(static_cast<size_t>(3 * o.width * o.height));
            for (size_t k = 0; k < d.size(); k++) d[k] = static_cast<uint8_t>((k * 7 + static_cast<size_t>(i)) & 0xFF);
            ok = wr->write(&m);
        } else {
            geometry_msgs::msg::dds_::PoseStamped_ m;
            m.header_().stamp_().sec_(static_cast<int32_t>(1000 + i));
            m.header_().stamp_().nanosec_(static_cast<uint32_t>(i * 1000));
            m.header_().frame_id_(o.frame_id);
            m.pose_().position_().x_(static_cast<double>(i) + 0.5);
            m.pose_().position_().y_(-0.25 * static_cast<double>(i));
            m.pose_().position_().z_(3.0);
            m.pose_().orientation_().x_(0.0);
            m.pose_().orientation_().y_(0.0);
            m.pose_().orientation_().z_(std::sin(0.05 * static_cast<double>(i)));
            m.pose_().orientation_().w_(std::cos(0.05 * static_cast<double>(i)));
            ok = wr->write(&m);
        }
        if (!ok) return fail("DataWriter::write failed");
        if (i + 1 < o.count) {
            next += period;
            peer_sleep(next - peer_now());
        }
    }
    // Fast DDS does not end wait_for_acknowledgments when the last reader
    // leaves, so wait in slices and stop early once nobody is matched.
    const double ack_deadline = peer_now() + 5.0;
    for (;;) {
        if (wr->wait_for_acknowledgments(Duration_t(0, 100000000)) == ReturnCode_t::RETCODE_OK) break;
        PublicationMatchedStatus st;
        if (wr->get_publication_matched_status(st) == ReturnCode_t::RETCODE_OK && st.current_count == 0) break;
        if (peer_now() >= ack_deadline) {
            fprintf(stderr, "warning: wait_for_acknowledgments timed out\n");
            break;
        }
    }
    return PEER_EXIT_OK;
}

} // namespace

int main(int argc, char** argv)
{
    peer_opts o;
    if (!peer_parse_args(argc, argv, &o)) return PEER_EXIT_FAIL;
    DomainParticipantQos pq = PARTICIPANT_QOS_DEFAULT;
    pq.name("anyrecon-peer-fastdds");
    // Multi-MB samples from Cyclone stall with the OS default receive buffer
    // (212992 bytes here); ask for 4 MB (the kernel caps it at
    // net.core.rmem_max). ANYRECON_PEER_SOCKET_BUFFER=bytes overrides, 0 = OS default.
    uint32_t sockbuf = 4u << 20;
    if (const char* e = getenv("ANYRECON_PEER_SOCKET_BUFFER")) sockbuf = static_cast<uint32_t>(strtoul(e, nullptr, 10));
    pq.transport().listen_socket_buffer_size = sockbuf;
    pq.transport().send_socket_buffer_size = sockbuf;
    g_pp = DomainParticipantFactory::get_instance()->create_participant(o.domain, pq);
    if (g_pp == nullptr) return fail("create_participant failed");
    int r;
    switch (o.cmd) {
        case CMD_SUB_IMAGE:
            r = run_sub<sensor_msgs::msg::dds_::Image_>(o, new sensor_msgs::msg::dds_::Image_PubSubType(), print_image);
            break;
        case CMD_SUB_CLOUD:
            r = run_sub<sensor_msgs::msg::dds_::PointCloud2_>(o, new sensor_msgs::msg::dds_::PointCloud2_PubSubType(),
                                                              print_cloud);
            break;
        case CMD_SUB_POSE:
            r = run_sub<geometry_msgs::msg::dds_::PoseStamped_>(o, new geometry_msgs::msg::dds_::PoseStamped_PubSubType(),
                                                                print_pose);
            break;
        default:
            r = run_pub(o);
            break;
    }
    g_pp->delete_contained_entities();
    DomainParticipantFactory::get_instance()->delete_participant(g_pp);
    return r;
}
