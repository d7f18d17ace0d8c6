#include "common/crc32c.h"

#include <array>
#include <cstring>

namespace bank {
namespace {

constexpr uint32_t kPolynomial = 0x82f63b78;  // Castagnoli, bit-reversed.

constexpr std::array<uint32_t, 256> MakeTable() {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t crc = i;
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ ((crc & 1) ? kPolynomial : 0);
    table[i] = crc;
  }
  return table;
}

constexpr std::array<uint32_t, 256> kTable = MakeTable();

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) uint32_t ExtendSse42(uint32_t crc, std::string_view data) {
  uint64_t state = ~crc;
  const char* p = data.data();
  size_t n = data.size();
  for (; n >= 8; p += 8, n -= 8) {
    uint64_t word;
    std::memcpy(&word, p, sizeof(word));
    state = __builtin_ia32_crc32di(state, word);
  }
  uint32_t state32 = static_cast<uint32_t>(state);
  for (; n > 0; ++p, --n) state32 = __builtin_ia32_crc32qi(state32, static_cast<uint8_t>(*p));
  return ~state32;
}

bool CpuHasSse42() {
  static const bool has = __builtin_cpu_supports("sse4.2");
  return has;
}
#endif

}  // namespace

uint32_t Crc32cExtendPortable(uint32_t crc, std::string_view data) {
  uint32_t state = ~crc;
  for (unsigned char c : data) state = kTable[(state ^ c) & 0xff] ^ (state >> 8);
  return ~state;
}

uint32_t Crc32cExtend(uint32_t crc, std::string_view data) {
#if defined(__x86_64__)
  if (CpuHasSse42()) return ExtendSse42(crc, data);
#endif
  return Crc32cExtendPortable(crc, data);
}

}  // namespace bank
