#include "query-service/source_status.h"

#include <algorithm>

namespace bank::query {

void SourceStatus::SetConnected(bool connected) {
  absl::MutexLock lock(&mu_);
  connected_ = connected;
}

void SourceStatus::ObserveHead(uint64_t head) {
  absl::MutexLock lock(&mu_);
  head_ = std::max(head_, head);
}

bool SourceStatus::connected() const {
  absl::MutexLock lock(&mu_);
  return connected_;
}

uint64_t SourceStatus::head() const {
  absl::MutexLock lock(&mu_);
  return head_;
}

}  // namespace bank::query
