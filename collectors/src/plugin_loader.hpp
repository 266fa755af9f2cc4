// Finds and loads collector plugins (pss_collector_<scheme>.so) at run time,
// so that test binaries link no network client library.
#pragma once

#include <string>

#include "pss/collect/plugin.h"

namespace pss::collect {

// The plugin for `scheme`, loaded once and kept for the life of the process.
// Looked for in PSS_COLLECTOR_PATH (directories separated by ':'), next to
// the running program (../lib/pss/collectors, as installed), and in the
// install prefix. Null with `error` saying where it looked when not found.
const pss_collector_plugin* load_collector_plugin(const std::string& scheme, std::string& error);

}  // namespace pss::collect
