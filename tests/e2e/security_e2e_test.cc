// CONTRACT.md "Security" end to end: the real command-service, query-service
// and bankctl with TLS and mutual TLS (on certificates scripts/dev-certs.sh
// makes) and with tokens. Each case asserts what the contract promises a
// client: the code a call gets, that a refused call records nothing, the
// principal recorded, and what start-up refuses or warns about.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "bank/v1/command_service.grpc.pb.h"
#include "bank/v1/query_service.grpc.pb.h"
#include "tests/e2e/reflection_client.h"
#include "tests/e2e/running_service.h"
#include "tests/e2e/security_setup.h"
#include "tests/support/dev_certs.h"
#include "tests/support/subprocess.h"

namespace bank {
namespace {

using ::bank::testing::ClientTls;
using ::bank::testing::Deposit;
using ::bank::testing::DevCertsTest;
using ::bank::testing::GetBalance;
using ::bank::testing::GetHistory;
using ::bank::testing::GetStatus;
using ::bank::testing::HealthOf;
using ::bank::testing::ListAccounts;
using ::bank::testing::LogRead;
using ::bank::testing::Outcome;
using ::bank::testing::PrincipalsOf;
using ::bank::testing::ProgramPath;
using ::bank::testing::ReflectionStream;
using ::bank::testing::RunningService;
using ::bank::testing::RunToCompletion;
using ::bank::testing::ServerTlsFlags;
using ::bank::testing::Subprocess;
using ::bank::testing::Subscribe;
using ::bank::testing::TokensLine;
using ::bank::testing::Transfer;
using ::bank::testing::Withdraw;
using ::bank::testing::WriteText;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using Channel = std::shared_ptr<grpc::Channel>;

constexpr int kServing = grpc::health::v1::HealthCheckResponse::SERVING;

// The callers of every test's tokens file.
struct Caller {
  const char* name;
  const char* roles;
  const char* token;

  bool Has(absl::string_view role) const {
    for (absl::string_view mine : absl::StrSplit(roles, ',')) {
      if (mine == role) return true;
    }
    return false;
  }
};
constexpr Caller kTeller = {"teller", "write", "teller-7f3a9c2e51d04b68"};
constexpr Caller kClerk = {"clerk", "write", "clerk-0b6e4d1a93c2f587"};
constexpr Caller kAuditor = {"auditor", "read", "auditor-c41f8a2d6e9b0375"};
constexpr Caller kFollower = {"follower", "subscribe", "follower-5d2c7e08b1a4f963"};
constexpr Caller kCallers[] = {kTeller, kClerk, kAuditor, kFollower};
// A token no line has.
constexpr char kUnknownToken[] = "stranger-9e8d7c6b5a493827";

std::vector<std::string> HistoryPrincipals(const Channel& query, const std::string& account) {
  bank::v1::GetHistoryResponse history;
  const grpc::Status status = GetHistory(query, kAuditor.token, account, &history);
  EXPECT_TRUE(status.ok()) << status.error_code() << " " << status.error_message();
  std::vector<std::string> names;
  for (const bank::v1::Transaction& transaction : history.transactions()) {
    names.push_back(transaction.principal());
  }
  return names;
}

// A program run by a test: like RunningService, a sanitizer's report fails it.
void ExpectNoSanitizerReport(const std::string& err) {
  EXPECT_FALSE(absl::StrContains(err, "Sanitizer:") || absl::StrContains(err, "runtime error:"))
      << err;
}

// Each test has a directory of its own holding a tokens file of kCallers, a
// token file per caller (as `echo TOKEN >FILE` writes it) and the services'
// data; the suite shares one set of certificates.
class SecurityE2eTest : public DevCertsTest {
 protected:
  void SetUp() override {
    DevCertsTest::SetUp();
    if (HasFatalFailure()) return;
    root_ = absl::StrCat(
        ::testing::TempDir(), "/security_e2e.", getpid(), ".",
        absl::StrReplaceAll(::testing::UnitTest::GetInstance()->current_test_info()->name(),
                            {{"/", "."}}));
    std::filesystem::remove_all(root_);
    std::filesystem::create_directories(root_);
    std::string tokens = "# NAME ROLES SHA256\n";
    for (const Caller& caller : kCallers) {
      tokens += TokensLine(caller.name, caller.roles, caller.token);
      WriteText(TokenFile(caller), absl::StrCat(caller.token, "\n"));
    }
    WriteText(root_ + "/tokens", tokens);
  }

  void TearDown() override { std::filesystem::remove_all(root_); }

  std::string TokenFile(const Caller& caller) const {
    return absl::StrCat(root_, "/", caller.name, ".token");
  }
  std::string TokensFlag() const { return "--auth_tokens=" + root_ + "/tokens"; }
  std::string CertFile(absl::string_view name) const { return certs().Path(name); }
  std::shared_ptr<grpc::ChannelCredentials> Tls(absl::string_view ca = "ca.pem",
                                                absl::string_view client = "") const {
    return ClientTls(certs(), ca, client);
  }
  static std::vector<std::string> Join(std::vector<std::string> flags,
                                       const std::vector<std::string>& more) {
    flags.insert(flags.end(), more.begin(), more.end());
    return flags;
  }

  // command-service with `flags` and its log in ROOT/command (the same
  // directory each time: a restart); the test's channel has `credentials`.
  std::unique_ptr<RunningService> StartCommand(
      std::vector<std::string> flags,
      std::shared_ptr<grpc::ChannelCredentials> credentials = grpc::InsecureChannelCredentials()) {
    flags.push_back("--data_dir=" + root_ + "/command");
    return std::make_unique<RunningService>("command-service", flags, credentials);
  }

  // query-service following `command` with `flags`, its projection in ROOT/query.
  std::unique_ptr<RunningService> StartQuery(
      const RunningService& command, std::vector<std::string> flags,
      std::shared_ptr<grpc::ChannelCredentials> credentials = grpc::InsecureChannelCredentials()) {
    flags.push_back("--data_dir=" + root_ + "/query");
    flags.push_back("--command_service=" + command.address());
    return std::make_unique<RunningService>("query-service", flags, credentials);
  }

  // Waits until the query service has applied `position` (acc has events by then).
  static void WaitForProjection(const Channel& query, uint64_t position) {
    const grpc::Status status = GetBalance(query, kAuditor.token, "acc", position);
    ASSERT_TRUE(status.ok()) << status.error_code() << " " << status.error_message();
  }

  std::string root_;
};

// --- TLS -------------------------------------------------------------------

class TlsE2eTest : public SecurityE2eTest {};

TEST_F(TlsE2eTest, APlaintextClientIsRefused) {
  auto command = StartCommand(ServerTlsFlags(certs()), Tls());
  const Channel plaintext = command->NewChannel(grpc::InsecureChannelCredentials());
  EXPECT_EQ(Deposit(plaintext, "", "acc", 5).error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(HealthOf(plaintext, ""), -grpc::StatusCode::UNAVAILABLE);
  bank::v1::CommandReply reply;
  ASSERT_TRUE(Deposit(command->channel(), "", "acc", 7, &reply).ok());
  EXPECT_EQ(reply.position(), 1u) << "the refused deposit was not recorded";
}

TEST_F(TlsE2eTest, AClientTrustingAnotherCaIsRefused) {
  auto command = StartCommand(ServerTlsFlags(certs()), Tls());
  const Channel distrusting = command->NewChannel(Tls("other-ca.pem"));
  EXPECT_EQ(Deposit(distrusting, "", "acc", 5).error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(HealthOf(distrusting, ""), -grpc::StatusCode::UNAVAILABLE);
  bank::v1::CommandReply reply;
  ASSERT_TRUE(Deposit(command->channel(), "", "acc", 7, &reply).ok());
  EXPECT_EQ(reply.position(), 1u) << "the refused deposit was not recorded";
}

TEST_F(TlsE2eTest, MutualTlsRefusesAClientWithoutACertificateOfItsCa) {
  auto command = StartCommand(ServerTlsFlags(certs(), /*mutual=*/true), Tls("ca.pem", "client"));
  for (const char* client : {"", "other-client"}) {
    const Channel refused = command->NewChannel(Tls("ca.pem", client));
    EXPECT_EQ(Deposit(refused, "", "acc", 5).error_code(), grpc::StatusCode::UNAVAILABLE)
        << "client certificate: " << client;
    EXPECT_EQ(HealthOf(refused, ""), -grpc::StatusCode::UNAVAILABLE) << client;
  }
  bank::v1::CommandReply reply;
  ASSERT_TRUE(Deposit(command->channel(), "", "acc", 7, &reply).ok());
  EXPECT_EQ(reply.position(), 1u) << "no refused deposit was recorded";
}

// Both services over TLS (the parameter: mutual TLS too), the query service
// following the command service over TLS as well.
class TlsEveryRpcTest : public SecurityE2eTest, public ::testing::WithParamInterface<bool> {};

TEST_P(TlsEveryRpcTest, EveryRpcOfBothServicesWorks) {
  const bool mutual = GetParam();
  const std::shared_ptr<grpc::ChannelCredentials> credentials =
      mutual ? Tls("ca.pem", "client") : Tls();
  auto command = StartCommand(ServerTlsFlags(certs(), mutual), credentials);
  std::vector<std::string> stream_flags = {"--command_service_tls_ca=" + CertFile("ca.pem")};
  if (mutual) {
    stream_flags.push_back("--command_service_tls_cert=" + CertFile("client.pem"));
    stream_flags.push_back("--command_service_tls_key=" + CertFile("client.key"));
  }
  auto query =
      StartQuery(*command, Join(ServerTlsFlags(certs(), mutual), stream_flags), credentials);
  EXPECT_EQ(HealthOf(command->channel(), ""), kServing);
  EXPECT_EQ(HealthOf(command->channel(), "bank.v1.CommandService"), kServing);
  EXPECT_EQ(HealthOf(query->channel(), ""), kServing);
  EXPECT_EQ(HealthOf(query->channel(), "bank.v1.QueryService"), kServing);

  bank::v1::CommandReply reply;
  ASSERT_TRUE(Deposit(command->channel(), "", "acc", 10, &reply).ok());
  const grpc::Status withdrawn = Withdraw(command->channel(), "", "acc", 3, &reply);
  ASSERT_TRUE(withdrawn.ok()) << withdrawn.error_message();
  EXPECT_EQ(reply.balance(), 7);
  EXPECT_EQ(reply.position(), 2u);
  const LogRead log = Subscribe(command->channel(), "");
  ASSERT_TRUE(log.status.ok()) << log.status.error_message();
  EXPECT_EQ(log.head, 2u);
  ASSERT_EQ(log.events.size(), 2u);
  EXPECT_TRUE(log.events[0].has_deposited());
  EXPECT_TRUE(log.events[1].has_withdrawn());
  // No tokens: the events name no caller.
  EXPECT_THAT(PrincipalsOf(log.events), ElementsAre("", ""));

  bank::v1::AccountBalance balance;
  const grpc::Status got = GetBalance(query->channel(), "", "acc", 2, &balance);
  ASSERT_TRUE(got.ok()) << got.error_code() << " " << got.error_message();
  EXPECT_EQ(balance.balance(), 7);
  bank::v1::ListAccountsResponse accounts;
  ASSERT_TRUE(ListAccounts(query->channel(), "", 10, &accounts).ok());
  ASSERT_EQ(accounts.accounts_size(), 1);
  EXPECT_EQ(accounts.accounts(0).account_id(), "acc");
  bank::v1::GetHistoryResponse history;
  ASSERT_TRUE(GetHistory(query->channel(), "", "acc", &history).ok());
  EXPECT_EQ(history.transactions_size(), 2);
  bank::v1::ProjectionStatus status;
  ASSERT_TRUE(GetStatus(query->channel(), "", &status).ok());
  EXPECT_EQ(status.applied_position(), 2u);
  EXPECT_TRUE(status.source_connected());
}

INSTANTIATE_TEST_SUITE_P(, TlsEveryRpcTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "MutualTls" : "Tls";
                         });

// --- Tokens ----------------------------------------------------------------

class TokensE2eTest : public SecurityE2eTest {
 protected:
  // Both services with the tokens file, plaintext (tokens need no TLS); the
  // query service's stream carries the follower's token.
  void StartBoth() {
    command_ = StartCommand({TokensFlag()});
    query_ = StartQuery(*command_,
                        {TokensFlag(), "--command_service_token_file=" + TokenFile(kFollower)});
  }

  std::unique_ptr<RunningService> command_;
  std::unique_ptr<RunningService> query_;
};

// One rpc as the matrix calls it: with a request it accepts (`valid`), or
// with one its own checks refuse with `invalid_code` (OK: there is none).
struct Rpc {
  const char* name;
  const char* role;
  grpc::StatusCode invalid_code;
  std::function<grpc::Status(const std::string& token, bool valid)> call;
};

TEST_F(TokensE2eTest, EachRpcAnswersEachKindOfCallerAsTheContractSaysAndRefusalsRecordNothing) {
  StartBoth();
  const Channel& command = command_->channel();
  const Channel& query = query_->channel();
  // The commands accepted, in order, by whom.
  std::vector<std::string> accepted;
  const std::vector<Rpc> rpcs = {
      {"Deposit", "write", grpc::StatusCode::INVALID_ARGUMENT,
       [&](const std::string& token, bool valid) {
         return valid ? Deposit(command, token, "acc", 10) : Deposit(command, token, "", -5);
       }},
      {"Withdraw", "write", grpc::StatusCode::INVALID_ARGUMENT,
       [&](const std::string& token, bool valid) {
         return Withdraw(command, token, "acc", valid ? 3 : 0);
       }},
      {"Transfer", "write", grpc::StatusCode::INVALID_ARGUMENT,
       [&](const std::string& token, bool valid) {
         return Transfer(command, token, "acc", valid ? "other" : "acc", 1);
       }},
      {"Subscribe", "subscribe", grpc::StatusCode::OUT_OF_RANGE,
       [&](const std::string& token, bool valid) {
         return Subscribe(command, token, valid ? 0 : 1000, /*first_only=*/true).status;
       }},
      {"GetBalance", "read", grpc::StatusCode::INVALID_ARGUMENT,
       [&](const std::string& token, bool valid) {
         return valid ? GetBalance(query, token, "acc", accepted.size())
                      : GetBalance(query, token, "", 0);
       }},
      {"ListAccounts", "read", grpc::StatusCode::INVALID_ARGUMENT,
       [&](const std::string& token, bool valid) {
         return ListAccounts(query, token, valid ? 10 : -1);
       }},
      {"GetHistory", "read", grpc::StatusCode::INVALID_ARGUMENT,
       [&](const std::string& token, bool valid) {
         return GetHistory(query, token, valid ? "acc" : "");
       }},
      {"GetStatus", "read", grpc::StatusCode::OK,
       [&](const std::string& token, bool) { return GetStatus(query, token); }},
  };
  struct Attempt {
    std::string who;
    std::string token;
    const Caller* caller;
  };
  std::vector<Attempt> attempts = {{"no token", "", nullptr},
                                   {"an unknown token", kUnknownToken, nullptr}};
  for (const Caller& caller : kCallers) attempts.push_back({caller.name, caller.token, &caller});

  for (const Rpc& rpc : rpcs) {
    for (const Attempt& attempt : attempts) {
      grpc::StatusCode refusal = grpc::StatusCode::OK;
      if (attempt.caller == nullptr) {
        refusal = grpc::StatusCode::UNAUTHENTICATED;
      } else if (!attempt.caller->Has(rpc.role)) {
        refusal = grpc::StatusCode::PERMISSION_DENIED;
      }
      for (const bool valid : {false, true}) {
        if (!valid && rpc.invalid_code == grpc::StatusCode::OK) continue;
        const grpc::Status status = rpc.call(attempt.token, valid);
        const std::string what =
            absl::StrCat(rpc.name, valid ? "" : " (invalid request)", " by ", attempt.who, ": ",
                         status.error_code(), " ", status.error_message());
        if (refusal != grpc::StatusCode::OK) {
          // Before any other check: an invalid request is refused the same way.
          EXPECT_EQ(status.error_code(), refusal) << what;
          EXPECT_NE(status.error_message(), "") << what;
          if (!attempt.token.empty()) {
            EXPECT_THAT(status.error_message(), Not(HasSubstr(attempt.token))) << what;
          }
        } else {
          EXPECT_EQ(status.error_code(), valid ? grpc::StatusCode::OK : rpc.invalid_code) << what;
          if (valid && status.ok() && rpc.role == absl::string_view("write")) {
            accepted.push_back(absl::StrCat(rpc.name, " by ", attempt.who));
          }
        }
      }
    }
  }
  ASSERT_THAT(accepted,
              ElementsAre("Deposit by teller", "Deposit by clerk", "Withdraw by teller",
                          "Withdraw by clerk", "Transfer by teller", "Transfer by clerk"));
  // The log holds the accepted commands and nothing else, each with its
  // caller (a transfer's on both of its events).
  const LogRead log = Subscribe(command, kFollower.token);
  ASSERT_TRUE(log.status.ok()) << log.status.error_message();
  EXPECT_EQ(log.head, 8u);
  EXPECT_THAT(PrincipalsOf(log.events), ElementsAre("teller", "clerk", "teller", "clerk", "teller",
                                                    "teller", "clerk", "clerk"));
  bank::v1::AccountBalance balance;
  ASSERT_TRUE(GetBalance(query, kAuditor.token, "acc", 8, &balance).ok());
  EXPECT_EQ(balance.balance(), 12);
  EXPECT_EQ(balance.version(), 6u);
  EXPECT_THAT(HistoryPrincipals(query, "acc"),
              ElementsAre("teller", "clerk", "teller", "clerk", "teller", "clerk"));
  bank::v1::ProjectionStatus status;
  ASSERT_TRUE(GetStatus(query, kAuditor.token, &status).ok());
  EXPECT_EQ(status.applied_position(), 8u);
  EXPECT_TRUE(status.source_connected());
  // Nor do the services' logs hold a token.
  for (const Attempt& attempt : attempts) {
    if (attempt.token.empty()) continue;
    EXPECT_THAT(command_->process().Stderr(), Not(HasSubstr(attempt.token))) << attempt.who;
    EXPECT_THAT(query_->process().Stderr(), Not(HasSubstr(attempt.token))) << attempt.who;
  }
}

TEST_F(TokensE2eTest, ATokenThatOnlyResemblesAValidOneIsUnauthenticated) {
  StartBoth();
  const std::string writer = kTeller.token;
  const std::string reader = kAuditor.token;
  const auto near_misses = [](const std::string& token) {
    return std::vector<std::string>{
        token.substr(0, token.size() - 1),  // a prefix
        token.substr(0, 1),
        token + "x",  // a trailing byte
        token + token,
        absl::AsciiStrToUpper(token),
        ::bank::testing::Sha256Hex(token),  // what the tokens file holds
    };
  };
  for (const std::string& token : near_misses(writer)) {
    const grpc::Status status = Deposit(command_->channel(), token, "acc", 5);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED) << token;
    EXPECT_THAT(status.error_message(), Not(HasSubstr(writer)));
    if (token.size() > 1) {
      EXPECT_THAT(status.error_message(), Not(HasSubstr(token)));
    }
  }
  for (const std::string& token : near_misses(reader)) {
    EXPECT_EQ(GetStatus(query_->channel(), token).error_code(), grpc::StatusCode::UNAUTHENTICATED)
        << token;
  }
  bank::v1::CommandReply reply;
  ASSERT_TRUE(Deposit(command_->channel(), writer, "acc", 7, &reply).ok());
  EXPECT_EQ(reply.position(), 1u) << "no refused deposit was recorded";
}

TEST_F(TokensE2eTest, HealthNeedsNoToken) {
  StartBoth();
  EXPECT_EQ(HealthOf(command_->channel(), ""), kServing);
  EXPECT_EQ(HealthOf(command_->channel(), "bank.v1.CommandService"), kServing);
  EXPECT_EQ(HealthOf(query_->channel(), ""), kServing);
  EXPECT_EQ(HealthOf(query_->channel(), "bank.v1.QueryService"), kServing);
}

TEST_F(TokensE2eTest, ReflectionNeedsAValidTokenOfAnyRole) {
  StartBoth();
  for (const RunningService* service : {command_.get(), query_.get()}) {
    for (const char* package : {"grpc.reflection.v1", "grpc.reflection.v1alpha"}) {
      for (const std::string& token : {std::string(), std::string(kUnknownToken)}) {
        std::vector<std::pair<std::string, std::string>> metadata;
        if (!token.empty()) metadata.emplace_back("authorization", "Bearer " + token);
        ReflectionStream stream(service->channel(), package, metadata);
        EXPECT_FALSE(stream.ListServices().has_value()) << package << " " << token;
        const grpc::Status status = stream.Finish();
        EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED)
            << package << " " << token;
      }
      for (const Caller& caller : kCallers) {
        ReflectionStream stream(service->channel(), package,
                                {{"authorization", absl::StrCat("Bearer ", caller.token)}});
        const auto listed = stream.ListServices();
        ASSERT_TRUE(listed.has_value()) << package << " " << caller.name;
        std::vector<std::string> names;
        for (const auto& one : listed->list_services_response().service()) {
          names.push_back(one.name());
        }
        EXPECT_THAT(names, ::testing::Contains(service == command_.get() ? "bank.v1.CommandService"
                                                                         : "bank.v1.QueryService"))
            << package << " " << caller.name;
        EXPECT_TRUE(stream.Finish().ok()) << package << " " << caller.name;
      }
    }
  }
}

// The query service's stream is a caller too: it needs a token with the
// subscribe role, or it follows nothing.
TEST_F(TokensE2eTest, TheQueryServiceFollowsOnlyWithATokenThatMaySubscribe) {
  command_ = StartCommand({TokensFlag()});
  ASSERT_TRUE(Deposit(command_->channel(), kTeller.token, "acc", 5).ok());
  struct Case {
    std::vector<std::string> stream_flags;
    const char* refusal;
  };
  const Case cases[] = {
      {{}, "UNAUTHENTICATED"},
      {{"--command_service_token_file=" + TokenFile(kAuditor)}, "PERMISSION_DENIED"},
  };
  for (const Case& one : cases) {
    query_ = StartQuery(*command_, Join({TokensFlag()}, one.stream_flags));
    EXPECT_TRUE(query_->process().WaitForStderr(one.refusal)) << query_->process().Stderr();
    bank::v1::ProjectionStatus status;
    ASSERT_TRUE(GetStatus(query_->channel(), kAuditor.token, &status).ok());
    EXPECT_FALSE(status.source_connected()) << one.refusal;
    EXPECT_EQ(status.applied_position(), 0u) << one.refusal;
    EXPECT_THAT(query_->process().Stderr(), Not(HasSubstr(kAuditor.token)));
    EXPECT_EQ(query_->Stop(), 0);
    query_.reset();
    std::filesystem::remove_all(root_ + "/query");
  }
  query_ =
      StartQuery(*command_, {TokensFlag(), "--command_service_token_file=" + TokenFile(kFollower)});
  WaitForProjection(query_->channel(), 1);
  bank::v1::ProjectionStatus status;
  ASSERT_TRUE(GetStatus(query_->channel(), kAuditor.token, &status).ok());
  EXPECT_TRUE(status.source_connected());
}

// --- Principals ------------------------------------------------------------

class PrincipalE2eTest : public SecurityE2eTest {};

TEST_F(PrincipalE2eTest, EventsCarryTheCallersNameAcrossRestarts) {
  auto command = StartCommand({TokensFlag()});
  ASSERT_TRUE(Deposit(command->channel(), kTeller.token, "acc", 10).ok());
  ASSERT_TRUE(Withdraw(command->channel(), kClerk.token, "acc", 4).ok());
  EXPECT_THAT(PrincipalsOf(Subscribe(command->channel(), kFollower.token).events),
              ElementsAre("teller", "clerk"));

  // The names are in the log: a restarted command service streams them.
  EXPECT_EQ(command->Stop(), 0);
  command = StartCommand({TokensFlag()});
  EXPECT_THAT(PrincipalsOf(Subscribe(command->channel(), kFollower.token).events),
              ElementsAre("teller", "clerk"));
  ASSERT_TRUE(Deposit(command->channel(), kClerk.token, "acc", 1).ok());
  EXPECT_THAT(PrincipalsOf(Subscribe(command->channel(), kFollower.token).events),
              ElementsAre("teller", "clerk", "clerk"));

  // And in the projection: a restarted query service still shows them.
  const std::vector<std::string> query_flags = {
      TokensFlag(), "--command_service_token_file=" + TokenFile(kFollower)};
  auto query = StartQuery(*command, query_flags);
  WaitForProjection(query->channel(), 3);
  EXPECT_THAT(HistoryPrincipals(query->channel(), "acc"), ElementsAre("teller", "clerk", "clerk"));
  EXPECT_EQ(query->Stop(), 0);
  query = StartQuery(*command, query_flags);
  EXPECT_THAT(HistoryPrincipals(query->channel(), "acc"), ElementsAre("teller", "clerk", "clerk"));
}

// --- Start-up --------------------------------------------------------------

class StartUpE2eTest : public SecurityE2eTest {
 protected:
  // `program` with `flags`, on 127.0.0.1:0, run until it exits by itself.
  Outcome Run(const std::string& program, std::vector<std::string> flags) const {
    flags.push_back("--listen=127.0.0.1:0");
    flags.push_back("--data_dir=" + root_ + "/" + program);
    // The query service's source; never reached.
    if (program == "query-service") flags.push_back("--command_service=127.0.0.1:1");
    Outcome outcome = RunToCompletion(ProgramPath(program), flags);
    ExpectNoSanitizerReport(outcome.err);
    return outcome;
  }
};

TEST_F(StartUpE2eTest, AMalformedTokensFileLineStopsEachServiceNamingTheLine) {
  const std::string tokens = root_ + "/malformed-tokens";
  // Line 4 holds a token where its SHA-256 belongs: it must not be echoed.
  WriteText(tokens, absl::StrCat("# callers\n", TokensLine("teller", "write", kTeller.token),
                                 "\nauditor read my-pasted-secret-token\n"));
  for (const char* program : {"command-service", "query-service"}) {
    const Outcome outcome = Run(program, {"--auth_tokens=" + tokens});
    EXPECT_EQ(outcome.exit_code, 1) << program << "\n" << outcome.err;
    EXPECT_THAT(outcome.err, HasSubstr(tokens + " line 4")) << program;
    EXPECT_THAT(outcome.err, Not(HasSubstr("my-pasted-secret-token"))) << program;
    EXPECT_THAT(outcome.err, Not(HasSubstr("listening on"))) << program;
  }
}

TEST_F(StartUpE2eTest, AMissingTlsFileStopsEachServiceNamingTheFile) {
  const std::string missing_key = root_ + "/no-such-server.key";
  for (const char* program : {"command-service", "query-service"}) {
    const Outcome outcome =
        Run(program, {"--tls_cert=" + CertFile("server.pem"), "--tls_key=" + missing_key});
    EXPECT_EQ(outcome.exit_code, 1) << program << "\n" << outcome.err;
    EXPECT_THAT(outcome.err, HasSubstr("--tls_key=" + missing_key)) << program;
    EXPECT_THAT(outcome.err, Not(HasSubstr("listening on"))) << program;
  }
  const std::string missing_ca = root_ + "/no-such-ca.pem";
  const Outcome outcome = Run("query-service", {"--command_service_tls_ca=" + missing_ca});
  EXPECT_EQ(outcome.exit_code, 1) << outcome.err;
  EXPECT_THAT(outcome.err, HasSubstr("--command_service_tls_ca=" + missing_ca));
}

TEST_F(StartUpE2eTest, ANonLoopbackListenIsWarnedAboutUnlessTlsAndTokensAreOn) {
  constexpr absl::string_view kWarning = "is not a loopback address";
  for (const char* program : {"command-service", "query-service"}) {
    for (const bool secured : {false, true}) {
      std::vector<std::string> flags = {"--listen=0.0.0.0:0",
                                        "--data_dir=" + root_ + "/" + program};
      if (std::string(program) == "query-service") {
        flags.push_back("--command_service=127.0.0.1:1");
      }
      if (secured) flags = Join(Join(flags, ServerTlsFlags(certs())), {TokensFlag()});
      Subprocess service(ProgramPath(program), flags);
      // The warning comes before the "listening on" line, or never.
      ASSERT_NE(service.WaitForListenAddress(), "") << program << "\n" << service.Stderr();
      const std::string err = service.Stderr();
      if (secured) {
        EXPECT_THAT(err, Not(HasSubstr(kWarning))) << program;
      } else {
        EXPECT_THAT(err, HasSubstr(kWarning)) << program;
      }
      service.Signal(SIGTERM);
      EXPECT_EQ(service.Wait(), 0) << program;
      ExpectNoSanitizerReport(service.Stderr());
    }
  }
}

// --- bankctl ---------------------------------------------------------------

class BankctlSecurityE2eTest : public SecurityE2eTest {};

TEST_F(BankctlSecurityE2eTest, WorksOverTlsWithATokenFromAFileOrBankToken) {
  auto command = StartCommand(Join(ServerTlsFlags(certs()), {TokensFlag()}), Tls());
  auto query = StartQuery(
      *command,
      Join(ServerTlsFlags(certs()), {TokensFlag(), "--command_service_tls_ca=" + CertFile("ca.pem"),
                                     "--command_service_token_file=" + TokenFile(kFollower)}),
      Tls());
  const std::string bankctl = ProgramPath("bankctl");
  const std::vector<std::string> tls = {"--command_service=" + command->address(),
                                        "--query_service=" + query->address(),
                                        "--tls_ca=" + CertFile("ca.pem")};
  // env(1) sets BANK_TOKEN, or removes it, for bankctl alone.
  Outcome outcome = RunToCompletion(
      "/usr/bin/env", Join({"-u", "BANK_TOKEN", bankctl, "--token_file=" + TokenFile(kTeller)},
                           Join(tls, {"deposit", "acc", "5"})));
  EXPECT_EQ(outcome.exit_code, 0) << outcome.err;
  EXPECT_EQ(outcome.out, "acc: balance 5, version 1, position 1\n");
  outcome =
      RunToCompletion("/usr/bin/env", Join({absl::StrCat("BANK_TOKEN=", kClerk.token), bankctl},
                                           Join(tls, {"deposit", "acc", "7"})));
  EXPECT_EQ(outcome.exit_code, 0) << outcome.err;
  EXPECT_EQ(outcome.out, "acc: balance 12, version 2, position 2\n");
  // Without a token, or without TLS: refused, and nothing recorded.
  outcome = RunToCompletion(
      "/usr/bin/env", Join({"-u", "BANK_TOKEN", bankctl}, Join(tls, {"deposit", "acc", "1"})));
  EXPECT_EQ(outcome.exit_code, 1);
  EXPECT_THAT(outcome.err, HasSubstr("UNAUTHENTICATED"));
  outcome = RunToCompletion(bankctl, {"--command_service=" + command->address(),
                                      "--token_file=" + TokenFile(kTeller), "deposit", "acc", "1"});
  EXPECT_EQ(outcome.exit_code, 2);
  EXPECT_THAT(outcome.err, HasSubstr("UNAVAILABLE"));

  WaitForProjection(query->channel(), 2);
  outcome = RunToCompletion(
      "/usr/bin/env", Join({"-u", "BANK_TOKEN", bankctl, "--token_file=" + TokenFile(kAuditor)},
                           Join(tls, {"history", "acc"})));
  EXPECT_EQ(outcome.exit_code, 0) << outcome.err;
  const std::vector<std::string> lines = absl::StrSplit(outcome.out, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 2u) << outcome.out;
  EXPECT_THAT(lines[0], HasSubstr("deposit 5, balance after 5, by teller"));
  EXPECT_THAT(lines[1], HasSubstr("deposit 7, balance after 12, by clerk"));
}

}  // namespace
}  // namespace bank
