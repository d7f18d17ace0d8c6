#include "common/varint.h"

namespace bank {

void PutVarint(std::string* out, uint64_t value) {
  while (value >= 0x80) {
    out->push_back(static_cast<char>(value | 0x80));
    value >>= 7;
  }
  out->push_back(static_cast<char>(value));
}

bool GetVarint(absl::string_view* bytes, uint64_t* value) {
  uint64_t result = 0;
  for (size_t i = 0; i < bytes->size() && i < kMaxVarintBytes; ++i) {
    const auto byte = static_cast<uint8_t>((*bytes)[i]);
    const uint64_t bits = byte & 0x7f;
    // The tenth byte holds bit 63 alone; more would not fit.
    if (i == kMaxVarintBytes - 1 && bits > 1) return false;
    result |= bits << (7 * i);
    if ((byte & 0x80) == 0) {
      // A last byte of zero after others only pads: not the shortest form.
      if (i > 0 && byte == 0) return false;
      *value = result;
      bytes->remove_prefix(i + 1);
      return true;
    }
  }
  return false;
}

}  // namespace bank
