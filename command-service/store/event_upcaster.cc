#include "command-service/store/event_upcaster.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace bank::store {
namespace {

// Version 1 is bank.v1.Event itself, so reading it is a plain parse.
bool DecodeV1(absl::string_view payload, bank::v1::Event* event) {
  return event->ParseFromArray(payload.data(), static_cast<int>(payload.size()));
}

}  // namespace

EventUpcaster::EventUpcaster() { Register(1, DecodeV1); }

void EventUpcaster::Register(uint8_t version, Decoder decode) { decoders_[version] = decode; }

absl::Status EventUpcaster::Upcast(const StoredPayload& stored, bank::v1::Event* event) const {
  const Decoder decode = decoders_[stored.schema_version];
  if (decode == nullptr) return UnreadableVersion(stored);
  event->Clear();
  if (!decode(stored.payload, event) ||
      (event->position() != 0 && event->position() != stored.position)) {
    return absl::DataLossError(absl::StrCat("the event stored at position ", stored.position,
                                            " is not a valid event of schema version ",
                                            stored.schema_version));
  }
  event->set_position(stored.position);
  return absl::OkStatus();
}

absl::Status EventUpcaster::UnreadableVersion(const StoredPayload& stored) const {
  std::vector<int> readable;
  for (size_t version = 0; version < decoders_.size(); ++version) {
    if (decoders_[version] != nullptr) readable.push_back(static_cast<int>(version));
  }
  // Only a version above the one this release writes can be news; one below
  // it with no decoder is damage, or an upcaster a release has lost.
  const bool newer = stored.schema_version > kCurrentSchemaVersion;
  return absl::FailedPreconditionError(absl::StrCat(
      "the event at position ", stored.position, " has schema version ", stored.schema_version,
      newer ? ", from a newer release" : "", "; this release reads versions ",
      absl::StrJoin(readable, ", "), newer ? ": run a newer release" : ""));
}

}  // namespace bank::store
