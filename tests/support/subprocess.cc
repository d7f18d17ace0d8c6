#include "tests/support/subprocess.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace bank::testing {
namespace {

std::string MakeTempFile() {
  const char* dir = getenv("TMPDIR");
  std::string path = absl::StrCat(dir != nullptr ? dir : "/tmp", "/bank_test_XXXXXX");
  const int fd = mkstemp(path.data());
  if (fd < 0) throw std::runtime_error("mkstemp failed");
  close(fd);
  return path;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

std::string ProgramPath(absl::string_view name) {
  const char* dir = getenv("BANK_BIN_DIR");
  return absl::StrCat(dir != nullptr ? dir : "build/bin", "/", name);
}

Subprocess::Subprocess(const std::string& program, const std::vector<std::string>& args)
    : out_path_(MakeTempFile()), err_path_(MakeTempFile()) {
  // Everything the child needs is prepared before fork(): between fork and
  // exec a child of a multi-threaded process may only make async-signal-safe calls.
  std::vector<std::string> argv_storage = {program};
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& arg : argv_storage) argv.push_back(arg.data());
  argv.push_back(nullptr);
  const int out_fd = open(out_path_.c_str(), O_WRONLY | O_TRUNC);
  const int err_fd = open(err_path_.c_str(), O_WRONLY | O_TRUNC);
  if (out_fd < 0 || err_fd < 0) throw std::runtime_error("cannot open capture files");

  pid_ = fork();
  if (pid_ == 0) {
    dup2(out_fd, STDOUT_FILENO);
    dup2(err_fd, STDERR_FILENO);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(out_fd);
  close(err_fd);
  if (pid_ < 0) throw std::runtime_error("fork failed");
}

Subprocess::~Subprocess() {
  if (pid_ > 0 && !reaped_) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  unlink(out_path_.c_str());
  unlink(err_path_.c_str());
}

int Subprocess::Wait(absl::Duration limit) {
  const absl::Time deadline = absl::Now() + limit;
  int status = 0;
  while (true) {
    const pid_t done = waitpid(pid_, &status, WNOHANG);
    if (done == pid_) break;
    if (done < 0 || absl::Now() > deadline) return -1;  // the destructor kills it
    absl::SleepFor(absl::Milliseconds(5));
  }
  reaped_ = true;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + WTERMSIG(status);
}

namespace {

bool WaitForText(const std::string& path, absl::string_view text, absl::Duration limit) {
  const absl::Time deadline = absl::Now() + limit;
  while (!absl::StrContains(ReadFile(path), text)) {
    if (absl::Now() > deadline) return false;
    absl::SleepFor(absl::Milliseconds(5));
  }
  return true;
}

}  // namespace

bool Subprocess::WaitForStdout(absl::string_view text, absl::Duration limit) const {
  return WaitForText(out_path_, text, limit);
}

bool Subprocess::WaitForStderr(absl::string_view text, absl::Duration limit) const {
  return WaitForText(err_path_, text, limit);
}

std::string Subprocess::WaitForListenAddress(absl::Duration limit) const {
  return WaitForAddressAfter("listening on ", limit);
}

std::string Subprocess::WaitForMetricsAddress(absl::Duration limit) const {
  return WaitForAddressAfter("serving metrics at http://", limit);
}

std::string Subprocess::WaitForAddressAfter(absl::string_view marker, absl::Duration limit) const {
  if (!WaitForStderr(marker, limit)) return "";
  const std::string err = Stderr();
  const size_t start = err.find(std::string(marker)) + marker.size();
  // HOST:PORT ends at the end of the line, a space ("listening on
  // 127.0.0.1:PORT (TLS)"), a slash (the metrics URL) or a quote (JSON).
  const std::string address = err.substr(start, err.find_first_of(" \n\"/", start) - start);
  return absl::StrCat("127.0.0.1:", address.substr(address.rfind(':') + 1));
}

void Subprocess::Signal(int signal_number) const {
  if (reaped_) return;  // its pid may belong to another process by now
  kill(pid_, signal_number);
}

std::string Subprocess::Stdout() const { return ReadFile(out_path_); }
std::string Subprocess::Stderr() const { return ReadFile(err_path_); }

Outcome RunToCompletion(const std::string& program, const std::vector<std::string>& args) {
  Subprocess process(program, args);
  const int exit_code = process.Wait();
  return {exit_code, process.Stdout(), process.Stderr()};
}

}  // namespace bank::testing
