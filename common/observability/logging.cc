#include "common/observability/logging.h"

#include <google/protobuf/stubs/logging.h>
#include <grpc/support/log.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/observability/json_log_formatter.h"
#include "common/observability/log_fields.h"

namespace bank {
namespace {

spdlog::level::level_enum LevelOfGrpc(gpr_log_severity severity) {
  switch (severity) {
    case GPR_LOG_SEVERITY_DEBUG:
      return spdlog::level::debug;
    case GPR_LOG_SEVERITY_INFO:
      return spdlog::level::info;
    case GPR_LOG_SEVERITY_ERROR:
      return spdlog::level::err;
  }
  return spdlog::level::err;
}

spdlog::level::level_enum LevelOfProtobuf(google::protobuf::LogLevel level) {
  switch (level) {
    case google::protobuf::LOGLEVEL_INFO:
      return spdlog::level::info;
    case google::protobuf::LOGLEVEL_WARNING:
      return spdlog::level::warn;
    case google::protobuf::LOGLEVEL_ERROR:
      return spdlog::level::err;
    case google::protobuf::LOGLEVEL_FATAL:
      return spdlog::level::critical;
  }
  return spdlog::level::err;
}

// gRPC still filters by GRPC_VERBOSITY (errors only by default) before this.
void RouteGrpcLine(gpr_log_func_args* args) {
  log::Write(LevelOfGrpc(args->severity), args->message,
             {{"source", "grpc"}, {"file", absl::StrCat(args->file, ":", args->line)}});
}

void RouteProtobufLine(google::protobuf::LogLevel level, const char* filename, int line,
                       const std::string& message) {
  log::Write(LevelOfProtobuf(level), message,
             {{"source", "protobuf"}, {"file", absl::StrCat(filename, ":", line)}});
}

}  // namespace

absl::Status SetUpLogging(absl::string_view level, absl::string_view format) {
  const spdlog::level::level_enum parsed = spdlog::level::from_str(std::string(level));
  // from_str answers "off" for any name it does not know.
  if (parsed == spdlog::level::off && level != "off") {
    return absl::InvalidArgumentError(absl::StrCat(
        "--log_level=", level, " is not one of trace, debug, info, warn, error, critical, off"));
  }
  if (format != "text" && format != "json") {
    return absl::InvalidArgumentError(
        absl::StrCat("--log_format=", format, " is not one of text, json"));
  }
  auto logger = spdlog::stderr_logger_mt("bank");
  if (format == "json") {
    logger->set_formatter(std::make_unique<log::JsonLogFormatter>());
  } else {
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%fZ %^%l%$ %v", spdlog::pattern_time_type::utc);
  }
  log::SetFieldsAsJson(format == "json");
  logger->set_level(parsed);
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
  gpr_set_log_function(RouteGrpcLine);
  google::protobuf::SetLogHandler(RouteProtobufLine);
  return absl::OkStatus();
}

}  // namespace bank
