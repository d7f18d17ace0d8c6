#include "tools/bench/read_your_writes_workload.h"

#include "absl/strings/str_format.h"

namespace bank::bench {

struct ReadYourWritesWorkload::Call {
  int slot = 0;
  CallDone done;
  grpc::ClientContext deposit_context;
  bank::v1::DepositRequest deposit;
  bank::v1::CommandReply reply;
  absl::Time ok_at;
  grpc::ClientContext read_context;
  bank::v1::GetBalanceRequest read;
  bank::v1::AccountBalance balance;
};

namespace {

std::chrono::system_clock::time_point DeadlineIn(absl::Duration d) {
  return std::chrono::system_clock::now() + absl::ToChronoNanoseconds(d);
}

}  // namespace

ReadYourWritesWorkload::ReadYourWritesWorkload(
    const std::vector<std::shared_ptr<grpc::Channel>>& command_channels,
    const std::vector<std::shared_ptr<grpc::Channel>>& query_channels,
    ReadYourWritesOptions options, int slots)
    : options_(std::move(options)), rngs_(slots) {
  for (const auto& c : command_channels) commands_.push_back(bank::v1::CommandService::NewStub(c));
  for (const auto& c : query_channels) queries_.push_back(bank::v1::QueryService::NewStub(c));
  for (int s = 0; s < slots; ++s) rngs_[s].seed(0x2545f4914f6cdd1dull * (s + 1));
}

void ReadYourWritesWorkload::SetWindow(absl::Time from, absl::Time until) {
  absl::MutexLock lock(&mu_);
  window_from_ = from;
  window_until_ = until;
}

ReadPart ReadYourWritesWorkload::TakeReadPart() {
  absl::MutexLock lock(&mu_);
  return std::exchange(read_, ReadPart{});
}

void ReadYourWritesWorkload::Start(int slot, CallDone done) {
  auto* call = new Call;
  call->slot = slot;
  call->done = std::move(done);
  call->deposit.set_account_id(
      absl::StrFormat("%s%07d", options_.account_prefix, rngs_[slot]() % options_.accounts));
  call->deposit.set_amount(1 + static_cast<int64_t>(rngs_[slot]() % 10000));
  call->deposit_context.set_deadline(DeadlineIn(options_.command_deadline));
  commands_[slot % commands_.size()]->async()->Deposit(
      &call->deposit_context, &call->deposit, &call->reply, [this, call](grpc::Status status) {
        if (!status.ok()) {
          CallDone done = std::move(call->done);
          delete call;
          done(status);
          return;
        }
        call->ok_at = absl::Now();
        Read(call);
      });
}

void ReadYourWritesWorkload::Read(Call* call) {
  call->read.set_account_id(call->deposit.account_id());
  call->read.set_min_position(call->reply.position());
  call->read_context.set_deadline(DeadlineIn(options_.read_deadline));
  queries_[call->slot % queries_.size()]->async()->GetBalance(
      &call->read_context, &call->read, &call->balance, [this, call](grpc::Status status) {
        RecordRead(call->ok_at, status);
        CallDone done = std::move(call->done);
        delete call;
        done(status);
      });
}

void ReadYourWritesWorkload::RecordRead(absl::Time ok_at, const grpc::Status& status) {
  const absl::Time now = absl::Now();
  absl::MutexLock lock(&mu_);
  if (now < window_from_ || now > window_until_) return;
  read_.latency.Record(now - ok_at);
  ++read_.by_status[status.error_code()];
}

}  // namespace bank::bench
