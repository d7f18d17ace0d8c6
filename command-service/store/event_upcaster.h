#ifndef BANK_COMMAND_SERVICE_STORE_EVENT_UPCASTER_H_
#define BANK_COMMAND_SERVICE_STORE_EVENT_UPCASTER_H_

#include <array>
#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "bank/v1/event.pb.h"

namespace bank::store {

// The event schema version this release writes. Version 1 is bank.v1.Event
// itself, serialized. Versions count up from 1.
inline constexpr uint8_t kCurrentSchemaVersion = 1;

// A stored event as every store keeps it: the schema version of its payload
// (so its shape is known before a byte of it is parsed), the position the
// store gave it, and the payload's bytes. The file log keeps the version as
// its record type (log_format.h), PostgreSQL in a column. A payload holds
// its position, or none (0) where the store assigns it after the payload is
// made (PostgreSQL, inside the commit's statement). `group_end` is the
// position of the last event of the group it was appended in (its own when
// alone; 0 where the store has not assigned positions yet): both stores keep
// groups, so that a copy from one to the other keeps them too.
struct StoredPayload {
  uint8_t schema_version = kCurrentSchemaVersion;
  uint64_t position = 0;
  absl::string_view payload;
  uint64_t group_end = 0;
};

// The one place where a stored payload becomes a bank.v1.Event, for every
// store: the file log's recovery and reads and PostgreSQL's reads go through
// Upcast(). A table of one decoder per schema version, each turning its shape
// into the current one.
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

  // From now on, payloads of schema version `version` are read with `decode`.
  void Register(uint8_t version, Decoder decode);

  // Decodes `stored` into `event`. FAILED_PRECONDITION when no decoder is
  // registered for its version (the message names the version and the
  // position, and whether a newer release wrote it); DATA_LOSS when the
  // payload is not of its version's shape or holds another position. The
  // event gets the stored position.
  absl::Status Upcast(const StoredPayload& stored, bank::v1::Event* event) const;

 private:
  absl::Status UnreadableVersion(const StoredPayload& stored) const;

  std::array<Decoder, 256> decoders_{};  // by schema version; null: not read
};

}  // namespace bank::store

#endif  // BANK_COMMAND_SERVICE_STORE_EVENT_UPCASTER_H_
