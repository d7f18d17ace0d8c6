// Runs the real bankctl program against in-process fake services.
#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tests/support/subprocess.h"
#include "tests/tools/fake_bank_server.h"

namespace bank::bankctl::testing {
namespace {

using ::bank::testing::Outcome;
using ::bank::testing::ProgramPath;
using ::bank::testing::Subprocess;
using ::testing::HasSubstr;
using ::testing::StartsWith;

Outcome RunBankctl(const std::vector<std::string>& args) {
  return ::bank::testing::RunToCompletion(ProgramPath("bankctl"), args);
}

// A local port that refuses connections: bound, so nobody else takes it, but
// never listening.
class RefusingPort {
 public:
  RefusingPort() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    socklen_t length = sizeof(addr);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &length);
    port_ = ntohs(addr.sin_port);
  }
  ~RefusingPort() { close(fd_); }
  std::string address() const { return absl::StrCat("127.0.0.1:", port_); }

 private:
  int fd_ = -1;
  int port_ = 0;
};

class BankctlTest : public ::testing::Test {
 protected:
  // bankctl pointed at the fakes, then `args`.
  std::vector<std::string> Args(std::vector<std::string> args) const {
    std::vector<std::string> all = {"--command_service=" + command_server_.address(),
                                    "--query_service=" + query_server_.address()};
    all.insert(all.end(), args.begin(), args.end());
    return all;
  }

  FakeCommandService command_;
  FakeQueryService query_;
  FakeServer command_server_{&command_};
  FakeServer query_server_{&query_};
};

TEST_F(BankctlTest, DepositAndWithdrawPrintBalanceVersionAndPosition) {
  Outcome deposit = RunBankctl(Args({"deposit", "acc1", "100"}));
  EXPECT_EQ(deposit.exit_code, 0) << deposit.err;
  EXPECT_EQ(deposit.out, "acc1: balance 100, version 1, position 1\n");
  EXPECT_EQ(deposit.err, "");

  Outcome withdraw = RunBankctl(Args({"withdraw", "acc1", "40"}));
  EXPECT_EQ(withdraw.exit_code, 0) << withdraw.err;
  EXPECT_EQ(withdraw.out, "acc1: balance 60, version 2, position 2\n");
}

TEST_F(BankctlTest, JsonDepositIsOneObject) {
  Outcome deposit = RunBankctl(Args({"--json", "deposit", "acc1", "100"}));
  EXPECT_EQ(deposit.exit_code, 0) << deposit.err;
  EXPECT_EQ(deposit.out,
            "{\"account_id\":\"acc1\",\"balance\":100,\"version\":1,\"position\":1}\n");
}

TEST_F(BankctlTest, CommandIdAndExpectedVersionAreSentOnlyWhenGiven) {
  ASSERT_EQ(RunBankctl(Args({"deposit", "acc1", "100"})).exit_code, 0);
  ASSERT_TRUE(command_.last_deposit().has_value());
  EXPECT_FALSE(command_.last_deposit()->has_expected_version());
  EXPECT_EQ(command_.last_deposit()->command_id(), "");

  ASSERT_EQ(RunBankctl(Args({"--command_id=c-7", "--expected_version=1", "withdraw", "acc1", "5"}))
                .exit_code,
            0);
  ASSERT_TRUE(command_.last_withdraw().has_value());
  EXPECT_TRUE(command_.last_withdraw()->has_expected_version());
  EXPECT_EQ(command_.last_withdraw()->expected_version(), 1u);
  EXPECT_EQ(command_.last_withdraw()->command_id(), "c-7");
  EXPECT_EQ(command_.last_withdraw()->amount(), 5);
}

TEST_F(BankctlTest, RefusalExitsOneWithCodeAndMessageOnStderr) {
  ASSERT_EQ(RunBankctl(Args({"deposit", "acc1", "40"})).exit_code, 0);
  Outcome overdraw = RunBankctl(Args({"withdraw", "acc1", "100"}));
  EXPECT_EQ(overdraw.exit_code, 1);
  EXPECT_EQ(overdraw.out, "");
  EXPECT_EQ(overdraw.err, "FAILED_PRECONDITION: insufficient funds: balance 40, withdrawal 100\n");
}

TEST_F(BankctlTest, NonPositiveAmountIsSentAndTheServerRefusesIt) {
  Outcome negative = RunBankctl(Args({"withdraw", "acc1", "-5"}));
  EXPECT_EQ(negative.exit_code, 1);
  EXPECT_EQ(negative.err, "INVALID_ARGUMENT: amount must be positive\n");
  ASSERT_TRUE(command_.last_withdraw().has_value());
  EXPECT_EQ(command_.last_withdraw()->amount(), -5);
}

TEST_F(BankctlTest, BalancePrintsTheProjection) {
  Outcome balance = RunBankctl(Args({"balance", "a1"}));
  EXPECT_EQ(balance.exit_code, 0) << balance.err;
  EXPECT_EQ(balance.out, "a1: balance 60 (version 2, last position 3, as of position 9)\n");

  Outcome json = RunBankctl(Args({"--json", "balance", "a1"}));
  EXPECT_EQ(json.out,
            "{\"account_id\":\"a1\",\"balance\":60,\"version\":2,\"last_position\":3,"
            "\"as_of_position\":9}\n");
}

TEST_F(BankctlTest, UnknownAccountIsNotFoundAndExitsOne) {
  Outcome balance = RunBankctl(Args({"balance", "nobody"}));
  EXPECT_EQ(balance.exit_code, 1);
  EXPECT_EQ(balance.err, "NOT_FOUND: no account nobody\n");
}

TEST_F(BankctlTest, AccountsWalksEveryPage) {
  Outcome accounts = RunBankctl(Args({"accounts"}));
  EXPECT_EQ(accounts.exit_code, 0) << accounts.err;
  EXPECT_EQ(accounts.out,
            "a1: balance 60 (version 2, last position 3)\n"
            "a2: balance 50 (version 1, last position 2)\n"
            "a3: balance 0 (version 0, last position 0)\n");
}

TEST_F(BankctlTest, HistoryWalksEveryPage) {
  Outcome history = RunBankctl(Args({"history", "a1"}));
  EXPECT_EQ(history.exit_code, 0) << history.err;
  EXPECT_EQ(history.out,
            "version 1, position 1: deposit 100, balance after 100, command_id c-1\n"
            "version 2, position 3: withdrawal 40, balance after 60\n"
            "version 3, position 7: deposit 5, balance after 65, command_id c-7\n");

  Outcome json = RunBankctl(Args({"--json", "history", "a1"}));
  EXPECT_EQ(json.exit_code, 0) << json.err;
  EXPECT_THAT(json.out,
              StartsWith("{\"version\":1,\"position\":1,\"kind\":\"DEPOSIT\",\"amount\":100,"
                         "\"balance_after\":100,\"command_id\":\"c-1\",\"recorded_at\":null,"
                         "\"principal\":\"\"}\n"));
}

TEST_F(BankctlTest, WatchStreamsFromAfterUntilInterruptedThenExitsZero) {
  Subprocess watch(ProgramPath("bankctl"), Args({"--after=1", "watch"}));
  ASSERT_TRUE(watch.WaitForStdout("position 3")) << watch.Stdout() << watch.Stderr();
  watch.Signal(SIGINT);
  EXPECT_EQ(watch.Wait(), 0) << watch.Stderr();
  EXPECT_EQ(watch.Stdout(),
            "position 2, a2 version 1: deposit 50, at 2024-05-01T12:00:00Z\n"
            "position 3, a1 version 2: withdrawal 40, command_id c-3, at 2024-05-01T12:00:00Z\n");
  EXPECT_EQ(watch.Stderr(), "");
  EXPECT_EQ(command_.last_after_position(), 1u);
}

TEST_F(BankctlTest, JsonWatchShowsHeartbeats) {
  Subprocess watch(ProgramPath("bankctl"), Args({"--json", "--after=2", "watch"}));
  ASSERT_TRUE(watch.WaitForStdout("heartbeat")) << watch.Stdout() << watch.Stderr();
  watch.Signal(SIGTERM);
  EXPECT_EQ(watch.Wait(), 0) << watch.Stderr();
  EXPECT_EQ(watch.Stdout(),
            "{\"position\":3,\"account_id\":\"a1\",\"version\":2,\"kind\":\"WITHDRAWAL\","
            "\"amount\":40,\"command_id\":\"c-3\",\"recorded_at\":\"2024-05-01T12:00:00Z\","
            "\"principal\":\"\"}\n"
            "{\"heartbeat\":true,\"head_position\":3}\n");
}

TEST_F(BankctlTest, HealthOfBothServingExitsZero) {
  Outcome health = RunBankctl(Args({"health"}));
  EXPECT_EQ(health.exit_code, 0) << health.err;
  EXPECT_EQ(health.out, absl::StrCat("command ", command_server_.address(), ": SERVING\nquery ",
                                     query_server_.address(), ": SERVING\n"));
}

TEST_F(BankctlTest, HealthNotServingExitsOne) {
  query_server_.SetServing(false);
  Outcome query = RunBankctl(Args({"--json", "health", "query"}));
  EXPECT_EQ(query.exit_code, 1);
  EXPECT_EQ(query.out, absl::StrCat("{\"service\":\"query\",\"address\":\"",
                                    query_server_.address(), "\",\"status\":\"NOT_SERVING\"}\n"));
  EXPECT_EQ(RunBankctl(Args({"health", "command"})).exit_code, 0);
}

TEST_F(BankctlTest, HealthWithAServiceUnreachableExitsTwo) {
  RefusingPort refusing;
  Outcome health = RunBankctl({"--command_service=" + command_server_.address(),
                               "--query_service=" + refusing.address(), "health"});
  EXPECT_EQ(health.exit_code, 2);
  EXPECT_EQ(health.out, absl::StrCat("command ", command_server_.address(), ": SERVING\n"));
  EXPECT_THAT(health.err, StartsWith(absl::StrCat("query ", refusing.address(), ": UNAVAILABLE")));
}

TEST_F(BankctlTest, ConnectionRefusedExitsTwo) {
  RefusingPort refusing;
  Outcome deposit = RunBankctl({"--command_service=" + refusing.address(), "deposit", "a", "1"});
  EXPECT_EQ(deposit.exit_code, 2);
  EXPECT_EQ(deposit.out, "");
  EXPECT_THAT(deposit.err, StartsWith("UNAVAILABLE: "));

  Outcome watch = RunBankctl({"--command_service=" + refusing.address(), "watch"});
  EXPECT_EQ(watch.exit_code, 2);
  EXPECT_THAT(watch.err, StartsWith("UNAVAILABLE: "));
}

TEST_F(BankctlTest, CommandsGoToTheFirstReplicaThatConnects) {
  RefusingPort refusing;
  const std::string replicas = absl::StrCat(refusing.address(), ",", command_server_.address());
  Outcome deposit = RunBankctl({"--command_service=" + replicas, "deposit", "acc1", "100"});
  EXPECT_EQ(deposit.exit_code, 0) << deposit.err;
  EXPECT_EQ(deposit.out, "acc1: balance 100, version 1, position 1\n");
  ASSERT_TRUE(command_.last_deposit().has_value());

  Subprocess watch(ProgramPath("bankctl"), {"--command_service=" + replicas, "--after=1", "watch"});
  ASSERT_TRUE(watch.WaitForStdout("position 3")) << watch.Stdout() << watch.Stderr();
  watch.Signal(SIGINT);
  EXPECT_EQ(watch.Wait(), 0) << watch.Stderr();
  EXPECT_EQ(command_.last_after_position(), 1u);
}

TEST_F(BankctlTest, HealthNamesTheReplicaThatAnswered) {
  RefusingPort refusing;
  Outcome health =
      RunBankctl({"--command_service=" + refusing.address() + "," + command_server_.address(),
                  "health", "command"});
  EXPECT_EQ(health.exit_code, 0) << health.err;
  EXPECT_EQ(health.out, absl::StrCat("command ", command_server_.address(), ": SERVING\n"));
}

TEST_F(BankctlTest, NoReplicaConnectingExitsTwoNamingEach) {
  RefusingPort first;
  RefusingPort second;
  const std::string replicas = first.address() + "," + second.address();
  Outcome deposit = RunBankctl({"--command_service=" + replicas, "deposit", "a", "1"});
  EXPECT_EQ(deposit.exit_code, 2);
  EXPECT_EQ(deposit.out, "");
  EXPECT_EQ(deposit.err,
            absl::StrCat("UNAVAILABLE: no command service replica answered (", first.address(),
                         " cannot connect; ", second.address(), " cannot connect)\n"));

  Outcome health = RunBankctl({"--command_service=" + replicas, "health", "command"});
  EXPECT_EQ(health.exit_code, 2);
  EXPECT_THAT(health.err,
              StartsWith(absl::StrCat("command ", replicas, ": UNAVAILABLE: no command service")));
}

TEST_F(BankctlTest, MalformedCommandServiceListIsAUsageError) {
  Outcome outcome =
      RunBankctl({"--command_service=" + command_server_.address() + ",", "deposit", "acc1", "1"});
  EXPECT_EQ(outcome.exit_code, 2);
  EXPECT_EQ(outcome.out, "");
  EXPECT_THAT(outcome.err, StartsWith("bankctl: --command_service: address 2 is empty"));
  EXPECT_FALSE(command_.last_deposit().has_value());
}

TEST_F(BankctlTest, SlowAnswerPastTimeoutExitsTwo) {
  Outcome balance = RunBankctl(Args({"--timeout=200ms", "balance", "slow"}));
  EXPECT_EQ(balance.exit_code, 2);
  EXPECT_THAT(balance.err, StartsWith("DEADLINE_EXCEEDED: "));
}

TEST_F(BankctlTest, HelpPrintsTheUsageAndExitsZero) {
  Outcome help = RunBankctl(Args({"--help"}));
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_THAT(help.out, HasSubstr("usage: bankctl"));
  EXPECT_EQ(help.err, "");
}

TEST_F(BankctlTest, UsageErrorsExitTwoWithUsageOnStderr) {
  const std::vector<std::vector<std::string>> bad = {
      {},
      {"deposit", "acc1", "1.50"},
      {"deposit", "acc1"},
      {"balance", "a1", "--json"},
      {"--no_such_flag", "accounts"},
      {"--timeout=soon", "accounts"},
      {"--timeout=0s", "accounts"},
      {"--expected_version=x", "deposit", "a", "1"},
      {"transfer", "a", "b"},
      {"health", "everything"},
  };
  for (const std::vector<std::string>& args : bad) {
    Outcome outcome = RunBankctl(Args(args));
    const std::string shown = absl::StrCat("args: ", args.empty() ? "(none)" : args[0]);
    EXPECT_EQ(outcome.exit_code, 2) << shown;
    EXPECT_EQ(outcome.out, "") << shown;
    EXPECT_THAT(outcome.err, HasSubstr("usage: bankctl")) << shown;
  }
  EXPECT_FALSE(command_.last_deposit().has_value());
}

}  // namespace
}  // namespace bank::bankctl::testing
