// Reads a trace input block by block: the framer cuts blocks, parser threads
// (or the calling thread) parse them, and the calling thread hands the records
// to the sink in file order. Memory: a few blocks, whatever the input's size.
#pragma once

#include "byte_source.hpp"
#include "pss/ingest/trace_reader.hpp"

namespace pss::ingest {

ReadStats read_trace(ByteSource& source, const RecordSink& sink, const ReadOptions& options);

}  // namespace pss::ingest
