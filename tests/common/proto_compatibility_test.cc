// Refuses proto changes that break wire compatibility in proto/bank/v1: every
// field, enum value and method recorded in proto/bank/v1/api.lock must still
// exist with the same number and type. Adding is free; renumbering, retyping,
// renaming or removing fails here. After a deliberate, compatible addition,
// scripts/update-proto-lock.sh rewrites the lock.

#include <google/protobuf/descriptor.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "bank/v1/command_service.pb.h"
#include "bank/v1/event.pb.h"
#include "bank/v1/query_service.pb.h"

namespace bank {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::EnumDescriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::FileDescriptor;

void AddEnum(const EnumDescriptor* type, std::set<std::string>* out) {
  for (int i = 0; i < type->value_count(); ++i) {
    out->insert(absl::StrCat("enum ", type->full_name(), ".", type->value(i)->name(), " = ",
                             type->value(i)->number()));
  }
}

void AddMessage(const Descriptor* type, std::set<std::string>* out) {
  for (int i = 0; i < type->field_count(); ++i) {
    const FieldDescriptor* field = type->field(i);
    std::string kind = field->type_name();
    if (field->message_type() != nullptr) kind = field->message_type()->full_name();
    if (field->enum_type() != nullptr) kind = field->enum_type()->full_name();
    out->insert(absl::StrCat("field ", type->full_name(), ".", field->name(), " = ",
                             field->number(), " ", field->is_repeated() ? "repeated " : "", kind));
  }
  for (int i = 0; i < type->nested_type_count(); ++i) AddMessage(type->nested_type(i), out);
  for (int i = 0; i < type->enum_type_count(); ++i) AddEnum(type->enum_type(i), out);
}

// The wire-relevant shape of every bank/v1 proto, one line per element.
std::set<std::string> CurrentShape() {
  // Touch one message of each file so that its descriptor is linked in.
  const FileDescriptor* files[] = {bank::v1::Event::descriptor()->file(),
                                   bank::v1::DepositRequest::descriptor()->file(),
                                   bank::v1::GetBalanceRequest::descriptor()->file()};
  std::set<std::string> shape;
  for (const FileDescriptor* file : files) {
    for (int i = 0; i < file->message_type_count(); ++i) AddMessage(file->message_type(i), &shape);
    for (int i = 0; i < file->enum_type_count(); ++i) AddEnum(file->enum_type(i), &shape);
    for (int s = 0; s < file->service_count(); ++s) {
      for (int m = 0; m < file->service(s)->method_count(); ++m) {
        const auto* method = file->service(s)->method(m);
        shape.insert(absl::StrCat(
            "rpc ", method->full_name(), "(", method->client_streaming() ? "stream " : "",
            method->input_type()->full_name(), ") returns (",
            method->server_streaming() ? "stream " : "", method->output_type()->full_name(), ")"));
      }
    }
  }
  return shape;
}

constexpr char kLockPath[] = BANK_SOURCE_DIR "/proto/bank/v1/api.lock";

TEST(ProtoCompatibilityTest, EveryLockedFieldValueAndMethodIsUnchanged) {
  const std::set<std::string> current = CurrentShape();
  if (std::getenv("BANK_UPDATE_PROTO_LOCK") != nullptr) {
    std::ofstream lock(kLockPath, std::ios::trunc);
    lock << "# The wire shape of proto/bank/v1 that every release keeps (see\n"
            "# tests/common/proto_compatibility_test.cc); rewrite with "
            "scripts/update-proto-lock.sh.\n";
    for (const std::string& line : current) lock << line << "\n";
    GTEST_SKIP() << "rewrote " << kLockPath;
  }
  std::ifstream lock(kLockPath);
  ASSERT_TRUE(lock.good()) << kLockPath;
  std::string line;
  int checked = 0;
  while (std::getline(lock, line)) {
    if (line.empty() || line[0] == '#') continue;
    ++checked;
    EXPECT_TRUE(current.count(line) == 1)
        << "wire-incompatible change to proto/bank/v1: \"" << line
        << "\" is gone (a field or value renumbered, retyped, renamed or removed breaks old "
           "clients and old logs; add a new field instead)";
  }
  EXPECT_GT(checked, 40);
}

}  // namespace
}  // namespace bank
