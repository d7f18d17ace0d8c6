#ifndef BANK_COMMAND_SERVICE_STORE_FILE_LOG_RECOVERY_H_
#define BANK_COMMAND_SERVICE_STORE_FILE_LOG_RECOVERY_H_

#include <string>

#include "absl/status/statusor.h"
#include "command-service/store/file/log_scan.h"

namespace bank::log {

// Start-up's recovery: ScanLog's judgement, then its repair. The caller must
// hold the directory's lock (DataDirLock), since this writes to it.
//
// A torn tail (a crash mid-write) is cut off the last segment, with a warning
// naming file and offset; a last segment too short to hold its header is
// removed, with a warning. Anything else damaged - in a sealed segment, or
// followed by valid records - is DATA_LOSS, and then nothing on disk has been
// changed. A segment format from a newer release is FAILED_PRECONDITION. The
// last segment's descriptor is opened read-write, for appends; torn_end is
// left set to say what was repaired.
// What the snapshot's `cut` holds is left unread where it can be, as
// ScanLog says.
absl::StatusOr<RecoveredLog> RecoverLog(const std::string& dir, size_t index_every,
                                        StoredEventVisitor visit, const SnapshotCut& cut = {});

}  // namespace bank::log

#endif  // BANK_COMMAND_SERVICE_STORE_FILE_LOG_RECOVERY_H_
