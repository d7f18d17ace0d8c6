#ifndef BANK_COMMAND_SERVICE_STORE_FILE_LOG_FORMAT_H_
#define BANK_COMMAND_SERVICE_STORE_FILE_LOG_FORMAT_H_

// The on-disk format of the event log, shared by the writer, the reader and
// recovery. docs/event-log-format.md draws it and gives the reasons.
//
// A log is a directory of segment files named by their first position
// (00000000000000000001.log). Each segment is a header and then records:
//
//   header (32 bytes, little-endian)
//     magic "BANKLOG\n" (8) | format version u32 | flags u32 (0)
//     | base position u64 | reserved u32 (0) | crc32c of bytes [0, 28) u32
//
//   record (17-byte header + payload)
//     crc32c u32 | payload length u32 | type u8 | position u64 | payload
//     The crc covers everything after itself: length, type, position, payload.
//
//   group record payload (type kEventGroup): two or more events, each
//     schema version u8 | event length u32 | event
//     at consecutive positions from the record's.

#include <cstddef>
#include <cstdint>

#include "command-service/store/event_upcaster.h"

namespace bank::log {

inline constexpr char kSegmentMagic[8] = {'B', 'A', 'N', 'K', 'L', 'O', 'G', '\n'};
inline constexpr uint32_t kFormatVersion = 1;
inline constexpr size_t kSegmentHeaderSize = 32;
inline constexpr size_t kRecordHeaderSize = 17;

// Payloads are single events of a few dozen bytes, or the few events of a
// group; a larger length field can only be damage, so recovery never trusts
// one.
inline constexpr uint32_t kMaxPayloadSize = 1 << 20;

// Record types. A reader skips a type it does not know only when the type has
// kSkippableTypeBit set; any other unknown type stops it, so a newer writer can
// add optional records without breaking older readers.
//
// Every other type below kEventGroup is an event record, and the type is the
// schema version of its payload: which shape of event the bytes hold. The
// payload's shape is known before a byte of it is parsed, and EventUpcaster
// turns every version this release reads into the current bank.v1.Event.
// Versions count up from 1; types that are not events and that readers must
// not skip count down from 0x7f.
enum class RecordType : uint8_t {
  kEventV1 = 1,  // payload: a serialized bank.v1.Event
  // The events of one group (a transfer's two legs) in one record: one
  // checksum covers them all, so a torn write keeps all of them or none. A
  // group of one event is written as a plain event record. An older release
  // stops at it, naming "schema version 127" from a newer release.
  kEventGroup = 0x7f,
};
inline constexpr uint8_t kSkippableTypeBit = 0x80;

// A group member's frame: schema version u8 | event length u32.
inline constexpr size_t kGroupMemberHeaderSize = 5;

// The event schema version the writer writes.
inline constexpr RecordType kCurrentEventType = RecordType::kEventV1;
static_assert(static_cast<uint8_t>(kCurrentEventType) == store::kCurrentSchemaVersion,
              "an event record's type is the schema version of its payload");

}  // namespace bank::log

#endif  // BANK_COMMAND_SERVICE_STORE_FILE_LOG_FORMAT_H_
