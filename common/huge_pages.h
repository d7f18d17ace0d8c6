#ifndef BANK_COMMON_HUGE_PAGES_H_
#define BANK_COMMON_HUGE_PAGES_H_

#include <cstddef>
#include <memory>
#include <vector>

namespace bank {

// Big tables on 2 MiB pages. With transparent huge pages in `madvise` mode
// (Debian's default), an anonymous mapping is backed 4 KiB at a time, each
// page on its first touch, and on the VMs measured here a fault costs about
// 10 us: first-touching a 32 MB table took 80 ms of a start-up. Advised, the
// same table takes 16 faults (bench/HISTORY.md, "Huge pages").
//
// Asks for the whole 2 MiB pages within [data, data + bytes) to be huge ones,
// before they are touched. Only advice: a kernel with THP off ignores it.
void AdviseHugePages(const void* data, size_t bytes);

// Reserves room for `count` in an empty `vector`, advised as above.
template <typename T, typename Allocator>
void ReserveOnHugePages(std::vector<T, Allocator>& vector, size_t count) {
  vector.reserve(count);
  AdviseHugePages(vector.data(), vector.capacity() * sizeof(T));
}

// Allocations from this size up get the advice. malloc maps each of them on
// its own (main.cc sets M_MMAP_THRESHOLD to 4 MiB), so the advice never
// reaches memory another allocation shares.
inline constexpr size_t kHugePageAdviceBytes = 4 << 20;

// std::allocator, advising huge pages for allocations of
// kHugePageAdviceBytes or more: for the hash tables and vectors that grow to
// millions of entries.
template <typename T>
struct HugePageAllocator {
  using value_type = T;

  HugePageAllocator() = default;
  template <typename U>
  explicit HugePageAllocator(const HugePageAllocator<U>&) {}

  T* allocate(size_t count) {
    T* data = std::allocator<T>().allocate(count);
    if (count * sizeof(T) >= kHugePageAdviceBytes) AdviseHugePages(data, count * sizeof(T));
    return data;
  }
  void deallocate(T* data, size_t count) { std::allocator<T>().deallocate(data, count); }

  template <typename U>
  bool operator==(const HugePageAllocator<U>&) const {
    return true;
  }
};

}  // namespace bank

#endif  // BANK_COMMON_HUGE_PAGES_H_
