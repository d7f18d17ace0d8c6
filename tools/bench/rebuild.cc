#include "tools/bench/rebuild.h"

#include "absl/strings/str_cat.h"
#include "bank/v1/query_service.grpc.pb.h"

namespace bank::bench {

double RebuildResult::EventsPerSecond() const {
  const double seconds = absl::ToDoubleSeconds(elapsed);
  return seconds > 0 ? static_cast<double>(head - first_applied) / seconds : 0.0;
}

absl::StatusOr<RebuildResult> MeasureRebuild(const std::shared_ptr<grpc::Channel>& query_channel,
                                             uint64_t head, absl::Duration interval,
                                             absl::Duration timeout) {
  auto stub = bank::v1::QueryService::NewStub(query_channel);
  RebuildResult result;
  result.head = head;
  const absl::Time start = absl::Now();
  absl::Time first_answer = absl::InfinitePast();
  uint64_t applied = 0;
  while (absl::Now() - start < timeout) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
    bank::v1::GetStatusRequest request;
    bank::v1::ProjectionStatus status;
    if (stub->GetStatus(&context, request, &status).ok()) {
      const absl::Time now = absl::Now();
      applied = status.applied_position();
      if (first_answer == absl::InfinitePast()) {
        first_answer = now;
        result.first_applied = applied;
      }
      if (applied >= head) {
        result.elapsed = now - first_answer;
        result.total = now - start;
        return result;
      }
    }
    absl::SleepFor(interval);
  }
  return absl::DeadlineExceededError(absl::StrCat("applied_position ", applied, " after ",
                                                  absl::FormatDuration(timeout), ", waiting for ",
                                                  head));
}

}  // namespace bank::bench
