#include "query-service/backoff.h"

#include <algorithm>

namespace bank::query {

absl::Duration Backoff::Next() {
  absl::Duration ceiling = options_.initial;
  for (int i = 0; i < attempt_ && ceiling < options_.max; ++i) ceiling *= options_.multiplier;
  ceiling = std::min(ceiling, options_.max);
  ++attempt_;
  const double fraction = absl::Uniform(random_, 0.5, 1.0);
  return ceiling * fraction;
}

}  // namespace bank::query
