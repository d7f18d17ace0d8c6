#ifndef BANK_COMMON_REFLECTION_DESCRIPTOR_INDEX_H_
#define BANK_COMMON_REFLECTION_DESCRIPTOR_INDEX_H_

#include <google/protobuf/descriptor.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"

namespace bank::reflection {

// What server reflection can describe: the files of a server's services and
// every file they import, taken from protobuf's generated descriptor pool,
// with each file's symbols (messages, fields, oneofs, enums, enum values,
// extensions, services, methods) and extensions indexed.
//
// Why an index and not the pool itself: the generated pool remembers every
// name it was asked for and did not find (its negative cache), for good, so a
// client asking for ever new garbage names would grow the server's memory
// without bound. Untrusted names are looked up here only.
//
// Immutable once built; safe to read from any thread. Descriptors point into
// the generated pool, which lives as long as the process.
class DescriptorIndex {
 public:
  // `service_names` are full names (bank.v1.CommandService); a name the
  // generated pool does not hold (its .pb.cc is not linked) is still listed
  // but describes nothing, and is logged as a warning.
  explicit DescriptorIndex(std::vector<std::string> service_names);

  DescriptorIndex(const DescriptorIndex&) = delete;
  DescriptorIndex& operator=(const DescriptorIndex&) = delete;

  const std::vector<std::string>& service_names() const { return service_names_; }

  // nullptr when not indexed.
  const google::protobuf::FileDescriptor* FindFileByName(absl::string_view name) const;
  const google::protobuf::FileDescriptor* FindFileContainingSymbol(absl::string_view name) const;
  const google::protobuf::FileDescriptor* FindFileContainingExtension(absl::string_view type,
                                                                      int number) const;
  // The extension numbers of message type `type`, ascending (maybe none);
  // nullptr when `type` is not an indexed message.
  const std::vector<int>* FindExtensionNumbers(absl::string_view type) const;

  // `file`'s serialised FileDescriptorProto; `file` must be indexed.
  const std::string& Serialized(const google::protobuf::FileDescriptor* file) const;

 private:
  void AddFile(const google::protobuf::FileDescriptor* file);
  void AddMessage(const google::protobuf::Descriptor* message,
                  const google::protobuf::FileDescriptor* file);
  void AddEnum(const google::protobuf::EnumDescriptor* type,
               const google::protobuf::FileDescriptor* file);
  void AddExtension(const google::protobuf::FieldDescriptor* extension,
                    const google::protobuf::FileDescriptor* file);

  std::vector<std::string> service_names_;
  absl::flat_hash_map<std::string, const google::protobuf::FileDescriptor*> files_;
  absl::flat_hash_map<const google::protobuf::FileDescriptor*, std::string> serialized_;
  absl::flat_hash_map<std::string, const google::protobuf::FileDescriptor*> symbols_;
  absl::flat_hash_map<std::pair<std::string, int>, const google::protobuf::FileDescriptor*>
      extensions_;
  absl::flat_hash_map<std::string, std::vector<int>> extension_numbers_;
};

}  // namespace bank::reflection

#endif  // BANK_COMMON_REFLECTION_DESCRIPTOR_INDEX_H_
