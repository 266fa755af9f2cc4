#include "progress.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include <fmt/format.h>

#include "cli_support.hpp"
#include "pss/text/width.hpp"

namespace pss::cli {

namespace {

// Seconds left at the rate so far; negative while there is nothing to go by.
double seconds_left(std::size_t done, std::size_t planned, double elapsed) {
    if (done == 0 || elapsed < 1 || done >= planned) return -1;
    return elapsed * static_cast<double>(planned - done) / static_cast<double>(done);
}

std::string clock_text(double seconds) {
    const auto s = static_cast<long>(seconds + 0.5);
    return s >= 3600 ? fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60) : fmt::format("{}:{:02}", s / 60, s % 60);
}

}  // namespace

Progress::Progress(std::string what, std::size_t planned)
    : what_(std::move(what)),
      planned_(planned),
      terminal_(::isatty(STDERR_FILENO) != 0),
      color_(color_enabled(STDERR_FILENO)),
      started_(Clock::now()),
      last_(started_) {}

Progress::~Progress() { finish(); }

std::string Progress::bar(std::size_t done, std::size_t planned, std::size_t failed, double elapsed, std::size_t width,
                          bool color) {
    const double share = planned ? std::min(1.0, static_cast<double>(done) / static_cast<double>(planned)) : 1.0;
    std::string tail = fmt::format(" {}/{} runs {:3.0f}%", done, planned, 100 * share);
    if (failed) tail += fmt::format("  {} failed", failed);
    if (const double left = seconds_left(done, planned, elapsed); left >= 0) tail += "  " + clock_text(left) + " left";
    const std::size_t cells = std::clamp<std::size_t>(width > tail.size() + 4 ? width - tail.size() - 4 : 10, 10, 40);
    const auto full = static_cast<std::size_t>(share * static_cast<double>(cells));
    std::string filled(full, '#');
    if (color) filled = (failed ? "\x1b[31m" : "\x1b[32m") + filled + "\x1b[0m";
    return "[" + filled + std::string(cells - full, '.') + "]" + tail;
}

std::string Progress::log_line(const std::string& what, std::size_t done, std::size_t planned, std::size_t failed,
                               double elapsed) {
    std::string line = fmt::format("pss: {}: {}/{} runs ({:.0f}%), {} failed", what, done, planned,
                                   planned ? 100.0 * static_cast<double>(done) / static_cast<double>(planned) : 100.0,
                                   failed);
    if (const double left = seconds_left(done, planned, elapsed); left >= 0)
        line += fmt::format(", about {} left", clock_text(left));
    return line;
}

void Progress::update(std::size_t done, std::size_t failed) {
    std::lock_guard lock(mu_);
    const auto now = Clock::now();
    const double elapsed = std::chrono::duration<double>(now - started_).count();
    if (terminal_) {
        if (now - last_ < std::chrono::milliseconds(100) && done < planned_) return;
        last_ = now;
        std::size_t width = terminal_columns(STDERR_FILENO);
        if (width == 0) width = 80;
        fmt::print(stderr, "\r\x1b[2K  {}", bar(done, planned_, failed, elapsed, width - 2, color_));
        std::fflush(stderr);
        drawn_ = true;
    } else if (now - last_ >= log_interval && done < planned_) {
        last_ = now;
        fmt::print(stderr, "{}\n", log_line(what_, done, planned_, failed, elapsed));
        std::fflush(stderr);
    }
}

void Progress::finish() {
    std::lock_guard lock(mu_);
    if (drawn_) fmt::print(stderr, "\r\x1b[2K");
    drawn_ = false;
}

}  // namespace pss::cli
