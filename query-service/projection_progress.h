#ifndef BANK_QUERY_SERVICE_PROJECTION_PROGRESS_H_
#define BANK_QUERY_SERVICE_PROJECTION_PROGRESS_H_

#include <cstdint>

#include "query-service/read_model.h"
#include "query-service/source_status.h"

namespace bank::query {

// How far the projection is behind its source, as GetStatus and the
// bank_projection_* metrics report it.
struct ProjectionProgress {
  uint64_t applied = 0;
  uint64_t source_head = 0;  // never below `applied`
  bool source_connected = false;

  uint64_t lag() const { return source_head - applied; }
};

ProjectionProgress ProgressOf(const ReadModel& store, const SourceStatus& source);

}  // namespace bank::query

#endif  // BANK_QUERY_SERVICE_PROJECTION_PROGRESS_H_
