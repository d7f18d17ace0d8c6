#ifndef BANK_TOOLS_BENCH_WORKLOAD_H_
#define BANK_TOOLS_BENCH_WORKLOAD_H_

#include <grpcpp/grpcpp.h>

#include <functional>

namespace bank::bench {

// Called exactly once, on any thread, when a call (or chain of calls) ends.
using CallDone = std::function<void(const grpc::Status&)>;

// One kind of call that a runner keeps in flight.
class Workload {
 public:
  virtual ~Workload() = default;

  // Starts one asynchronous call for `slot` (0 .. slots-1) and returns
  // without waiting; `done` runs when it ends. A runner never has two calls
  // of one slot in flight at once, so per-slot state needs no lock. The
  // workload must outlive every call it started.
  virtual void Start(int slot, CallDone done) = 0;
};

}  // namespace bank::bench

#endif  // BANK_TOOLS_BENCH_WORKLOAD_H_
