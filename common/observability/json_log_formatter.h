#ifndef BANK_COMMON_OBSERVABILITY_JSON_LOG_FORMATTER_H_
#define BANK_COMMON_OBSERVABILITY_JSON_LOG_FORMATTER_H_

#include <spdlog/formatter.h>

#include <memory>

namespace bank::log {

// --log_format=json: each line one JSON object, {"ts":"2026-12-06T03:04:05.123456Z",
// "level":"info","msg":"...", then the line's fields (log_fields.h)}. `ts` is
// RFC 3339 in UTC with microseconds; `level` is spdlog's name of the level
// (trace, debug, info, warning, error, critical).
class JsonLogFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& message, spdlog::memory_buf_t& out) override;
  std::unique_ptr<spdlog::formatter> clone() const override;
};

}  // namespace bank::log

#endif  // BANK_COMMON_OBSERVABILITY_JSON_LOG_FORMATTER_H_
