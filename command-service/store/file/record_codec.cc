#include "command-service/store/file/record_codec.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "common/crc32c.h"
#include "common/little_endian.h"

namespace bank::log {
namespace {

template <typename T>
void Put(std::string* out, T value) {
  PutLittleEndian<T>(out, value);
}

template <typename T>
T Get(const char* p) {
  return GetLittleEndian<T>(p);
}

uint32_t Checksum(absl::string_view bytes) {
  return Crc32c(std::string_view(bytes.data(), bytes.size()));
}

constexpr size_t kHeaderCrcOffset = kSegmentHeaderSize - sizeof(uint32_t);

}  // namespace

std::string EncodeSegmentHeader(uint64_t base_position) {
  std::string header(kSegmentMagic, sizeof(kSegmentMagic));
  Put<uint32_t>(&header, kFormatVersion);
  Put<uint32_t>(&header, 0);  // flags
  Put<uint64_t>(&header, base_position);
  Put<uint32_t>(&header, 0);  // reserved
  Put<uint32_t>(&header, Checksum(header));
  return header;
}

absl::StatusOr<uint64_t> DecodeSegmentHeader(absl::string_view bytes) {
  if (bytes.size() < kSegmentHeaderSize) {
    return absl::DataLossError(
        absl::StrCat("segment header is ", bytes.size(), " bytes, expected ", kSegmentHeaderSize));
  }
  if (std::memcmp(bytes.data(), kSegmentMagic, sizeof(kSegmentMagic)) != 0) {
    return absl::DataLossError("not an event log segment (bad magic)");
  }
  if (Get<uint32_t>(bytes.data() + kHeaderCrcOffset) !=
      Checksum(bytes.substr(0, kHeaderCrcOffset))) {
    return absl::DataLossError("segment header checksum mismatch");
  }
  const uint32_t version = Get<uint32_t>(bytes.data() + 8);
  if (version != kFormatVersion) {
    return absl::FailedPreconditionError(absl::StrCat("segment format version ", version,
                                                      " is newer than this release reads (",
                                                      kFormatVersion, "); run a newer release"));
  }
  return Get<uint64_t>(bytes.data() + 16);
}

void AppendRecord(RecordType type, uint64_t position, absl::string_view payload, std::string* out) {
  const size_t start = out->size();
  Put<uint32_t>(out, 0);  // checksum, filled in below
  Put<uint32_t>(out, static_cast<uint32_t>(payload.size()));
  Put<uint8_t>(out, static_cast<uint8_t>(type));
  Put<uint64_t>(out, position);
  out->append(payload.data(), payload.size());
  const uint32_t crc = Checksum(absl::string_view(*out).substr(start + sizeof(uint32_t)));
  std::memcpy(out->data() + start, &crc, sizeof(crc));
}

std::string EncodeGroupPayload(absl::Span<const store::StoredPayload> events) {
  std::string payload;
  for (const store::StoredPayload& event : events) {
    Put<uint8_t>(&payload, event.schema_version);
    Put<uint32_t>(&payload, static_cast<uint32_t>(event.payload.size()));
    payload.append(event.payload.data(), event.payload.size());
  }
  return payload;
}

absl::Status ForEachEvent(const DecodedRecord& record, StoredEventVisitor visit) {
  if (record.type != static_cast<uint8_t>(RecordType::kEventGroup)) {
    return visit({.schema_version = record.type,
                  .position = record.position,
                  .payload = record.payload,
                  .group_end = record.position});
  }
  // The whole frame is checked (and its events counted) before any event is
  // visited: a malformed group hands out none of its events.
  uint64_t group_end = 0;
  for (bool visiting : {false, true}) {
    absl::string_view rest = record.payload;
    uint64_t position = record.position;
    for (; !rest.empty(); ++position) {
      if (position < record.position) {
        return absl::DataLossError(absl::StrCat("the group record at position ", record.position,
                                                " runs past the largest position"));
      }
      const bool framed = rest.size() >= kGroupMemberHeaderSize &&
                          rest.size() - kGroupMemberHeaderSize >= Get<uint32_t>(rest.data() + 1);
      const uint8_t version = framed ? Get<uint8_t>(rest.data()) : 0;
      if (!framed || version == static_cast<uint8_t>(RecordType::kEventGroup) ||
          (version & kSkippableTypeBit) != 0) {
        return absl::DataLossError(absl::StrCat("the group record at position ", record.position,
                                                " is malformed at its event at position ",
                                                position));
      }
      const uint32_t length = Get<uint32_t>(rest.data() + 1);
      if (visiting) {
        absl::Status visited = visit({.schema_version = version,
                                      .position = position,
                                      .payload = rest.substr(kGroupMemberHeaderSize, length),
                                      .group_end = group_end});
        if (!visited.ok()) return visited;
      }
      rest.remove_prefix(kGroupMemberHeaderSize + length);
    }
    if (position - record.position < 2) {
      return absl::DataLossError(absl::StrCat("the group record at position ", record.position,
                                              " holds ", position - record.position,
                                              " event(s), not two or more"));
    }
    group_end = position - 1;
  }
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> LastPositionOf(const DecodedRecord& record) {
  uint64_t last = 0;
  absl::Status framed = ForEachEvent(record, [&last](const store::StoredPayload& event) {
    last = event.group_end;
    return absl::OkStatus();
  });
  if (!framed.ok()) return framed;
  return last;
}

uint32_t PeekRecordLength(absl::string_view bytes) { return Get<uint32_t>(bytes.data() + 4); }

uint64_t PeekRecordPosition(absl::string_view bytes) { return Get<uint64_t>(bytes.data() + 9); }

DecodeResult DecodeRecord(absl::string_view bytes, DecodedRecord* record) {
  if (bytes.size() < kRecordHeaderSize) return DecodeResult::kIncomplete;
  const uint32_t length = PeekRecordLength(bytes);
  if (length > kMaxPayloadSize) return DecodeResult::kCorrupt;
  const size_t size = kRecordHeaderSize + length;
  if (bytes.size() < size) return DecodeResult::kIncomplete;
  if (Get<uint32_t>(bytes.data()) != Checksum(bytes.substr(4, size - 4))) {
    return DecodeResult::kCorrupt;
  }
  record->type = Get<uint8_t>(bytes.data() + 8);
  record->position = PeekRecordPosition(bytes);
  record->payload = bytes.substr(kRecordHeaderSize, length);
  record->size = size;
  return DecodeResult::kOk;
}

}  // namespace bank::log
