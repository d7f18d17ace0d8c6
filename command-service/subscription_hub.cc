#include "command-service/subscription_hub.h"

#include <spdlog/spdlog.h>

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/grpc_status.h"

namespace bank::command {
namespace {

// Up to this many caught-up streams are served by the head listener itself
// (see the class comment); more go to the pump.
constexpr size_t kMaxStreamsServedByTheListener = 4;

}  // namespace

// One Subscribe call. Its fields are guarded by the hub's mutex, except
// response_, which belongs to whoever set writing_ (the pump while it fills
// it, then gRPC until OnWriteDone).
//
// StartWrite and Finish are never called with the hub's mutex held: gRPC may
// run the resulting reaction (OnWriteDone, OnDone) inline on the same thread.
class SubscriptionHub::Stream final : public grpc::ServerWriteReactor<bank::v1::SubscribeResponse> {
 public:
  Stream(SubscriptionHub& hub, uint64_t after) : hub_(hub), after_(after) {}

  void OnWriteDone(bool ok) override {
    std::optional<grpc::Status> finish;
    {
      absl::MutexLock lock(&hub_.mu_);
      writing_ = false;
      if (!ok) {
        finish = hub_.ClaimFinishLocked(this,
                                        grpc::Status(grpc::StatusCode::CANCELLED, "stream broken"));
      } else if (finish_pending_) {
        finish = hub_.ClaimFinishLocked(this, finish_status_);
      } else {
        hub_.ParkLocked(this);
      }
    }
    if (finish.has_value()) Finish(*finish);
  }

  void OnCancel() override { FinishWhenIdle(grpc::Status::CANCELLED); }

  void OnDone() override {
    {
      absl::MutexLock lock(&hub_.mu_);
      hub_.streams_.erase(this);
    }
    delete this;
  }

  // Finishes now when no write is in flight, else once it completes.
  void FinishWhenIdle(grpc::Status status) {
    std::optional<grpc::Status> finish;
    {
      absl::MutexLock lock(&hub_.mu_);
      if (writing_) {
        finish_pending_ = true;
        finish_status_ = std::move(status);
      } else {
        finish = hub_.ClaimFinishLocked(this, std::move(status));
      }
    }
    if (finish.has_value()) Finish(*finish);
  }

  SubscriptionHub& hub_;
  uint64_t after_;  // the last position sent
  absl::Time last_sent_ = absl::Now();
  bool writing_ = false;  // the pump or gRPC owns response_
  bool finished_ = false;
  bool finish_pending_ = false;
  grpc::Status finish_status_;
  bank::v1::SubscribeResponse response_;
};

SubscriptionHub::SubscriptionHub(EventStore& store, SubscriptionOptions options)
    : store_(store), options_(options), head_(store.durable_head()) {
  store_.AddHeadListener([this](uint64_t head) { OnDurableHead(head); });
  pump_ = std::thread([this] { PumpLoop(); });
}

SubscriptionHub::~SubscriptionHub() { Shutdown(); }

grpc::ServerWriteReactor<bank::v1::SubscribeResponse>* SubscriptionHub::Subscribe(
    grpc::CallbackServerContext* /*context*/, uint64_t after_position) {
  auto* stream = new Stream(*this, after_position);
  std::optional<grpc::Status> refusal;
  {
    absl::MutexLock lock(&mu_);
    streams_.insert(stream);
    if (stopping_) {
      refusal = grpc::Status(grpc::StatusCode::UNAVAILABLE, "the server is shutting down");
    } else if (after_position > head_) {
      refusal = ToGrpcStatus(absl::OutOfRangeError(absl::StrCat(
          "after_position ", after_position, " is beyond the log's durable head ", head_,
          ": this subscriber has seen events this log does not hold (was the command service's "
          "data replaced?)")));
    } else {
      ready_.push_back(stream);
    }
    if (refusal.has_value()) refusal = ClaimFinishLocked(stream, *refusal);
  }
  if (refusal.has_value()) stream->Finish(*refusal);
  return stream;
}

size_t SubscriptionHub::stream_count() const {
  absl::MutexLock lock(&mu_);
  return streams_.size();
}

void SubscriptionHub::Shutdown() {
  const grpc::Status shutting_down(grpc::StatusCode::UNAVAILABLE, "the server is shutting down");
  std::vector<Stream*> to_finish;
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return;
    stopping_ = true;
    for (Stream* stream : streams_) {
      if (stream->writing_) {
        stream->finish_pending_ = true;
        stream->finish_status_ = shutting_down;
      } else if (ClaimFinishLocked(stream, shutting_down).has_value()) {
        to_finish.push_back(stream);
      }
    }
  }
  // A claimed stream cannot be destroyed before its Finish, so these are live.
  for (Stream* stream : to_finish) stream->Finish(shutting_down);
  pump_.join();
}

std::optional<grpc::Status> SubscriptionHub::ClaimFinishLocked(Stream* stream,
                                                               grpc::Status status) {
  if (stream->finished_) return std::nullopt;
  stream->finished_ = true;
  idle_.erase(stream);
  std::erase(ready_, stream);
  return status;
}

void SubscriptionHub::ParkLocked(Stream* stream) {
  if (stream->after_ < head_) {
    ready_.push_back(stream);
  } else {
    idle_.insert(stream);
  }
}

void SubscriptionHub::OnDurableHead(uint64_t head) {
  std::vector<Stream*> serve_here;
  {
    absl::MutexLock lock(&mu_);
    head_ = head;
    // Idle streams were caught up with the previous head, so all are behind now.
    if (!stopping_ && idle_.size() <= kMaxStreamsServedByTheListener) {
      for (Stream* stream : idle_) {
        stream->writing_ = true;
        serve_here.push_back(stream);
      }
    } else {
      for (Stream* stream : idle_) ready_.push_back(stream);
    }
    idle_.clear();
  }
  for (Stream* stream : serve_here) Serve(stream, /*heartbeat_due=*/false);
}

void SubscriptionHub::PumpLoop() {
  const absl::Duration tick = options_.heartbeat_interval / 4;
  while (true) {
    Stream* stream = nullptr;
    bool heartbeat_due = false;
    {
      absl::MutexLock lock(&mu_);
      mu_.AwaitWithTimeout(absl::Condition(
                               +[](SubscriptionHub* hub) ABSL_EXCLUSIVE_LOCKS_REQUIRED(hub->mu_) {
                                 return !hub->ready_.empty() || hub->stopping_;
                               },
                               this),
                           tick);
      if (stopping_) return;
      const absl::Time now = absl::Now();
      QueueHeartbeatsLocked(now);
      if (ready_.empty()) continue;
      stream = ready_.front();
      ready_.pop_front();
      stream->writing_ = true;
      heartbeat_due = now - stream->last_sent_ >= options_.heartbeat_interval;
    }
    Serve(stream, heartbeat_due);
  }
}

void SubscriptionHub::QueueHeartbeatsLocked(absl::Time now) {
  std::vector<Stream*> due;
  for (Stream* stream : idle_) {
    if (now - stream->last_sent_ >= options_.heartbeat_interval) due.push_back(stream);
  }
  for (Stream* stream : due) {
    idle_.erase(stream);
    ready_.push_back(stream);
  }
}

void SubscriptionHub::Serve(Stream* stream, bool heartbeat_due) {
  // The stream is ours (writing_) until its write starts or we park it.
  std::vector<bank::v1::Event> events;
  const uint64_t head = store_.durable_head();
  absl::Status read = store_.ReadAfter(stream->after_, options_.max_events_per_message, &events);
  std::optional<grpc::Status> finish;
  bool send = false;
  {
    absl::MutexLock lock(&mu_);
    if (read.ok() && !stream->finish_pending_ && (!events.empty() || heartbeat_due)) {
      send = true;  // still ours: fill and send below, outside the lock
      if (!events.empty()) stream->after_ = events.back().position();
      stream->last_sent_ = absl::Now();
    } else {
      stream->writing_ = false;
      if (!read.ok()) {
        spdlog::error("Subscribe: cannot read the log after position {}: {}", stream->after_,
                      read.ToString());
        finish = ClaimFinishLocked(stream, ToGrpcStatus(read));
      } else if (stream->finish_pending_) {
        finish = ClaimFinishLocked(stream, stream->finish_status_);
      } else {
        ParkLocked(stream);
      }
    }
  }
  if (!send) {
    if (finish.has_value()) stream->Finish(*finish);
    return;
  }
  bank::v1::SubscribeResponse& response = stream->response_;
  response.Clear();
  for (bank::v1::Event& event : events) *response.add_events() = std::move(event);
  response.set_head_position(std::max(head, stream->after_));
  events_sent_.fetch_add(events.size(), std::memory_order_relaxed);
  stream->StartWrite(&response);
}

}  // namespace bank::command
