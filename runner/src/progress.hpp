// Progress of a run on stderr. On a terminal: one bar, redrawn in place at
// most ten times a second, with runs done, failures and the time left. In a
// CI log (not a terminal): a plain line every `log_interval`, nothing
// redrawn. Thread-safe: the executor's workers call update() concurrently.
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>

namespace pss::cli {

class Progress {
public:
    // `what` names the binary; `planned` runs in all.
    Progress(std::string what, std::size_t planned);
    ~Progress();
    Progress(const Progress&) = delete;
    Progress& operator=(const Progress&) = delete;

    void update(std::size_t done, std::size_t failed);
    // Clears the bar (terminal); called by the destructor too.
    void finish();

    static constexpr std::chrono::seconds log_interval{10};

    // The bar as drawn at `width` columns, for tests: "[#####.....] 12/40 runs  30%  1 failed  0:42 left".
    static std::string bar(std::size_t done, std::size_t planned, std::size_t failed, double elapsed_seconds,
                           std::size_t width, bool color);
    // The plain line for logs: "pss: NAME: 12/40 runs (30%), 1 failed, about 42 s left".
    static std::string log_line(const std::string& what, std::size_t done, std::size_t planned, std::size_t failed,
                                double elapsed_seconds);

private:
    using Clock = std::chrono::steady_clock;
    std::mutex mu_;
    std::string what_;
    std::size_t planned_;
    bool terminal_, color_, drawn_ = false;
    Clock::time_point started_, last_;
};

}  // namespace pss::cli
