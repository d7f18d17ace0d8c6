#include "tests/query/fake_command_service.h"

#include <chrono>
#include <string>

#include "absl/strings/str_cat.h"

namespace bank::query::testing {

void FakeCommandService::Append(const std::vector<bank::v1::Event>& events) {
  absl::MutexLock lock(&mu_);
  log_.insert(log_.end(), events.begin(), events.end());
  appended_.SignalAll();
}

void FakeCommandService::TamperNextMessage(Tamper tamper) {
  absl::MutexLock lock(&mu_);
  tamper_ = std::move(tamper);
}

void FakeCommandService::SetSilent(bool silent) {
  absl::MutexLock lock(&mu_);
  silent_ = silent;
}

void FakeCommandService::Withhold(bool withhold) {
  absl::MutexLock lock(&mu_);
  withhold_ = withhold;
}

void FakeCommandService::FailAfter(uint64_t position) {
  absl::MutexLock lock(&mu_);
  fail_after_ = position;
}

std::vector<uint64_t> FakeCommandService::subscriptions() const {
  absl::MutexLock lock(&mu_);
  return subscriptions_;
}

std::vector<absl::Time> FakeCommandService::subscribed_at() const {
  absl::MutexLock lock(&mu_);
  return subscribed_at_;
}

grpc::Status FakeCommandService::Subscribe(
    grpc::ServerContext* context, const bank::v1::SubscribeRequest* request,
    grpc::ServerWriter<bank::v1::SubscribeResponse>* writer) {
  uint64_t next = request->after_position() + 1;
  {
    absl::MutexLock lock(&mu_);
    subscriptions_.push_back(request->after_position());
    subscribed_at_.push_back(absl::Now());
  }
  while (!context->IsCancelled()) {
    bank::v1::SubscribeResponse message;
    bool fail = false;
    {
      absl::MutexLock lock(&mu_);
      if (silent_) {
        appended_.WaitWithTimeout(&mu_, absl::Milliseconds(10));
        continue;
      }
      // Wakes every 10 ms to notice cancellation; a heartbeat after 50 ms.
      const auto deliverable = [&] { return !withhold_ && log_.size() >= next; };
      for (int waits = 0; !deliverable() && waits < 5 && !context->IsCancelled(); ++waits) {
        appended_.WaitWithTimeout(&mu_, absl::Milliseconds(10));
      }
      for (uint64_t p = next; deliverable() && p <= log_.size() && message.events_size() < batch_;
           ++p) {
        *message.add_events() = log_[p - 1];
      }
      next += message.events_size();
      message.set_head_position(log_.size());
      if (message.events_size() > 0 && tamper_) {
        tamper_(message);
        tamper_ = nullptr;
      }
      fail = fail_after_.has_value() && message.events_size() > 0 &&
             message.events(0).position() <= *fail_after_ &&
             *fail_after_ <= message.events(message.events_size() - 1).position();
    }
    if (!writer->Write(message)) break;
    if (fail) return grpc::Status(grpc::StatusCode::UNAVAILABLE, "this replica failed");
  }
  return grpc::Status::OK;
}

FakeServer::FakeServer(grpc::Service* service, int port) {
  grpc::ServerBuilder builder;
  builder.AddListeningPort(absl::StrCat("127.0.0.1:", port), grpc::InsecureServerCredentials(),
                           &port_);
  builder.RegisterService(service);
  server_ = builder.BuildAndStart();
}

std::string FakeServer::address() const { return absl::StrCat("127.0.0.1:", port_); }

void FakeServer::Shutdown() {
  if (server_ == nullptr) return;
  server_->Shutdown(std::chrono::system_clock::now());
  server_->Wait();
  server_.reset();
}

}  // namespace bank::query::testing
