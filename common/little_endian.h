#ifndef BANK_COMMON_LITTLE_ENDIAN_H_
#define BANK_COMMON_LITTLE_ENDIAN_H_

#include <cstring>
#include <string>

namespace bank {

// The on-disk formats (the event log's, the snapshots') are little-endian on
// every host; x86-64 and arm64 are too, so a memcpy is the whole conversion
// (static_assert keeps us honest).
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the disk formats are little-endian");

// Appends `value`'s bytes to `out`.
template <typename T>
void PutLittleEndian(std::string* out, T value) {
  char bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));
  out->append(bytes, sizeof(T));
}

// The value whose bytes start at `p` (unaligned is fine).
template <typename T>
T GetLittleEndian(const char* p) {
  T value;
  std::memcpy(&value, p, sizeof(T));
  return value;
}

}  // namespace bank

#endif  // BANK_COMMON_LITTLE_ENDIAN_H_
