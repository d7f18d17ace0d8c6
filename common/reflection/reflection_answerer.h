#ifndef BANK_COMMON_REFLECTION_REFLECTION_ANSWERER_H_
#define BANK_COMMON_REFLECTION_REFLECTION_ANSWERER_H_

#include <google/protobuf/descriptor.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/reflection/descriptor_index.h"

namespace bank::reflection {

// The answers of one reflection stream, whichever package (v1, v1alpha) it
// speaks. A file answer holds the file asked for, always, then those of its
// transitive dependencies this stream has not carried yet (the rule of the
// reference Go implementation): a client builds its pool as it goes, and
// gets nothing twice but what it asked for.
//
// Errors: NOT_FOUND for a name the index does not hold, its message quoting
// at most the first 100 bytes of the name. Not thread-safe: a stream answers
// one request at a time.
class ReflectionAnswerer {
 public:
  explicit ReflectionAnswerer(std::shared_ptr<const DescriptorIndex> index);

  const std::vector<std::string>& ServiceNames() const { return index_->service_names(); }

  // Serialised FileDescriptorProtos, the requested file first.
  absl::StatusOr<std::vector<std::string>> FileByFilename(absl::string_view name);
  absl::StatusOr<std::vector<std::string>> FileContainingSymbol(absl::string_view symbol);
  absl::StatusOr<std::vector<std::string>> FileContainingExtension(absl::string_view type,
                                                                   int number);

  // Ascending.
  absl::StatusOr<std::vector<int>> ExtensionNumbersOf(absl::string_view type) const;

 private:
  std::vector<std::string> Send(const google::protobuf::FileDescriptor* file);
  void SendUnsentDependencies(const google::protobuf::FileDescriptor* file,
                              std::vector<std::string>* out);

  std::shared_ptr<const DescriptorIndex> index_;
  absl::flat_hash_set<const google::protobuf::FileDescriptor*> sent_;
};

}  // namespace bank::reflection

#endif  // BANK_COMMON_REFLECTION_REFLECTION_ANSWERER_H_
