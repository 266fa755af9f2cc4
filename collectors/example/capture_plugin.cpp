// A custom collector, as a team would write one (pss/collect/plugin.h):
// capture:///path/to/file appends every record it is given to that file,
// one line each, with its source and sequence number in front. The tests
// use it as a custom collector; capture://hang makes send() wait until the
// file named in PSS_CAPTURE_RELEASE exists (a collector that hangs).
#include <pss/collect/plugin.h>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

struct Capture {
    std::string path, source;
    bool hang = false;
};

void* open_capture(const pss_collector_info* info, char* error, size_t error_size) {
    const std::string uri = info->uri;
    auto* c = new Capture;
    c->source = info->source;
    if (uri == "capture://hang") {
        c->hang = true;
    } else if (uri.rfind("capture://", 0) == 0 && uri.size() > 10) {
        c->path = uri.substr(10);
    } else {
        std::snprintf(error, error_size, "expected capture:///path/to/file or capture://hang");
        delete c;
        return nullptr;
    }
    return c;
}

size_t send_capture(void* handle, const pss_collector_record* records, size_t count, int, char* error,
                    size_t error_size) {
    auto* c = static_cast<Capture*>(handle);
    if (c->hang) {
        const char* release = std::getenv("PSS_CAPTURE_RELEASE");
        while (!release || ::access(release, F_OK) != 0) ::usleep(10000);  // ignores the timeout on purpose
        std::snprintf(error, error_size, "released");
        return 0;
    }
    FILE* f = std::fopen(c->path.c_str(), "a");
    if (!f) {
        std::snprintf(error, error_size, "cannot open %s", c->path.c_str());
        return 0;
    }
    for (size_t i = 0; i < count; ++i)
        std::fprintf(f, "%s %llu %.*s\n", c->source.c_str(), static_cast<unsigned long long>(records[i].seq),
                     static_cast<int>(records[i].size), records[i].json);
    std::fclose(f);
    return count;
}

void close_capture(void* handle) { delete static_cast<Capture*>(handle); }

const pss_collector_plugin plugin{PSS_COLLECTOR_ABI_VERSION, "capture", open_capture, send_capture, close_capture};

}  // namespace

extern "C" __attribute__((visibility("default"))) const pss_collector_plugin* pss_collector_plugin_v1(void) {
    return &plugin;
}
