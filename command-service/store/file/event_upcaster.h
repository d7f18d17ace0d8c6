#ifndef BANK_COMMAND_SERVICE_STORE_FILE_EVENT_UPCASTER_H_
#define BANK_COMMAND_SERVICE_STORE_FILE_EVENT_UPCASTER_H_

#include <array>
#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "bank/v1/event.pb.h"
#include "command-service/store/file/record_codec.h"

namespace bank::log {

// The one place where an event record becomes a bank.v1.Event: recovery and
// every read (ReadAfter, so Subscribe) go through Upcast(). An event record's
// type is the schema version of its payload (log_format.h); this is a table
// of one decoder per version, each turning its shape into the current one.
//
// A default-constructed upcaster reads exactly the versions that releases
// have written: version 1 only, today. Register() adds a version, which is
// how a later release reads the shape it replaced, and how tests exercise the
// seam with a hand-made shape. docs/event-log-format.md says how to add one.
//
// Set up before use, then read-only: Upcast() is thread-safe. Copyable.
class EventUpcaster {
 public:
  // Fills `event`, empty on entry, from a payload of one schema version. False
  // when the payload is not of that shape.
  using Decoder = bool (*)(absl::string_view payload, bank::v1::Event* event);

  EventUpcaster();

  // From now on, records of schema version `version` are read with `decode`.
  // Readers skip records whose type has kSkippableTypeBit, so such a version
  // is never looked up.
  void Register(uint8_t version, Decoder decode);

  // Decodes the event record `record` into `event`. FAILED_PRECONDITION when
  // no decoder is registered for its version (the message names the version
  // and the record's position, and whether a newer release wrote it);
  // DATA_LOSS when the payload is not of its version's shape or holds another
  // position than the record.
  absl::Status Upcast(const DecodedRecord& record, bank::v1::Event* event) const;

 private:
  absl::Status UnreadableVersion(const DecodedRecord& record) const;

  std::array<Decoder, 256> decoders_{};  // by schema version; null: not read
};

}  // namespace bank::log

#endif  // BANK_COMMAND_SERVICE_STORE_FILE_EVENT_UPCASTER_H_
