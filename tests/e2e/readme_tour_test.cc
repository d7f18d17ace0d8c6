// Runs the bankctl tour in README.md (between the tour markers) against fresh
// services and compares every printed line, so the README stays true.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "bank/v1/query_service.grpc.pb.h"
#include "tests/e2e/running_service.h"

namespace bank {
namespace {

using ::bank::testing::ProgramPath;
using ::bank::testing::RunningService;
using ::bank::testing::RunToCompletion;

struct TourStep {
  std::vector<std::string> args;  // after "bankctl"
  std::string expected;           // stdout and stderr, one line each
};

std::vector<TourStep> ReadTour() {
  // BANK_README overrides the path, to check that a wrong line is caught.
  const char* override_path = getenv("BANK_README");
  std::ifstream readme(override_path != nullptr ? override_path : BANK_SOURCE_DIR "/README.md");
  std::stringstream text;
  text << readme.rdbuf();
  const std::string all = text.str();
  const size_t begin = all.find("<!-- tour:begin -->");
  const size_t end = all.find("<!-- tour:end -->");
  EXPECT_NE(begin, std::string::npos);
  EXPECT_NE(end, std::string::npos);
  std::vector<TourStep> steps;
  for (absl::string_view line : absl::StrSplit(all.substr(begin, end - begin), '\n')) {
    if (absl::ConsumePrefix(&line, "$ bankctl")) {
      steps.push_back({absl::StrSplit(line, ' ', absl::SkipEmpty()), ""});
    } else if (!steps.empty() && !line.empty() && !absl::StartsWith(line, "```")) {
      absl::StrAppend(&steps.back().expected, line, "\n");
    }
  }
  return steps;
}

// Timestamps (bankctl ends a line with ", at TIME") differ from run to run.
std::string WithoutTimes(const std::string& text) {
  std::string out;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    const size_t at = line.find(", at ");
    absl::StrAppend(&out, at == absl::string_view::npos ? line : line.substr(0, at), "\n");
  }
  return out;
}

class ReadmeTourTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string root = ::testing::TempDir() + "/tour." + std::to_string(::getpid());
    std::filesystem::remove_all(root);
    command_ = std::make_unique<RunningService>(
        "command-service", std::vector<std::string>{"--data_dir=" + root + "/command"});
    query_ = std::make_unique<RunningService>(
        "query-service", std::vector<std::string>{"--data_dir=" + root + "/query",
                                                  "--command_service=" + command_->address()});
  }

  // The reads in the tour are typed by a person, slower than the projection;
  // a test is not, so it waits for the projection to catch up first.
  void WaitForProjection() {
    auto stub = bank::v1::QueryService::NewStub(query_->channel());
    const absl::Time deadline = absl::Now() + absl::Seconds(10);
    while (absl::Now() < deadline) {
      bank::v1::ProjectionStatus status;
      grpc::ClientContext context;
      if (stub->GetStatus(&context, {}, &status).ok() && status.source_connected() &&
          status.applied_position() == status.source_head_position()) {
        return;
      }
      absl::SleepFor(absl::Milliseconds(5));
    }
    ADD_FAILURE() << "the projection did not catch up";
  }

  std::unique_ptr<RunningService> command_;
  std::unique_ptr<RunningService> query_;
};

TEST_F(ReadmeTourTest, EveryCommandPrintsWhatTheReadmeShows) {
  const std::vector<TourStep> steps = ReadTour();
  ASSERT_GE(steps.size(), 5u);
  for (const TourStep& step : steps) {
    std::vector<std::string> args = {"--command_service=" + command_->address(),
                                     "--query_service=" + query_->address()};
    args.insert(args.end(), step.args.begin(), step.args.end());
    WaitForProjection();
    auto outcome = RunToCompletion(ProgramPath("bankctl"), args);
    const std::string printed = absl::StrReplaceAll(
        outcome.out + outcome.err,
        {{command_->address(), "127.0.0.1:50051"}, {query_->address(), "127.0.0.1:50052"}});
    EXPECT_EQ(WithoutTimes(printed), WithoutTimes(step.expected))
        << "bankctl " << absl::StrJoin(step.args, " ");
  }
}

}  // namespace
}  // namespace bank
