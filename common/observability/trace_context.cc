#include "common/observability/trace_context.h"

#include "absl/strings/ascii.h"

namespace bank::log {
namespace {

bool IsLowerHex(absl::string_view text) {
  for (const char c : text) {
    if (!absl::ascii_isdigit(c) && (c < 'a' || c > 'f')) return false;
  }
  return true;
}

}  // namespace

std::string TraceIdOf(absl::string_view traceparent) {
  // Version 00 is exactly 55 characters. A later version may append fields
  // after the flags; its first four read the same.
  constexpr size_t kVersion00Size = 55;
  if (traceparent.size() < kVersion00Size) return "";
  const absl::string_view version = traceparent.substr(0, 2);
  const absl::string_view trace_id = traceparent.substr(3, 32);
  const absl::string_view parent_id = traceparent.substr(36, 16);
  const absl::string_view flags = traceparent.substr(53, 2);
  if (traceparent[2] != '-' || traceparent[35] != '-' || traceparent[52] != '-') return "";
  if (!IsLowerHex(version) || version == "ff") return "";
  if (version == "00" && traceparent.size() != kVersion00Size) return "";
  if (version != "00" && traceparent.size() > kVersion00Size && traceparent[55] != '-') return "";
  if (!IsLowerHex(trace_id) || !IsLowerHex(parent_id) || !IsLowerHex(flags)) return "";
  if (trace_id == std::string(32, '0') || parent_id == std::string(16, '0')) return "";
  return std::string(trace_id);
}

std::string TraceIdOf(const grpc::ServerContextBase& context) {
  const auto& metadata = context.client_metadata();
  const auto found = metadata.find("traceparent");
  if (found == metadata.end()) return "";
  return TraceIdOf(absl::string_view(found->second.data(), found->second.size()));
}

}  // namespace bank::log
