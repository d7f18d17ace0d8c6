#include "command-service/store/file/event_upcaster.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "command-service/store/file/log_format.h"

namespace bank::log {
namespace {

// Version 1 is bank.v1.Event itself, so reading it is a plain parse.
bool DecodeV1(absl::string_view payload, bank::v1::Event* event) {
  return event->ParseFromArray(payload.data(), static_cast<int>(payload.size()));
}

}  // namespace

EventUpcaster::EventUpcaster() { Register(static_cast<uint8_t>(RecordType::kEventV1), DecodeV1); }

void EventUpcaster::Register(uint8_t version, Decoder decode) { decoders_[version] = decode; }

absl::Status EventUpcaster::Upcast(const DecodedRecord& record, bank::v1::Event* event) const {
  const Decoder decode = decoders_[record.type];
  if (decode == nullptr) return UnreadableVersion(record);
  event->Clear();
  if (!decode(record.payload, event) || event->position() != record.position) {
    return absl::DataLossError(absl::StrCat("the record at position ", record.position,
                                            " holds no valid event of schema version ", record.type,
                                            " despite a good checksum"));
  }
  return absl::OkStatus();
}

absl::Status EventUpcaster::UnreadableVersion(const DecodedRecord& record) const {
  std::vector<int> readable;
  for (size_t version = 0; version < decoders_.size(); ++version) {
    if (decoders_[version] != nullptr) readable.push_back(static_cast<int>(version));
  }
  // Only a version above the one this release writes can be news; one below
  // it with no decoder is damage, or an upcaster a release has lost.
  const bool newer = record.type > static_cast<uint8_t>(kCurrentEventType);
  return absl::FailedPreconditionError(
      absl::StrCat("the event at position ", record.position, " has schema version ", record.type,
                   newer ? ", from a newer release" : "", "; this release reads versions ",
                   absl::StrJoin(readable, ", "), newer ? ": run a newer release" : ""));
}

}  // namespace bank::log
