#ifndef BANK_COMMON_VARINT_H_
#define BANK_COMMON_VARINT_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace bank {

// Unsigned LEB128, as protobuf writes its varints: seven bits a byte, the
// lowest first, the top bit set on every byte but the last. Small numbers take
// one byte, 2^64 - 1 takes ten.
inline constexpr size_t kMaxVarintBytes = 10;

// Appends `value` in its shortest form.
void PutVarint(std::string* out, uint64_t value);

// Reads a varint from the front of `*bytes` into `*value` and removes it.
// False, with both left as they were, when the bytes end inside it, or it is
// not the shortest form of its value (so that every value has one encoding
// and a decoded file re-encodes to its own bytes), or it does not fit in 64
// bits.
bool GetVarint(absl::string_view* bytes, uint64_t* value);

}  // namespace bank

#endif  // BANK_COMMON_VARINT_H_
