#ifndef BANK_COMMON_REFLECTION_LAZY_DESCRIPTOR_INDEX_H_
#define BANK_COMMON_REFLECTION_LAZY_DESCRIPTOR_INDEX_H_

#include <memory>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "common/reflection/descriptor_index.h"
#include "common/registered_services.h"

namespace bank::reflection {

// The DescriptorIndex of one server's services, built by the first Get():
// the server's list of services is complete only once it takes calls, after
// the reflection services were registered. `services` must outlive this.
// Thread-safe.
class LazyDescriptorIndex {
 public:
  explicit LazyDescriptorIndex(const RegisteredServices* services) : services_(services) {}

  std::shared_ptr<const DescriptorIndex> Get();

 private:
  const RegisteredServices* services_;
  absl::Mutex mu_;
  std::shared_ptr<const DescriptorIndex> index_ ABSL_GUARDED_BY(mu_);
};

}  // namespace bank::reflection

#endif  // BANK_COMMON_REFLECTION_LAZY_DESCRIPTOR_INDEX_H_
