#ifndef BANK_COMMON_REFUSED_CALL_H_
#define BANK_COMMON_REFUSED_CALL_H_

#include <grpcpp/grpcpp.h>

namespace bank {

// A streaming call of the callback API ended with `status` before any
// message (a caller without the right token), as the reactor to return
// from the rpc: gRPC takes the Finish begun in the constructor once it has
// the reactor, and OnDone frees it. `Reactor` is grpc::ServerWriteReactor<T>
// or grpc::ServerBidiReactor<Request, Response>.
template <typename Reactor>
class RefusedCall final : public Reactor {
 public:
  explicit RefusedCall(const grpc::Status& status) { this->Finish(status); }
  void OnDone() override { delete this; }
};

}  // namespace bank

#endif  // BANK_COMMON_REFUSED_CALL_H_
