#ifndef BANK_TESTS_QUERY_FAKE_COMMAND_SERVICE_H_
#define BANK_TESTS_QUERY_FAKE_COMMAND_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "bank/v1/command_service.grpc.pb.h"

namespace bank::query::testing {

// A CommandService whose Subscribe streams an in-memory log: history in
// messages of up to `batch` events, then live events as Append() adds them,
// and a heartbeat (no events, the head) every 50 ms of silence. Tamper() lets
// a test corrupt the next message to inject a gap or a repeat; SetSilent()
// makes every stream send nothing at all, like a hung peer, and Withhold()
// makes them send heartbeats only, whatever the head. FailAfter() makes a
// stream break mid-way, like a replica going down. Thread-safe.
class FakeCommandService final : public bank::v1::CommandService::Service {
 public:
  using Tamper = std::function<void(bank::v1::SubscribeResponse&)>;

  explicit FakeCommandService(int batch = 4) : batch_(batch) {}

  // Adds events (dense positions, continuing the log).
  void Append(const std::vector<bank::v1::Event>& events) ABSL_LOCKS_EXCLUDED(mu_);
  // Applies `tamper` to the next message that carries events, once.
  void TamperNextMessage(Tamper tamper) ABSL_LOCKS_EXCLUDED(mu_);
  // While silent, streams send neither events nor heartbeats.
  void SetSilent(bool silent) ABSL_LOCKS_EXCLUDED(mu_);
  // While withholding, streams send heartbeats with the head but no events.
  void Withhold(bool withhold) ABSL_LOCKS_EXCLUDED(mu_);
  // A stream that sends the message carrying `position` ends right after it
  // with UNAVAILABLE; streams that start beyond it are not affected.
  void FailAfter(uint64_t position) ABSL_LOCKS_EXCLUDED(mu_);
  // The after_position of every Subscribe received, in order.
  std::vector<uint64_t> subscriptions() const ABSL_LOCKS_EXCLUDED(mu_);
  // When each of them arrived (absl::Now()).
  std::vector<absl::Time> subscribed_at() const ABSL_LOCKS_EXCLUDED(mu_);

  grpc::Status Subscribe(grpc::ServerContext* context, const bank::v1::SubscribeRequest* request,
                         grpc::ServerWriter<bank::v1::SubscribeResponse>* writer) override;

 private:
  const int batch_;
  mutable absl::Mutex mu_;
  absl::CondVar appended_;
  std::vector<bank::v1::Event> log_ ABSL_GUARDED_BY(mu_);
  Tamper tamper_ ABSL_GUARDED_BY(mu_);
  bool silent_ ABSL_GUARDED_BY(mu_) = false;
  bool withhold_ ABSL_GUARDED_BY(mu_) = false;
  std::optional<uint64_t> fail_after_ ABSL_GUARDED_BY(mu_);
  std::vector<uint64_t> subscriptions_ ABSL_GUARDED_BY(mu_);
  std::vector<absl::Time> subscribed_at_ ABSL_GUARDED_BY(mu_);
};

// A gRPC server on 127.0.0.1 running one service; port 0 picks a free port,
// which a restarted server can then reuse.
class FakeServer {
 public:
  FakeServer(grpc::Service* service, int port = 0);
  ~FakeServer() { Shutdown(); }
  int port() const { return port_; }
  std::string address() const;
  // Cancels the calls in flight, like a process going away. Idempotent.
  void Shutdown();

 private:
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

}  // namespace bank::query::testing

#endif  // BANK_TESTS_QUERY_FAKE_COMMAND_SERVICE_H_
