#include "tools/bankctl/commands.h"

#include <algorithm>
#include <vector>

#include "tools/bankctl/interrupt.h"

namespace bank::bankctl {
namespace {

using grpc::health::v1::HealthCheckResponse;

int Fail(const absl::Status& status, std::ostream& err) {
  err << FormatError(status) << std::endl;
  return ExitCodeFor(status);
}

template <typename Request>
Request CommandRequest(const Invocation& invocation, const RunOptions& options) {
  Request request;
  request.set_account_id(invocation.account_id);
  request.set_amount(invocation.amount);
  request.set_command_id(options.command_id);
  if (options.expected_version.has_value()) {
    request.set_expected_version(*options.expected_version);
  }
  return request;
}

int RunCommand(const Invocation& invocation, const RunOptions& options, BankClient& client,
               std::ostream& out, std::ostream& err) {
  absl::StatusOr<bank::v1::CommandReply> reply =
      invocation.verb == Verb::kDeposit
          ? client.Deposit(CommandRequest<bank::v1::DepositRequest>(invocation, options))
          : client.Withdraw(CommandRequest<bank::v1::WithdrawRequest>(invocation, options));
  if (!reply.ok()) return Fail(reply.status(), err);
  out << FormatCommandReply(*reply, options.format) << std::endl;
  return kExitOk;
}

// Each account's reply on its own line, the account money left first.
int RunTransfer(const Invocation& invocation, const RunOptions& options, BankClient& client,
                std::ostream& out, std::ostream& err) {
  bank::v1::TransferRequest request;
  request.set_from_account_id(invocation.account_id);
  request.set_to_account_id(invocation.to_account_id);
  request.set_amount(invocation.amount);
  request.set_command_id(options.command_id);
  if (options.expected_version.has_value()) {
    request.set_expected_from_version(*options.expected_version);
  }
  absl::StatusOr<bank::v1::TransferReply> reply = client.Transfer(request);
  if (!reply.ok()) return Fail(reply.status(), err);
  out << FormatCommandReply(reply->from_account(), options.format) << '\n'
      << FormatCommandReply(reply->to_account(), options.format) << std::endl;
  return kExitOk;
}

int RunBalance(const Invocation& invocation, const RunOptions& options, BankClient& client,
               std::ostream& out, std::ostream& err) {
  absl::StatusOr<bank::v1::AccountBalance> balance = client.GetBalance(invocation.account_id);
  if (!balance.ok()) return Fail(balance.status(), err);
  out << FormatBalance(*balance, options.format) << std::endl;
  return kExitOk;
}

int RunAccounts(const RunOptions& options, BankClient& client, std::ostream& out,
                std::ostream& err) {
  absl::Status status = client.ListAccounts([&](const bank::v1::AccountBalance& account) {
    out << FormatAccount(account, options.format) << std::endl;
  });
  return status.ok() ? kExitOk : Fail(status, err);
}

int RunHistory(const Invocation& invocation, const RunOptions& options, BankClient& client,
               std::ostream& out, std::ostream& err) {
  absl::Status status =
      client.GetHistory(invocation.account_id, [&](const bank::v1::Transaction& transaction) {
        out << FormatTransaction(transaction, options.format) << std::endl;
      });
  return status.ok() ? kExitOk : Fail(status, err);
}

int RunWatch(const RunOptions& options, BankClient& client, std::ostream& out, std::ostream& err) {
  grpc::ClientContext context;
  // TryCancel is thread-safe and works even before the call has started.
  InterruptWatcher watcher([&context] { context.TryCancel(); });
  absl::Status status = client.Subscribe(
      options.after_position, &context, [&](const bank::v1::SubscribeResponse& message) {
        for (const bank::v1::Event& event : message.events()) {
          out << FormatEvent(event, options.format) << '\n';
        }
        if (message.events().empty()) {
          const std::string heartbeat = FormatHeartbeat(message.head_position(), options.format);
          if (!heartbeat.empty()) out << heartbeat << '\n';
        }
        out.flush();
      });
  if (watcher.interrupted()) return kExitOk;
  // The server ended a stream that is meant to be endless: say so.
  if (status.ok()) status = absl::UnavailableError("the command service ended the stream");
  return Fail(status, err);
}

int RunHealth(const Invocation& invocation, const RunOptions& options, BankClient& client,
              std::ostream& out, std::ostream& err) {
  struct Target {
    Service service;
    const char* name;
  };
  std::vector<Target> targets;
  if (invocation.health_target != HealthTarget::kQuery) {
    targets.push_back({Service::kCommand, "command"});
  }
  if (invocation.health_target != HealthTarget::kCommand) {
    targets.push_back({Service::kQuery, "query"});
  }
  int exit_code = kExitOk;
  for (const Target& target : targets) {
    absl::StatusOr<HealthCheckResponse::ServingStatus> serving = client.CheckHealth(target.service);
    // Asked after the check: of several command-service replicas, the one
    // that answered.
    const std::string address = target.service == Service::kCommand
                                    ? client.command_address()
                                    : client.options().query_address;
    if (!serving.ok()) {
      err << target.name << " " << address << ": " << FormatError(serving.status()) << std::endl;
      exit_code = std::max(exit_code, ExitCodeFor(serving.status()));
      continue;
    }
    out << FormatHealth(target.name, address, HealthCheckResponse::ServingStatus_Name(*serving),
                        options.format)
        << std::endl;
    if (*serving != HealthCheckResponse::SERVING) exit_code = std::max(exit_code, kExitRefused);
  }
  return exit_code;
}

}  // namespace

int ExitCodeFor(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kOk:
      return kExitOk;
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
      return kExitUsage;
    default:
      return kExitRefused;
  }
}

int RunInvocation(const Invocation& invocation, const RunOptions& options, BankClient& client,
                  std::ostream& out, std::ostream& err) {
  switch (invocation.verb) {
    case Verb::kDeposit:
    case Verb::kWithdraw:
      return RunCommand(invocation, options, client, out, err);
    case Verb::kTransfer:
      return RunTransfer(invocation, options, client, out, err);
    case Verb::kBalance:
      return RunBalance(invocation, options, client, out, err);
    case Verb::kAccounts:
      return RunAccounts(options, client, out, err);
    case Verb::kHistory:
      return RunHistory(invocation, options, client, out, err);
    case Verb::kWatch:
      return RunWatch(options, client, out, err);
    case Verb::kHealth:
      return RunHealth(invocation, options, client, out, err);
  }
  return kExitUsage;
}

}  // namespace bank::bankctl
