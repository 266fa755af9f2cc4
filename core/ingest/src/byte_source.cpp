#include "byte_source.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include <fmt/format.h>

namespace pss::ingest {

namespace {

// The file itself, read with read(2) into the caller's buffer.
class RawFile {
public:
    explicit RawFile(const std::filesystem::path& path) : path_(path) {
        fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd_ < 0)
            throw TraceFileError(fmt::format("cannot open trace file '{}': {}", path.string(), std::strerror(errno)));
        struct stat st {};
        if (::fstat(fd_, &st) != 0 || S_ISDIR(st.st_mode)) {
            ::close(fd_);
            throw TraceFileError(fmt::format("cannot read trace file '{}': it is a directory", path.string()));
        }
        size_ = S_ISREG(st.st_mode) ? static_cast<std::uint64_t>(st.st_size) : 0;
#ifdef POSIX_FADV_SEQUENTIAL
        ::posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
    }
    ~RawFile() { ::close(fd_); }
    RawFile(const RawFile&) = delete;
    RawFile& operator=(const RawFile&) = delete;

    std::size_t read(char* out, std::size_t capacity) {
        for (;;) {
            const ssize_t n = ::read(fd_, out, capacity);
            if (n >= 0) return static_cast<std::size_t>(n);
            if (errno == EINTR) continue;
            throw TraceFileError(fmt::format("cannot read trace file '{}': {}", path_.string(), std::strerror(errno)));
        }
    }
    std::uint64_t size() const noexcept { return size_; }

private:
    std::filesystem::path path_;
    int fd_ = -1;
    std::uint64_t size_ = 0;
};

// Plain text: the first bytes, read to look for a magic number, then the file.
class PlainSource final : public ByteSource {
public:
    PlainSource(std::unique_ptr<RawFile> file, std::string head) : file_(std::move(file)), head_(std::move(head)) {
        size_ = file_->size();
        consumed_ = head_.size();
    }
    std::size_t read(char* out, std::size_t capacity) override {
        if (head_pos_ < head_.size()) {
            const std::size_t n = std::min(capacity, head_.size() - head_pos_);
            std::memcpy(out, head_.data() + head_pos_, n);
            head_pos_ += n;
            return n;
        }
        const std::size_t n = file_->read(out, capacity);
        consumed_ += n;
        return n;
    }

private:
    std::unique_ptr<RawFile> file_;
    std::string head_;
    std::size_t head_pos_ = 0;
};

// Compressed input: keeps a buffer of file bytes for the decoder.
class CompressedSource : public ByteSource {
protected:
    CompressedSource(std::unique_ptr<RawFile> file, std::string head) : file_(std::move(file)), input_(1 << 18) {
        size_ = file_->size();
        std::memcpy(input_.data(), head.data(), head.size());
        in_size_ = head.size();
        consumed_ = head.size();
    }
    // Refills the input buffer when the decoder has used it up; false at the end of the file.
    bool refill() {
        if (in_pos_ < in_size_) return true;
        in_pos_ = 0;
        in_size_ = file_->read(input_.data(), input_.size());
        consumed_ += in_size_;
        return in_size_ > 0;
    }
    // Makes at least `n` unread bytes available when the file still has them.
    void ensure(std::size_t n) {
        if (in_size_ - in_pos_ >= n) return;
        std::memmove(input_.data(), input_.data() + in_pos_, in_size_ - in_pos_);
        in_size_ -= in_pos_;
        in_pos_ = 0;
        while (in_size_ < n) {
            const std::size_t got = file_->read(input_.data() + in_size_, input_.size() - in_size_);
            if (got == 0) break;
            consumed_ += got;
            in_size_ += got;
        }
    }
    std::unique_ptr<RawFile> file_;
    std::vector<char> input_;
    std::size_t in_pos_ = 0, in_size_ = 0;
    bool done_ = false;
};

constexpr unsigned char gzip_magic[] = {0x1f, 0x8b};
constexpr unsigned char zstd_magic[] = {0x28, 0xb5, 0x2f, 0xfd};

template <std::size_t N>
bool starts_with(std::string_view data, const unsigned char (&magic)[N]) {
    return data.size() >= N && std::memcmp(data.data(), magic, N) == 0;
}

class GzipSource final : public CompressedSource {
public:
    GzipSource(std::unique_ptr<RawFile> file, std::string head) : CompressedSource(std::move(file), std::move(head)) {
        compression_ = Compression::gzip;
        // 15 + 32: the largest window, and a gzip or zlib header.
        if (inflateInit2(&zs_, 15 + 32) != Z_OK) throw TraceFileError("cannot start the gzip decoder (out of memory?)");
    }
    ~GzipSource() override { inflateEnd(&zs_); }

    std::size_t read(char* out, std::size_t capacity) override {
        std::size_t produced = 0;
        while (!done_ && produced < capacity) {
            if (!refill()) {
                if (in_member_) problem_ = "the gzip data ends early (truncated file?); the text before it was read";
                done_ = true;
                break;
            }
            if (!in_member_) {
                // A gzip file may hold several members back to back (cat a.gz b.gz).
                ensure(sizeof gzip_magic);
                if (!starts_with(std::string_view(input_.data() + in_pos_, in_size_ - in_pos_), gzip_magic) &&
                    started_) {
                    problem_ = "data after the end of the gzip stream was ignored";
                    done_ = true;
                    break;
                }
                if (started_) inflateReset(&zs_);
                in_member_ = started_ = true;
            }
            zs_.next_in = reinterpret_cast<Bytef*>(input_.data() + in_pos_);
            zs_.avail_in = static_cast<uInt>(in_size_ - in_pos_);
            zs_.next_out = reinterpret_cast<Bytef*>(out + produced);
            zs_.avail_out = static_cast<uInt>(std::min<std::size_t>(capacity - produced, 1u << 30));
            const int rc = inflate(&zs_, Z_NO_FLUSH);
            in_pos_ = in_size_ - zs_.avail_in;
            produced = static_cast<std::size_t>(reinterpret_cast<char*>(zs_.next_out) - out);
            if (rc == Z_STREAM_END) {
                in_member_ = false;
            } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
                problem_ = fmt::format("corrupt gzip data ({}); the text before it was read", zs_.msg ? zs_.msg : "error");
                done_ = true;
            }
        }
        return produced;
    }

private:
    z_stream zs_{};
    bool in_member_ = false, started_ = false;
};

class ZstdSource final : public CompressedSource {
public:
    ZstdSource(std::unique_ptr<RawFile> file, std::string head) : CompressedSource(std::move(file), std::move(head)) {
        compression_ = Compression::zstd;
        dctx_ = ZSTD_createDCtx();
        if (!dctx_) throw TraceFileError("cannot start the zstd decoder (out of memory?)");
    }
    ~ZstdSource() override { ZSTD_freeDCtx(dctx_); }

    std::size_t read(char* out, std::size_t capacity) override {
        ZSTD_outBuffer output{out, capacity, 0};
        while (!done_ && output.pos < output.size) {
            if (!refill()) {
                if (frame_open_) problem_ = "the zstd data ends early (truncated file?); the text before it was read";
                done_ = true;
                break;
            }
            ZSTD_inBuffer input{input_.data() + in_pos_, in_size_ - in_pos_, 0};
            const std::size_t rc = ZSTD_decompressStream(dctx_, &output, &input);
            in_pos_ += input.pos;
            if (ZSTD_isError(rc)) {
                problem_ = fmt::format("corrupt zstd data ({}); the text before it was read", ZSTD_getErrorName(rc));
                done_ = true;
                break;
            }
            frame_open_ = rc != 0;  // 0: a frame is complete; more frames may follow
        }
        return output.pos;
    }

private:
    ZSTD_DCtx* dctx_ = nullptr;
    bool frame_open_ = false;
};

class MemorySource final : public ByteSource {
public:
    explicit MemorySource(std::string_view text) : text_(text) { size_ = text.size(); }
    std::size_t read(char* out, std::size_t capacity) override {
        const std::size_t n = std::min(capacity, text_.size() - static_cast<std::size_t>(consumed_));
        std::memcpy(out, text_.data() + consumed_, n);
        consumed_ += n;
        return n;
    }

private:
    std::string_view text_;
};

}  // namespace

std::unique_ptr<ByteSource> open_trace_source(const std::filesystem::path& path) {
    auto file = std::make_unique<RawFile>(path);
    std::string head(6, '\0');  // enough for every magic number below
    std::size_t got = 0;
    while (got < head.size()) {
        const std::size_t n = file->read(head.data() + got, head.size() - got);
        if (n == 0) break;
        got += n;
    }
    head.resize(got);
    // Formats we do not decode get a clear message instead of a page of malformed lines.
    constexpr unsigned char xz_magic[] = {0xfd, '7', 'z', 'X', 'Z'};
    constexpr unsigned char bzip2_magic[] = {'B', 'Z', 'h'};
    if (starts_with(head, xz_magic) || starts_with(head, bzip2_magic))
        throw TraceFileError(fmt::format("cannot read trace file '{}': it is compressed with {}, which pss does not "
                                         "read; decompress it, or compress with gzip or zstd instead",
                                         path.string(), starts_with(head, bzip2_magic) ? "bzip2" : "xz"));
    if (starts_with(head, gzip_magic)) return std::make_unique<GzipSource>(std::move(file), std::move(head));
    if (starts_with(head, zstd_magic)) return std::make_unique<ZstdSource>(std::move(file), std::move(head));
    return std::make_unique<PlainSource>(std::move(file), std::move(head));
}

std::unique_ptr<ByteSource> memory_source(std::string_view text) { return std::make_unique<MemorySource>(text); }

}  // namespace pss::ingest
