#include "query-service/projection_progress.h"

#include <algorithm>

namespace bank::query {

ProjectionProgress ProgressOf(const ReadModel& store, const SourceStatus& source) {
  // Applied first: the head read after it can only be newer, and the max()
  // keeps "never below applied" even before any heartbeat.
  const uint64_t applied = store.applied_position();
  return {.applied = applied,
          .source_head = std::max(applied, source.head()),
          .source_connected = source.connected()};
}

}  // namespace bank::query
