#ifndef BANK_TESTS_SUPPORT_SUBPROCESS_H_
#define BANK_TESTS_SUPPORT_SUBPROCESS_H_

#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace bank::testing {

// A program of ours under test: $BANK_BIN_DIR/NAME (bank_test sets it).
std::string ProgramPath(absl::string_view name);

// A child process running `program` with `args`, its stdout and stderr
// captured in temporary files. Not thread-safe.
class Subprocess {
 public:
  Subprocess(const std::string& program, const std::vector<std::string>& args);
  // Kills the child if it still runs, and removes the capture files.
  ~Subprocess();

  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;

  // Waits for the child to end, at most `limit` (then kills it and returns
  // -1). The exit status, or 128 + signal number if a signal ended it.
  int Wait(absl::Duration limit = absl::Seconds(30));

  // Polls stdout (stderr) until it contains `text`, at most `limit`.
  bool WaitForStdout(absl::string_view text, absl::Duration limit = absl::Seconds(10)) const;
  bool WaitForStderr(absl::string_view text, absl::Duration limit = absl::Seconds(10)) const;

  // Waits for a service's "listening on HOST:PORT" line (with TLS, "listening
  // on HOST:PORT (TLS)"; in either --log_format) and returns
  // "127.0.0.1:PORT", or "" if it never came.
  std::string WaitForListenAddress(absl::Duration limit = absl::Seconds(20)) const;
  // The same for its "serving metrics at http://HOST:PORT/metrics" line.
  std::string WaitForMetricsAddress(absl::Duration limit = absl::Seconds(20)) const;

  // The child's pid, e.g. to read /proc/PID/status.
  pid_t pid() const { return pid_; }

  // Does nothing once Wait() has reaped the child.
  void Signal(int signal_number) const;

  std::string Stdout() const;
  std::string Stderr() const;

 private:
  // The port after the first `marker` on stderr, as "127.0.0.1:PORT".
  std::string WaitForAddressAfter(absl::string_view marker, absl::Duration limit) const;

  pid_t pid_ = -1;
  bool reaped_ = false;
  std::string out_path_;
  std::string err_path_;
};

struct Outcome {
  int exit_code;
  std::string out;
  std::string err;
};

// Runs `program` with `args` to completion.
Outcome RunToCompletion(const std::string& program, const std::vector<std::string>& args);

}  // namespace bank::testing

#endif  // BANK_TESTS_SUPPORT_SUBPROCESS_H_
