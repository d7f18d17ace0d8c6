#include "tools/bench/command_workload.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace bank::bench {
namespace {

// Everything one call needs alive until its callback.
struct CommandCall {
  grpc::ClientContext context;
  bank::v1::DepositRequest deposit;
  bank::v1::WithdrawRequest withdraw;
  bank::v1::TransferRequest transfer;
  bank::v1::CommandReply reply;
  bank::v1::TransferReply transfer_reply;
};

// Small next to what a deposit brings (up to 10,000), so that transfers after
// some deposits mostly succeed.
constexpr int64_t kMaxTransfer = 100;

}  // namespace

CommandWorkload::CommandWorkload(const std::vector<std::shared_ptr<grpc::Channel>>& channels,
                                 CommandMix mix, int slots)
    : mix_(std::move(mix)), slots_(slots) {
  for (const auto& channel : channels) stubs_.push_back(bank::v1::CommandService::NewStub(channel));
  for (int s = 0; s < slots; ++s) slots_[s].rng.seed(0x9e3779b97f4a7c15ull * (s + 1));
}

std::string CommandWorkload::AccountId(uint64_t i) const {
  return absl::StrFormat("%s%07d", mix_.account_prefix, i);
}

void CommandWorkload::Start(int slot, CallDone done) {
  Slot& state = slots_[slot];
  const uint64_t n = state.calls++;
  const uint64_t account = mix_.sequential_accounts ? next_account_.fetch_add(1) % mix_.accounts
                                                    : state.rng() % mix_.accounts;
  const int turn = static_cast<int>(n % (mix_.deposits + mix_.withdraws + mix_.transfers));
  const bool deposit = turn < mix_.deposits;
  const bool withdraw = !deposit && turn < mix_.deposits + mix_.withdraws;
  const int64_t amount = 1 + static_cast<int64_t>(state.rng() % 10000);
  std::string command_id =
      mix_.command_ids ? absl::StrCat(mix_.run_id, "-", slot, "-", n) : std::string();

  auto* call = new CommandCall;
  call->context.set_deadline(std::chrono::system_clock::now() +
                             absl::ToChronoNanoseconds(mix_.deadline));
  if (mix_.security != nullptr) mix_.security->Authorize(call->context);
  auto on_done = [call, done = std::move(done)](grpc::Status status) {
    delete call;
    done(status);
  };
  bank::v1::CommandService::Stub& stub = *stubs_[slot % stubs_.size()];
  if (deposit) {
    call->deposit.set_account_id(AccountId(account));
    call->deposit.set_amount(amount);
    call->deposit.set_command_id(std::move(command_id));
    stub.async()->Deposit(&call->context, &call->deposit, &call->reply, std::move(on_done));
  } else if (withdraw) {
    call->withdraw.set_account_id(AccountId(account));
    call->withdraw.set_amount(amount);
    call->withdraw.set_command_id(std::move(command_id));
    stub.async()->Withdraw(&call->context, &call->withdraw, &call->reply, std::move(on_done));
  } else {
    const uint64_t to = (account + 1 + state.rng() % (mix_.accounts - 1)) % mix_.accounts;
    call->transfer.set_from_account_id(AccountId(account));
    call->transfer.set_to_account_id(AccountId(to));
    call->transfer.set_amount(1 + amount % kMaxTransfer);
    call->transfer.set_command_id(std::move(command_id));
    stub.async()->Transfer(&call->context, &call->transfer, &call->transfer_reply,
                           std::move(on_done));
  }
}

}  // namespace bank::bench
