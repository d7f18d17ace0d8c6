#include "query-service/event_subscriber.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bank/v1/command_service.grpc.pb.h"
#include "common/grpc_status.h"

namespace bank::query {
namespace {

// Catch-up messages may carry many events; gRPC's default 4 MiB limit would
// turn a large batch into a reconnect loop.
constexpr int kMaxSubscribeMessageBytes = 64 << 20;

std::shared_ptr<grpc::Channel> FreshChannel(const std::string& target,
                                            const security::ClientSecurity& security) {
  grpc::ChannelArguments args;
  // A private subchannel pool: a new channel must not inherit the connection
  // backoff state of the previous one's shared subchannel.
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  args.SetMaxReceiveMessageSize(kMaxSubscribeMessageBytes);
  return grpc::CreateCustomChannel(target, security.credentials(), args);
}

}  // namespace

EventSubscriber::EventSubscriber(EventSubscriberOptions options, const ReadModel* store,
                                 Projector* projector, SourceStatus* source)
    : options_(std::move(options)),
      store_(store),
      projector_(projector),
      source_(source),
      watchdog_(options_.watchdog) {}

EventSubscriber::~EventSubscriber() { Stop(); }

void EventSubscriber::Start() {
  thread_ = std::thread([this] { Run(); });
  watchdog_thread_ = std::thread([this] { Watch(); });
}

void EventSubscriber::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    if (call_ != nullptr) call_->TryCancel();
    stop_requested_.SignalAll();
  }
  if (thread_.joinable()) thread_.join();
  if (watchdog_thread_.joinable()) watchdog_thread_.join();
}

void EventSubscriber::Run() {
  Backoff backoff(options_.backoff);
  const size_t replicas = options_.targets.size();
  if (replicas == 0) {
    spdlog::error("the subscriber has no command service to follow");
    return;
  }
  size_t current = 0;
  // Attempts since the last one that moved the checkpoint, that one included.
  // A failed replica is left for the next one at once, and the backoff is
  // waited only once every replica has been tried in turn: waiting after each
  // attempt would delay the failover to a healthy replica for nothing, and
  // never waiting would spin when every replica is down or the fault is ours
  // (a full disk). With one target this is the backoff after every attempt.
  size_t tried = 0;
  for (;;) {
    const std::string& target = options_.targets[current];
    // Subscribe from what is committed, never from what was merely received:
    // whatever the last stream got wrong is simply asked for again.
    const uint64_t from = store_->applied_position();
    const absl::Status ended = Follow(target, from);
    // Judge the attempt by what it applied, not by what it received: a batch
    // that was queued and then failed to commit is no progress, and retrying
    // it at once would only fail again.
    const absl::Status applied = projector_->Flush();
    if (store_->applied_position() > from) {
      backoff.Reset();
      tried = 0;
    }
    absl::Duration delay = absl::ZeroDuration();
    if (++tried == replicas) {
      delay = backoff.Next();
      tried = 0;
    }
    current = (current + 1) % replicas;
    const std::string& next = options_.targets[current];
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) break;
    }
    if (!applied.ok()) {
      spdlog::warn("applying the stream failed ({}); resubscribing to {} after position {} in {}",
                   applied.ToString(), next, store_->applied_position(),
                   absl::FormatDuration(delay));
    } else if (ended.code() == absl::StatusCode::kOutOfRange) {
      // The log holds fewer events than this projection has applied: it is
      // not the log this projection was built from. Retrying cannot fix it.
      spdlog::error(
          "the command service at {} refuses our checkpoint ({}); if its data was "
          "replaced, stop this service and delete its --data_dir to rebuild; retrying "
          "at {} in {}",
          target, ended.ToString(), next, absl::FormatDuration(delay));
    } else {
      spdlog::info("subscription to {} ended ({}); resubscribing to {} in {}", target,
                   ended.ToString(), next, absl::FormatDuration(delay));
    }
    if (!SleepUnlessStopped(delay)) break;
  }
  spdlog::info("subscriber stopped at position {}", store_->applied_position());
}

absl::Status EventSubscriber::Follow(const std::string& target, uint64_t after) {
  std::unique_ptr<bank::v1::CommandService::Stub> stub =
      bank::v1::CommandService::NewStub(FreshChannel(target, options_.security));
  grpc::ClientContext context;
  options_.security.Authorize(context);
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return absl::CancelledError("stopping");
    call_ = &context;
    following_ = target;
    watchdog_.Arm(absl::Now(), after);
    dropped_by_watchdog_ = absl::OkStatus();
  }
  bank::v1::SubscribeRequest request;
  request.set_after_position(after);
  std::unique_ptr<grpc::ClientReader<bank::v1::SubscribeResponse>> reader =
      stub->Subscribe(&context, request);

  bank::v1::SubscribeResponse response;
  uint64_t expected = after + 1;
  bool connected = false;
  absl::Status refused;
  while (refused.ok() && reader->Read(&response)) {
    {
      absl::MutexLock lock(&mu_);
      watchdog_.OnMessage(absl::Now(), response.head_position());
    }
    if (!connected) {
      connected = true;
      source_->SetConnected(true);
      spdlog::info("following command service at {} after position {}", target, after);
    }
    auto& events = *response.mutable_events();
    int valid = 0;
    while (valid < events.size() && events[valid].position() == expected) {
      ++valid;
      ++expected;
    }
    if (valid < events.size()) {
      const uint64_t got = events[valid].position();
      refused = absl::FailedPreconditionError(
          absl::StrCat(got < expected ? "repeated position " : "gap: position ", got,
                       " received where ", expected, " was expected"));
      spdlog::warn("refusing the stream from {}: {}; resubscribing from the checkpoint", target,
                   std::string(refused.message()));
    }
    source_->ObserveHead(std::max(response.head_position(), expected - 1));
    if (valid == 0) {
      // Nothing to submit (a heartbeat): still ask the projector, so that a
      // batch its thread failed to apply does not leave this stream idling.
      if (refused.ok()) refused = projector_->status();
      continue;
    }
    std::vector<bank::v1::Event> batch;
    batch.reserve(valid);
    for (int i = 0; i < valid; ++i) batch.push_back(std::move(events[i]));
    const bool caught_up = expected - 1 >= response.head_position();
    absl::Status submitted = projector_->Submit(std::move(batch), caught_up);
    if (!submitted.ok()) refused = submitted;
  }
  if (!refused.ok()) {
    context.TryCancel();
    while (reader->Read(&response)) {
    }
  }
  const grpc::Status finished = reader->Finish();
  absl::Status watchdog;
  {
    absl::MutexLock lock(&mu_);
    call_ = nullptr;
    watchdog = dropped_by_watchdog_;
  }
  source_->SetConnected(false);
  if (!refused.ok()) return refused;
  if (!watchdog.ok()) return watchdog;
  if (finished.ok()) return absl::UnavailableError("the command service ended the stream");
  return FromGrpcStatus(finished);
}

void EventSubscriber::Watch() {
  absl::MutexLock lock(&mu_);
  while (!stopping_) {
    stop_requested_.WaitWithTimeout(&mu_, watchdog_.tick());
    if (stopping_ || call_ == nullptr || !dropped_by_watchdog_.ok()) continue;
    absl::Status verdict = watchdog_.Check(absl::Now(), store_->applied_position());
    if (verdict.ok()) continue;
    spdlog::warn("dropping the stream from {}: {}; resubscribing from the checkpoint", following_,
                 std::string(verdict.message()));
    dropped_by_watchdog_ = std::move(verdict);
    call_->TryCancel();
  }
}

bool EventSubscriber::SleepUnlessStopped(absl::Duration delay) {
  const absl::Time until = absl::Now() + delay;
  absl::MutexLock lock(&mu_);
  while (!stopping_ && absl::Now() < until) stop_requested_.WaitWithDeadline(&mu_, until);
  return !stopping_;
}

}  // namespace bank::query
