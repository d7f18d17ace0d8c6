#ifndef BANK_COMMON_CRC32C_H_
#define BANK_COMMON_CRC32C_H_

#include <cstdint>
#include <string_view>

namespace bank {

// CRC-32C (Castagnoli, RFC 3720), the checksum of every log record. Uses the
// SSE4.2 crc32 instruction when the CPU has it and a lookup table otherwise;
// both give identical results. Thread-safe.
//
// Extend() continues a checksum: Crc32c(ab) == Crc32cExtend(Crc32c(a), b).
uint32_t Crc32cExtend(uint32_t crc, std::string_view data);

inline uint32_t Crc32c(std::string_view data) { return Crc32cExtend(0, data); }

// The portable table implementation, exposed so tests can compare both paths.
uint32_t Crc32cExtendPortable(uint32_t crc, std::string_view data);

}  // namespace bank

#endif  // BANK_COMMON_CRC32C_H_
