#include "tools/bench/catchup.h"

#include "absl/strings/str_cat.h"
#include "bank/v1/command_service.grpc.pb.h"
#include "common/grpc_status.h"

namespace bank::bench {
double CatchupResult::EventsPerSecond() const {
  const double seconds = absl::ToDoubleSeconds(elapsed);
  return seconds > 0 ? static_cast<double>(events) / seconds : 0.0;
}

namespace {

// A Subscribe from position 0 under a deadline, read on the caller's thread.
class StreamFromStart {
 public:
  StreamFromStart(const std::shared_ptr<grpc::Channel>& channel, absl::Duration timeout)
      : stub_(bank::v1::CommandService::NewStub(channel)) {
    context_.set_deadline(std::chrono::system_clock::now() + absl::ToChronoNanoseconds(timeout));
    bank::v1::SubscribeRequest request;
    request.set_after_position(0);
    reader_ = stub_->Subscribe(&context_, request);
  }

  bool Read(bank::v1::SubscribeResponse* message) { return reader_->Read(message); }

  // Ends the stream before the server does.
  void Cancel() {
    context_.TryCancel();
    reader_->Finish().IgnoreError();
  }

  // Why the stream ended (after Read returned false): the server's status, or
  // UNAVAILABLE with `too_soon` when the server ended it normally.
  absl::Status Ended(absl::string_view too_soon) {
    absl::Status status = FromGrpcStatus(reader_->Finish());
    if (status.ok()) status = absl::UnavailableError(too_soon);
    return status;
  }

 private:
  std::unique_ptr<bank::v1::CommandService::Stub> stub_;
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReader<bank::v1::SubscribeResponse>> reader_;
};

}  // namespace

absl::StatusOr<CatchupResult> MeasureCatchup(const std::shared_ptr<grpc::Channel>& channel,
                                             absl::Duration timeout) {
  CatchupResult result;
  const absl::Time start = absl::Now();
  StreamFromStart stream(channel, timeout);
  bank::v1::SubscribeResponse message;
  bool first = true;
  uint64_t last = 0;
  while (stream.Read(&message)) {
    if (first) {
      result.head = message.head_position();
      first = false;
    }
    ++result.messages;
    for (const bank::v1::Event& event : message.events()) {
      if (event.position() != last + 1) {
        stream.Cancel();
        return absl::DataLossError(
            absl::StrCat("expected position ", last + 1, ", got ", event.position()));
      }
      last = event.position();
      ++result.events;
    }
    if (last >= result.head) {
      result.elapsed = absl::Now() - start;
      stream.Cancel();
      return result;
    }
  }
  return stream.Ended("the stream ended before the head");
}

absl::StatusOr<uint64_t> QueryHead(const std::shared_ptr<grpc::Channel>& channel,
                                   absl::Duration timeout) {
  StreamFromStart stream(channel, timeout);
  bank::v1::SubscribeResponse message;
  if (stream.Read(&message)) {
    stream.Cancel();
    return message.head_position();
  }
  return stream.Ended("Subscribe ended without a message");
}

}  // namespace bank::bench
