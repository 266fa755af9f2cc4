// Moving a history between databases (SQLite to PostgreSQL and back): every
// run with its tests as one JSON object per line, oldest first, after a
// header line. `pss history --export history` writes it, `pss history
// --import FILE` reads it.
#pragma once

#include <cstddef>
#include <iosfwd>
#include <string>

#include "pss/ci/history_store.hpp"

namespace pss::ci {

struct TransferCount {
    std::size_t runs = 0, tests = 0;
    std::size_t skipped = 0;  // import: runs the target had already
};

// Writes the runs `query` selects (limit SIZE_MAX: all) with their tests.
TransferCount export_history(const HistoryStore& store, const RunQuery& query, std::ostream& out);

// Stores each run of an export in its own transaction, skipping runs the
// store already has (so an interrupted import can be repeated). Throws
// HistoryError naming the line of a malformed record; the runs before it
// stay imported.
TransferCount import_history(HistoryStore& store, std::istream& in, const std::string& name_for_messages);

}  // namespace pss::ci
