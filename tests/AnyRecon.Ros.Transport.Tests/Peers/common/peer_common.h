/* Shared by anyrecon-peer-cyclone (C) and anyrecon-peer-fastdds (C++):
 * command line, FNV-1a, JSON output. Both programs print byte-identical lines. */
#ifndef ANYRECON_PEER_COMMON_H
#define ANYRECON_PEER_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PEER_EXIT_OK 0
#define PEER_EXIT_FAIL 2

/* Settle time after the first match before publishing, so that the remote
 * reader has also finished discovering this writer (otherwise a volatile
 * reader may legitimately skip the first samples). */
#define PEER_SETTLE_MS 300

/* A subscriber stays this long after its last sample so that it can still
 * acknowledge it (the publisher waits for acknowledgements before exiting). */
#define PEER_LINGER_MS 200

enum peer_cmd { CMD_NONE, CMD_SUB_IMAGE, CMD_SUB_CLOUD, CMD_SUB_POSE, CMD_PUB_POSE, CMD_PUB_IMAGE };

struct peer_opts {
  enum peer_cmd cmd;
  const char *topic;
  long count;
  double timeout;    /* seconds */
  int best_effort;
  double rate;       /* Hz */
  const char *frame_id;
  long width, height;
  unsigned domain;
};

static void peer_usage(const char *prog)
{
  fprintf(stderr,
    "usage: %s COMMAND --topic T --count N [options]\n"
    "  sub-image|sub-cloud|sub-pose --topic T --count N [--timeout S=30] [--best-effort]\n"
    "  pub-pose  --topic T --count N [--rate HZ=10] [--frame-id F=map] [--timeout S=30] [--best-effort]\n"
    "  pub-image --topic T --count N [--rate HZ=10] [--width W=640] [--height H=480] [--timeout S=30] [--best-effort]\n"
    "Domain id from ROS_DOMAIN_ID (default 0). Exit 0 on success, 2 on timeout/error.\n", prog);
}

static int peer_parse_long(const char *s, long *out)
{
  char *end; long v;
  if (s == NULL || *s == 0) return 0;
  v = strtol(s, &end, 10);
  if (*end != 0) return 0;
  *out = v; return 1;
}

static int peer_parse_double(const char *s, double *out)
{
  char *end; double v;
  if (s == NULL || *s == 0) return 0;
  v = strtod(s, &end);
  if (*end != 0) return 0;
  *out = v; return 1;
}

/* Returns 1 when ok; prints a message and returns 0 otherwise. */
static int peer_parse_args(int argc, char **argv, struct peer_opts *o)
{
  int i; const char *dom;
  memset(o, 0, sizeof(*o));
  o->count = -1; o->timeout = 30.0; o->rate = 10.0; o->frame_id = "map"; o->width = 640; o->height = 480;
  if (argc < 2) { peer_usage(argv[0]); return 0; }
  if (strcmp(argv[1], "sub-image") == 0) o->cmd = CMD_SUB_IMAGE;
  else if (strcmp(argv[1], "sub-cloud") == 0) o->cmd = CMD_SUB_CLOUD;
  else if (strcmp(argv[1], "sub-pose") == 0) o->cmd = CMD_SUB_POSE;
  else if (strcmp(argv[1], "pub-pose") == 0) o->cmd = CMD_PUB_POSE;
  else if (strcmp(argv[1], "pub-image") == 0) o->cmd = CMD_PUB_IMAGE;
  else if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) { peer_usage(argv[0]); return 0; }
  else { fprintf(stderr, "error: unknown command '%s'\n", argv[1]); peer_usage(argv[0]); return 0; }
  for (i = 2; i < argc; i++) {
    const char *a = argv[i];
    const char *v = (i + 1 < argc) ? argv[i + 1] : NULL;
    int ok = 1, takes = 1;
    if (strcmp(a, "--best-effort") == 0) { o->best_effort = 1; takes = 0; }
    else if (strcmp(a, "--topic") == 0) { o->topic = v; ok = (v != NULL && *v != 0); }
    else if (strcmp(a, "--count") == 0) ok = peer_parse_long(v, &o->count) && o->count >= 0;
    else if (strcmp(a, "--timeout") == 0) ok = peer_parse_double(v, &o->timeout) && o->timeout > 0;
    else if (strcmp(a, "--rate") == 0) ok = peer_parse_double(v, &o->rate) && o->rate > 0;
    else if (strcmp(a, "--frame-id") == 0) { o->frame_id = v; ok = (v != NULL); }
    else if (strcmp(a, "--width") == 0) ok = peer_parse_long(v, &o->width) && o->width > 0;
    else if (strcmp(a, "--height") == 0) ok = peer_parse_long(v, &o->height) && o->height > 0;
    else { fprintf(stderr, "error: unknown option '%s'\n", a); return 0; }
    if (!ok) { fprintf(stderr, "error: bad or missing value for %s\n", a); return 0; }
    i += takes;
  }
  if (o->topic == NULL) { fprintf(stderr, "error: --topic is required\n"); return 0; }
  if (o->count < 0) { fprintf(stderr, "error: --count is required\n"); return 0; }
  if ((o->cmd == CMD_PUB_IMAGE) && (3.0 * (double)o->width * (double)o->height > 1.0e9)) {
    fprintf(stderr, "error: image too large\n"); return 0;
  }
  dom = getenv("ROS_DOMAIN_ID");
  o->domain = 0;
  if (dom != NULL && *dom != 0) {
    long d;
    if (!peer_parse_long(dom, &d) || d < 0 || d > 232) { fprintf(stderr, "error: bad ROS_DOMAIN_ID '%s'\n", dom); return 0; }
    o->domain = (unsigned)d;
  }
  return 1;
}

static uint64_t peer_fnv1a(const uint8_t *p, size_t n)
{
  uint64_t h = 0xcbf29ce484222325ULL;
  size_t k;
  for (k = 0; k < n; k++) { h ^= p[k]; h *= 0x100000001b3ULL; }
  return h;
}

static double peer_now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void peer_sleep(double seconds)
{
  struct timespec ts;
  if (seconds <= 0) return;
  ts.tv_sec = (time_t)seconds;
  ts.tv_nsec = (long)((seconds - (double)ts.tv_sec) * 1e9);
  while (nanosleep(&ts, &ts) != 0) { }
}

static void peer_ready(void)
{
  fputs("ready\n", stderr);
  fflush(stderr);
}

/* JSON string with escapes (bytes >= 0x80 passed through: UTF-8 stays UTF-8). */
static void peer_json_str(FILE *f, const char *s)
{
  const unsigned char *p = (const unsigned char *)(s ? s : "");
  fputc('"', f);
  for (; *p; p++) {
    switch (*p) {
      case '"': fputs("\\\"", f); break;
      case '\\': fputs("\\\\", f); break;
      case '\n': fputs("\\n", f); break;
      case '\r': fputs("\\r", f); break;
      case '\t': fputs("\\t", f); break;
      case '\b': fputs("\\b", f); break;
      case '\f': fputs("\\f", f); break;
      default:
        if (*p < 0x20) fprintf(f, "\\u%04x", *p); else fputc(*p, f);
    }
  }
  fputc('"', f);
}

static void peer_print_image(int32_t sec, uint32_t nanosec, const char *frame_id, uint32_t height, uint32_t width,
                             const char *encoding, uint8_t is_bigendian, uint32_t step, const uint8_t *data, size_t len)
{
  FILE *f = stdout;
  fprintf(f, "{\"sec\":%d,\"nanosec\":%u,\"frame_id\":", (int)sec, (unsigned)nanosec);
  peer_json_str(f, frame_id);
  fprintf(f, ",\"height\":%u,\"width\":%u,\"encoding\":", (unsigned)height, (unsigned)width);
  peer_json_str(f, encoding);
  fprintf(f, ",\"is_bigendian\":%u,\"step\":%u,\"data_len\":%zu,\"data_fnv\":\"%016llx\"}\n",
          (unsigned)is_bigendian, (unsigned)step, len, (unsigned long long)peer_fnv1a(data, len));
  fflush(f);
}

struct peer_field { const char *name; uint32_t offset; uint8_t datatype; uint32_t count; };

static void peer_print_cloud(int32_t sec, uint32_t nanosec, const char *frame_id, uint32_t height, uint32_t width,
                             const struct peer_field *fields, size_t nfields, int is_bigendian, uint32_t point_step,
                             uint32_t row_step, const uint8_t *data, size_t len, int is_dense)
{
  FILE *f = stdout;
  size_t k;
  fprintf(f, "{\"sec\":%d,\"nanosec\":%u,\"frame_id\":", (int)sec, (unsigned)nanosec);
  peer_json_str(f, frame_id);
  fprintf(f, ",\"height\":%u,\"width\":%u,\"fields\":[", (unsigned)height, (unsigned)width);
  for (k = 0; k < nfields; k++) {
    fputs(k ? ",{\"name\":" : "{\"name\":", f);
    peer_json_str(f, fields[k].name);
    fprintf(f, ",\"offset\":%u,\"datatype\":%u,\"count\":%u}",
            (unsigned)fields[k].offset, (unsigned)fields[k].datatype, (unsigned)fields[k].count);
  }
  fprintf(f, "],\"is_bigendian\":%s,\"point_step\":%u,\"row_step\":%u,\"data_len\":%zu,\"data_fnv\":\"%016llx\",\"is_dense\":%s}\n",
          is_bigendian ? "true" : "false", (unsigned)point_step, (unsigned)row_step, len,
          (unsigned long long)peer_fnv1a(data, len), is_dense ? "true" : "false");
  fflush(f);
}

static void peer_print_pose(int32_t sec, uint32_t nanosec, const char *frame_id,
                            double px, double py, double pz, double qx, double qy, double qz, double qw)
{
  FILE *f = stdout;
  fprintf(f, "{\"sec\":%d,\"nanosec\":%u,\"frame_id\":", (int)sec, (unsigned)nanosec);
  peer_json_str(f, frame_id);
  fprintf(f, ",\"px\":%.17g,\"py\":%.17g,\"pz\":%.17g,\"qx\":%.17g,\"qy\":%.17g,\"qz\":%.17g,\"qw\":%.17g}\n",
          px, py, pz, qx, qy, qz, qw);
  fflush(f);
}

#endif
