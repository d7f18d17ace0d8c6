#include "command-service/store/file/segment.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "common/posix_status.h"

namespace bank::log {
namespace {

constexpr absl::string_view kSuffix = ".log";
constexpr size_t kDigits = 20;
// A reader's read-ahead: one pread covers a whole Subscribe batch (512 events
// of ~80 bytes). Kept below glibc's 128 KiB trim threshold: a 256 KiB buffer,
// freed at the top of the heap after every batch, went back to the OS and was
// faulted in again for the next one (catch-up over 10M events: 1.63-1.77M
// events/s with 256 KiB, 2.24-2.39M with 64 KiB; recovery the same).
constexpr size_t kReadChunk = 64 << 10;

}  // namespace

std::string PositionFileName(uint64_t position, absl::string_view suffix) {
  return absl::StrFormat("%020u%s", position, suffix);
}

std::optional<uint64_t> ParsePositionFileName(absl::string_view name, absl::string_view suffix) {
  if (name.size() != kDigits + suffix.size() || !absl::EndsWith(name, suffix)) {
    return std::nullopt;
  }
  uint64_t position = 0;
  absl::string_view digits = name.substr(0, kDigits);
  if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
      !absl::SimpleAtoi(digits, &position)) {
    return std::nullopt;
  }
  return position;
}

std::string SegmentFileName(uint64_t base_position) {
  return PositionFileName(base_position, kSuffix);
}

std::optional<uint64_t> ParseSegmentFileName(absl::string_view name) {
  return ParsePositionFileName(name, kSuffix);
}

ScopedFd::~ScopedFd() {
  if (fd_ >= 0) ::close(fd_);
}

ScopedFd& ScopedFd::operator=(ScopedFd&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.release();
  }
  return *this;
}

int ScopedFd::release() {
  int fd = fd_;
  fd_ = -1;
  return fd;
}

uint64_t Segment::SeekOffset(uint64_t position) const {
  auto after =
      std::upper_bound(index.begin(), index.end(), position,
                       [](uint64_t p, const IndexEntry& entry) { return p < entry.position; });
  if (after != index.begin()) return std::prev(after)->offset;
  // Before the first entry: the first record, or the first after those left
  // unread (the index may hold none after them yet).
  return unread_through != 0 && position > unread_through ? unread_end : kSegmentHeaderSize;
}

DecodeResult SegmentReader::Next(DecodedRecord* record) {
  cursor_ += advance_;
  next_offset_ += advance_;
  advance_ = 0;
  while (true) {
    absl::string_view available = absl::string_view(buffer_).substr(cursor_);
    DecodeResult result = DecodeRecord(available, record);
    if (result == DecodeResult::kOk) advance_ = record->size;
    if (result != DecodeResult::kIncomplete) return result;
    // Need more bytes: at least a header, and the whole record once its
    // length is known.
    size_t want = kRecordHeaderSize;
    if (available.size() >= kRecordHeaderSize) {
      want = kRecordHeaderSize + PeekRecordLength(available);
    }
    if (!Fill(want)) return io_status_.ok() ? DecodeResult::kIncomplete : DecodeResult::kCorrupt;
  }
}

// Makes buffer_[cursor_..] hold at least `want` bytes, reading ahead by
// kReadChunk up to end_. False at end of file (or end_) or on a read error.
bool SegmentReader::Fill(size_t want) {
  buffer_.erase(0, cursor_);
  cursor_ = 0;
  const size_t have = buffer_.size();
  const uint64_t readable = end_ > next_offset_ ? end_ - next_offset_ : 0;
  const size_t target =
      static_cast<size_t>(std::min<uint64_t>(std::max(want, have + kReadChunk), readable));
  buffer_.resize(target);
  size_t filled = have;
  while (filled < target) {
    ssize_t n = ::pread(fd_, buffer_.data() + filled, target - filled,
                        static_cast<off_t>(next_offset_ + filled));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      io_status_ = PosixError(errno, "pread segment");
      break;
    }
    if (n == 0) break;
    filled += static_cast<size_t>(n);
  }
  buffer_.resize(filled);
  return io_status_.ok() && filled >= want;
}

}  // namespace bank::log
