// Reads what collectors delivered, for pss merge --from and pss analyze
// --from: a Redis stream (redis://host:port/N?stream=KEY) or a file written
// by a file: collector or pss collect --out (file:PATH or a plain path).
#pragma once

#include <stdexcept>
#include <string>

#include "collected_stream.hpp"

namespace pss::collect {

class StreamError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Feeds every entry at `uri` to `run` (which keeps the run it was made for).
// Throws StreamError saying what was wrong and what to do.
void read_collected(const std::string& uri, CollectedRun& run);

}  // namespace pss::collect
