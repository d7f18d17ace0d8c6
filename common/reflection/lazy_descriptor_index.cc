#include "common/reflection/lazy_descriptor_index.h"

namespace bank::reflection {

std::shared_ptr<const DescriptorIndex> LazyDescriptorIndex::Get() {
  absl::MutexLock lock(&mu_);
  if (index_ == nullptr) index_ = std::make_shared<const DescriptorIndex>(services_->Names());
  return index_;
}

}  // namespace bank::reflection
