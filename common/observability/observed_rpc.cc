#include "common/observability/observed_rpc.h"

#include <vector>

#include "absl/status/status.h"
#include "common/observability/trace_context.h"

namespace bank {
namespace {

// Codes that mean the service, not the request, went wrong.
bool IsServiceFailure(grpc::StatusCode code) {
  return code == grpc::StatusCode::INTERNAL || code == grpc::StatusCode::UNKNOWN ||
         code == grpc::StatusCode::DATA_LOSS;
}

}  // namespace

ObservedRpc::Call ObservedRpc::Begin(const grpc::ServerContextBase& context) const {
  return {.received = std::chrono::steady_clock::now(), .trace_id = log::TraceIdOf(context)};
}

void ObservedRpc::End(const Call& call, const grpc::Status& status,
                      absl::Span<const log::Field> fields) const {
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - call.received;
  if (metrics_ != nullptr) metrics_->Record(status.error_code(), elapsed.count());
  const spdlog::level::level_enum level =
      IsServiceFailure(status.error_code()) ? spdlog::level::err : spdlog::level::debug;
  if (!spdlog::default_logger_raw()->should_log(level)) return;
  std::vector<log::Field> all = {
      {"rpc", name_},
      {"code", absl::StatusCodeToString(static_cast<absl::StatusCode>(status.error_code()))},
      {"micros", static_cast<uint64_t>(elapsed.count() * 1e6)},
  };
  all.insert(all.end(), fields.begin(), fields.end());
  if (!status.ok()) all.emplace_back("error", status.error_message());
  if (!call.trace_id.empty()) all.emplace_back("trace_id", call.trace_id);
  log::Write(level, "answered", all);
}

}  // namespace bank
