// Writing a snapshot file: streamed in pieces, handed to the disk as it goes,
// and whole or absent.

#include "command-service/snapshot/snapshot_files.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "command-service/snapshot/snapshot_format.h"
#include "tests/command/log_test_util.h"

namespace bank::command {
namespace {

using ::bank::testing::DepositEvent;
using ::bank::testing::FreshDir;
using ::bank::testing::ReadFile;

std::vector<std::string> FileNames(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    names.push_back(entry.path().filename().string());
  }
  return names;
}

// A book whose snapshot spans several pieces: 100k accounts, each with one
// deposit that carries an id.
AccountBook BigBook() {
  AccountBook book;
  for (uint64_t position = 1; position <= 100'000; ++position) {
    EXPECT_TRUE(book.Replay(DepositEvent(absl::StrCat("account-", position), 1, 10,
                                         absl::StrCat("command-", position), position))
                    .ok());
  }
  return book;
}

TEST(SnapshotFilesTest, AnEncodingStreamsInPiecesThatMakeTheWhole) {
  std::vector<size_t> pieces;
  std::string streamed;
  ASSERT_TRUE(EncodeSnapshot(BigBook(), 100'000, {}, [&](absl::string_view piece) {
                streamed.append(piece.data(), piece.size());
                pieces.push_back(piece.size());
                return absl::OkStatus();
              }).ok());
  EXPECT_EQ(streamed, EncodeSnapshot(BigBook(), 100'000));
  ASSERT_GT(pieces.size(), 2u);  // ~5 MB
  for (size_t i = 0; i + 1 < pieces.size(); ++i) {
    EXPECT_GE(pieces[i], kSnapshotPieceBytes);
    EXPECT_LT(pieces[i], kSnapshotPieceBytes + 128);  // a piece ends at the first record past it
  }
  EXPECT_TRUE(DecodeSnapshot(streamed, kMinCommandRetention).ok());
}

TEST(SnapshotFilesTest, TheSinksFirstErrorStopsTheEncoding) {
  int calls = 0;
  const absl::Status encoded = EncodeSnapshot(BigBook(), 100'000, {}, [&calls](absl::string_view) {
    ++calls;
    return calls == 2 ? absl::ResourceExhaustedError("disk full") : absl::OkStatus();
  });
  EXPECT_EQ(encoded, absl::ResourceExhaustedError("disk full"));
  EXPECT_EQ(calls, 2);
}

TEST(SnapshotFilesTest, ACommittedFileHoldsEveryByteAppendedAcrossManyStretches) {
  const std::string dir = FreshDir("snapshot_file_stretches");
  // Three and a half stretches, in pieces that do not divide them.
  std::string bytes;
  for (size_t i = 0; bytes.size() < 3 * kSnapshotSyncBytes + kSnapshotSyncBytes / 2; ++i) {
    bytes += absl::StrCat("byte run ", i, ";");
  }
  absl::StatusOr<std::unique_ptr<SnapshotFileWriter>> file = SnapshotFileWriter::Create(dir, 42);
  ASSERT_TRUE(file.ok()) << file.status();
  constexpr size_t kPiece = 999'983;
  for (size_t at = 0; at < bytes.size(); at += kPiece) {
    ASSERT_TRUE((*file)->Append(absl::string_view(bytes).substr(at, kPiece)).ok());
  }
  ASSERT_TRUE((*file)->Commit().ok());
  EXPECT_EQ(FileNames(dir), std::vector<std::string>{SnapshotFileName(42)});
  EXPECT_EQ(ReadFile(dir + "/" + SnapshotFileName(42)), bytes);
}

TEST(SnapshotFilesTest, AWriterDroppedBeforeItsCommitLeavesNothing) {
  const std::string dir = FreshDir("snapshot_file_dropped");
  {
    absl::StatusOr<std::unique_ptr<SnapshotFileWriter>> file = SnapshotFileWriter::Create(dir, 7);
    ASSERT_TRUE(file.ok()) << file.status();
    ASSERT_TRUE((*file)->Append(std::string(kSnapshotSyncBytes + 1, 'x')).ok());
  }
  EXPECT_TRUE(FileNames(dir).empty());
}

TEST(SnapshotFilesTest, ADirectoryThatIsNotThereFailsAtCreation) {
  const std::string dir = FreshDir("snapshot_file_missing") + "/not-there";
  absl::StatusOr<std::unique_ptr<SnapshotFileWriter>> file = SnapshotFileWriter::Create(dir, 7);
  EXPECT_EQ(file.status().code(), absl::StatusCode::kNotFound) << file.status();
}

}  // namespace
}  // namespace bank::command
