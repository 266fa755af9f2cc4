/* The C ABI of a pss collector plugin: a shared object named
 * pss_collector_<scheme>.so that pss loads (dlopen) when PSS_COLLECTOR, the
 * pss.toml key `collector` or pss-run --collector names a URI of that scheme
 * (redis://, grpc://, or your own, e.g. kafka://). The plugin links its own
 * client library; the test binary links none of them.
 *
 * pss calls the plugin from one background thread of its own, never from a
 * test's thread, with batches of records in the order they were made. The
 * plugin sends them and says how many were delivered; pss keeps the rest for
 * the next call while its bounded buffer has room and counts what it has to
 * drop. A plugin never needs to buffer, retry on a timer or count anything.
 *
 * Build one (see collectors/example/ and README "Custom collectors"):
 *   cc -shared -fPIC -o pss_collector_kafka.so kafka_plugin.c -lrdkafka
 * and put it in a directory listed in PSS_COLLECTOR_PATH. */
#ifndef PSS_COLLECT_PLUGIN_H
#define PSS_COLLECT_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PSS_COLLECTOR_ABI_VERSION 1

/* One record: a JSON object of the trace format (one NDJSON line without its
 * newline), or a control object of pss's starting {"pss_control": ...}
 * (dropped counts, end of a process or shard), which a plugin passes on like
 * any other. `seq` numbers the records of one source from 1, so a reader can
 * drop a record that a retried batch delivered twice. */
typedef struct pss_collector_record {
    const char* json;
    size_t size;
    uint64_t seq;
} pss_collector_record;

typedef struct pss_collector_info {
    const char* uri;    /* as the user gave it, e.g. redis://ci-redis:6379/0?stream=pss */
    const char* source; /* this process: "host:pid:random", unique per process */
    const char* run_id; /* the run the records belong to (shards of one run share it); may be "" */
} pss_collector_info;

typedef struct pss_collector_plugin {
    uint32_t abi_version; /* PSS_COLLECTOR_ABI_VERSION */
    const char* scheme;   /* "redis", "grpc", ... */
    /* Parses the URI and prepares to send (connecting may wait for the first
     * send). NULL with a message in `error` when the URI is wrong. */
    void* (*open)(const pss_collector_info* info, char* error, size_t error_size);
    /* Delivers records[0..count) in order, waiting at most `timeout_ms`.
     * Returns how many from the start are delivered; when fewer than `count`,
     * writes why into `error` (reconnecting is the plugin's business, on the
     * next call). */
    size_t (*send)(void* handle, const pss_collector_record* records, size_t count, int timeout_ms, char* error,
                   size_t error_size);
    void (*close)(void* handle);
} pss_collector_plugin;

/* The one symbol a plugin exports. */
typedef const pss_collector_plugin* (*pss_collector_entry_fn)(void);
#define PSS_COLLECTOR_ENTRY "pss_collector_plugin_v1"

#ifdef __cplusplus
}
#endif

#endif
