#include "command-service/store/postgres/postgres_event_store.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <iterator>
#include <optional>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "command-service/store/postgres/pg_binary.h"
#include "command-service/store/postgres/schema.h"
#include "command-service/store/postgres/store_sql.h"
#include "command-service/store/postgres/store_uri.h"
#include "google/protobuf/util/time_util.h"
#include "spdlog/spdlog.h"

namespace bank::store::postgres {
namespace {

constexpr absl::Duration kFirstBackoff = absl::Milliseconds(50);
constexpr absl::Duration kMaxBackoff = absl::Seconds(2);
constexpr size_t kMaxIdleReaders = 16;

// ALREADY_EXISTS or ABORTED when `group` conflicts with the stored
// `versions` and `stored_ids`, ids first; otherwise OK with the versions the
// group leaves its accounts at in `group_versions`. An event may follow an
// earlier one of its own group.
absl::Status CheckGroup(const std::vector<bank::v1::Event>& group,
                        const absl::flat_hash_map<std::string, uint64_t>& versions,
                        const absl::flat_hash_set<std::string>& stored_ids,
                        absl::flat_hash_map<std::string, uint64_t>& group_versions) {
  for (const bank::v1::Event& event : group) {
    if (!event.command_id().empty() && stored_ids.contains(event.command_id())) {
      return absl::AlreadyExistsError(
          absl::StrCat("command_id ", event.command_id(), " is already stored"));
    }
    auto [seen, fresh] = group_versions.try_emplace(event.account_id(), 0);
    if (fresh) {
      const auto stored = versions.find(event.account_id());
      seen->second = stored == versions.end() ? 0 : stored->second;
    }
    if (event.version() != seen->second + 1) {
      return absl::AbortedError(absl::StrCat("account ", event.account_id(), " is at version ",
                                             seen->second, " in the store; version ",
                                             event.version(), " was decided on other state"));
    }
    seen->second = event.version();
  }
  return absl::OkStatus();
}

// ALREADY_EXISTS when the command id of a refusal to confirm is stored;
// ABORTED when its account moved on from the version it was judged on.
absl::Status CheckJudged(const SharedEventStore::Judged& judged,
                         const absl::flat_hash_map<std::string, uint64_t>& versions,
                         const absl::flat_hash_set<std::string>& stored_ids) {
  const auto stored = versions.find(judged.account_id);
  return judged.Check(stored == versions.end() ? 0 : stored->second,
                      stored_ids.contains(judged.command_id));
}

std::vector<std::optional<std::string>> TextArray(const absl::flat_hash_set<std::string>& values) {
  return {values.begin(), values.end()};
}

}  // namespace

absl::StatusOr<std::unique_ptr<PostgresEventStore>> PostgresEventStore::Open(
    PostgresStoreOptions options) {
  if (absl::Status valid = ValidateUri(options.uri); !valid.ok()) return valid;
  if (absl::Status valid = ValidateSchemaName(options.schema); !valid.ok()) return valid;
  auto store = std::unique_ptr<PostgresEventStore>(new PostgresEventStore(std::move(options)));
  {
    absl::MutexLock lock(&store->mu_);
    store->committing_ = true;  // Open is the committer until it returns
  }
  absl::StatusOr<Connection*> connection = store->CommitConnection();
  uint64_t head = 0;
  if (connection.ok()) {
    absl::StatusOr<Result> read = (*connection)->Execute("read_head", Params());
    if (read.ok()) head = static_cast<uint64_t>(GetInt8(read->get(), 0, 0));
    connection = read.ok() ? connection : read.status();
  }
  {
    absl::MutexLock lock(&store->mu_);
    store->committing_ = false;
    if (!connection.ok()) {
      // What the operator must fix refuses start-up; an unreachable database
      // is waited for.
      if (connection.status().code() != absl::StatusCode::kUnavailable) return connection.status();
      store->commit_health_ = connection.status();
    }
    store->durable_head_ = head;
  }
  store->listener_ = std::thread([raw = store.get()] { raw->ListenLoop(); });
  // Open returns with the store's health and head as the database has them.
  absl::MutexLock lock(&store->mu_);
  store->mu_.Await(absl::Condition(&store->first_listen_done_));
  return store;
}

PostgresEventStore::PostgresEventStore(PostgresStoreOptions options)
    : options_(std::move(options)),
      channel_(NotifyChannel(options_.schema)),
      connect_backoff_(kFirstBackoff),
      wake_fd_(eventfd(0, EFD_CLOEXEC)) {}

PostgresEventStore::~PostgresEventStore() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    // A thread may still be between its last callback and leaving Commit.
    mu_.Await(absl::Condition(
        +[](int* threads) { return *threads == 0; }, &threads_in_commit_));
  }
  Commit();  // anything appended whose Commit has not run yet
  if (listener_.joinable()) {
    const uint64_t one = 1;
    (void)!write(wake_fd_, &one, sizeof(one));
    listener_.join();
  }
  close(wake_fd_);
}

std::string PostgresEventStore::description() const {
  return absl::StrCat("PostgreSQL store in schema ", options_.schema, " at ",
                      MaskPassword(options_.uri));
}

ConnectTarget PostgresEventStore::Target(absl::string_view role) const {
  return {.uri = options_.uri,
          .application_name = absl::StrCat(options_.application_name, ":", role)};
}

void PostgresEventStore::Append(std::vector<bank::v1::Event> group, AppendDone done) {
  AppendOrRedecide(std::move(group), nullptr, std::move(done));
}

void PostgresEventStore::AppendOrRedecide(std::vector<bank::v1::Event> group, Redecide redecide,
                                          AppendDone done) {
  // Queued even after a failure for good: Commit answers it (see EventStore).
  absl::MutexLock lock(&mu_);
  queue_.push_back({std::move(group), std::move(redecide), std::move(done), std::nullopt});
}

void PostgresEventStore::ConfirmOrRedecide(Judged judged, Redecide redecide, AppendDone done) {
  absl::MutexLock lock(&mu_);
  queue_.push_back({{}, std::move(redecide), std::move(done), std::move(judged)});
}

absl::flat_hash_map<std::string, uint64_t> PostgresEventStore::DecidedOn(
    const PendingAppend& append) {
  absl::flat_hash_map<std::string, uint64_t> decided_on;
  if (append.judged.has_value()) decided_on[append.judged->account_id] = append.judged->version;
  for (const bank::v1::Event& event : append.group) {
    decided_on.try_emplace(event.account_id(), event.version() - 1);
  }
  return decided_on;
}

void PostgresEventStore::Commit() {
  mu_.Lock();
  ++threads_in_commit_;
  while (!committing_ && !queue_.empty()) {
    committing_ = true;
    std::vector<PendingAppend> batch;
    batch.swap(queue_);
    mu_.Unlock();
    CommitBatch(std::move(batch));
    // Appends that queued while this thread answered, with nobody left to
    // commit them, are this thread's to commit: loop.
    mu_.Lock();
  }
  --threads_in_commit_;
  mu_.Unlock();
}

void PostgresEventStore::CommitBatch(std::vector<PendingAppend> batch) {
  std::vector<absl::StatusOr<uint64_t>> outcomes;
  uint64_t head = 0;
  absl::Status status;
  {
    absl::MutexLock lock(&mu_);
    if (sticky_) status = commit_health_;
  }
  const auto started = std::chrono::steady_clock::now();
  if (status.ok()) {
    status = WriteBatch(batch, outcomes, &head);
  } else {
    outcomes.assign(batch.size(), status);
  }
  if (head > 0) {
    const absl::Duration took = absl::FromChrono(std::chrono::steady_clock::now() - started);
    AdvanceHead(head);
    // The groups stored went to consecutive positions, the first one's up to head.
    uint64_t first = head;
    for (const absl::StatusOr<uint64_t>& outcome : outcomes) {
      if (outcome.ok() && *outcome != 0) first = std::min(first, *outcome);
    }
    absl::MutexLock lock(&listeners_mu_);
    for (const CommitListener& listener : commit_listeners_) {
      listener({.duration = took, .events = static_cast<size_t>(head - first + 1)});
    }
  }
  {
    absl::MutexLock lock(&mu_);
    if (!sticky_) {
      if (!status.ok() && commit_health_.ok()) {
        spdlog::warn("PostgreSQL store: a commit failed, its commands are answered UNAVAILABLE: {}",
                     status.ToString());
      } else if (status.ok() && !commit_health_.ok()) {
        spdlog::info("PostgreSQL store: commits succeed again");
      }
      // A conflict the batch's statements ran into is a verdict on those
      // appends, not on the store.
      if (status.code() != absl::StatusCode::kAborted) commit_health_ = status;
      if (!status.ok()) own_commit_pid_ = 0;
      sticky_ = status.code() == absl::StatusCode::kFailedPrecondition;
    }
    committing_ = false;
  }
  for (size_t i = 0; i < batch.size(); ++i) std::move(batch[i].done)(std::move(outcomes[i]));
}

absl::Status PostgresEventStore::WriteBatch(std::vector<PendingAppend>& batch,
                                            std::vector<absl::StatusOr<uint64_t>>& outcomes,
                                            uint64_t* head) {
  absl::StatusOr<Connection*> connection = CommitConnection();
  absl::Status status = connection.status();
  if (status.ok()) {
    // Optimistic first: the batch is judged on what it reads, and the head
    // row is locked only by the statement that stores it, so no replica
    // waits on another's round trips. A replica that stored one of its
    // accounts' versions or command ids meanwhile makes that statement fail
    // on the unique constraints: then once more with the head row locked
    // first, where no writer can race it.
    status = WriteBatchInTransaction(**connection, batch, /*lock_first=*/false, outcomes, head);
    if (status.code() == absl::StatusCode::kAborted) {
      spdlog::debug("PostgreSQL store: another replica raced a commit; trying it again, locked: {}",
                    status.ToString());
      status = (*connection)->ExecuteSql("ROLLBACK").status();
      outcomes.clear();
      if (status.ok()) {
        status = WriteBatchInTransaction(**connection, batch, /*lock_first=*/true, outcomes, head);
      }
    }
    if (!status.ok()) {
      *head = 0;
      if (status.code() == absl::StatusCode::kUnavailable) {
        commit_connection_.reset();  // see WithReadConnection
      } else if (!(*connection)->broken() &&
                 PQtransactionStatus((*connection)->raw()) != PQTRANS_IDLE) {
        (void)(*connection)->ExecuteSql("ROLLBACK");
      }
    }
  }
  if (!status.ok()) {
    if (status.code() == absl::StatusCode::kAborted) {
      status = absl::AbortedError(absl::StrCat(
          "another writer stored a conflicting event while this commit ran: ", status.message()));
    }
    outcomes.assign(batch.size(), status);
  }
  return status;
}

absl::Status PostgresEventStore::WriteBatchInTransaction(
    Connection& connection, std::vector<PendingAppend>& batch, bool lock_first,
    std::vector<absl::StatusOr<uint64_t>>& outcomes, uint64_t* head) {
  absl::flat_hash_set<std::string> accounts, command_ids;
  // For the groups that may be decided again: each account's lowest version
  // a group of it was decided on.
  absl::flat_hash_map<std::string, uint64_t> decided_on;
  for (const PendingAppend& append : batch) {
    for (const bank::v1::Event& event : append.group) {
      accounts.insert(event.account_id());
      if (!event.command_id().empty()) command_ids.insert(event.command_id());
    }
    if (append.judged.has_value()) {
      accounts.insert(append.judged->account_id);
      if (!append.judged->command_id.empty()) command_ids.insert(append.judged->command_id);
    }
    if (append.redecide == nullptr) continue;
    for (const auto& [account, version] : DecidedOn(append)) {
      auto [lowest, first] = decided_on.try_emplace(account, version);
      if (!first) lowest->second = std::min(lowest->second, version);
    }
  }
  // One round trip: BEGIN (and, when asked, the head row locked first: from
  // there until COMMIT no other writer commits), the stored versions of the
  // batch's accounts, which of its command ids are stored, and the events
  // a redecision would need (for accounts no other writer moved on, none).
  std::vector<std::optional<std::string>> redecidable, after_versions;
  for (const auto& [account, version] : decided_on) {
    redecidable.push_back(account);
    after_versions.push_back(Int8(static_cast<int64_t>(version)));
  }
  std::vector<Call> reads;
  reads.push_back({"begin", Params()});
  if (lock_first) reads.push_back({"lock_head", Params()});
  reads.push_back({"account_versions", Params().Add(Array(kTextOid, TextArray(accounts)))});
  reads.push_back({"stored_commands", Params().Add(Array(kTextOid, TextArray(command_ids)))});
  reads.push_back(
      {"read_accounts_after",
       Params().Add(Array(kTextOid, redecidable)).Add(Array(kInt8Oid, after_versions))});
  absl::StatusOr<std::vector<Result>> read = connection.ExecuteAll(reads);
  if (!read.ok()) return read.status();
  const size_t first_read = lock_first ? 2 : 1;
  absl::flat_hash_map<std::string, uint64_t> versions;
  const PGresult* stored_versions = (*read)[first_read].get();
  for (int row = 0; row < PQntuples(stored_versions); ++row) {
    versions[GetBytes(stored_versions, row, 0)] =
        static_cast<uint64_t>(GetInt8(stored_versions, row, 1));
  }
  absl::flat_hash_set<std::string> stored_ids;
  const PGresult* stored_commands = (*read)[first_read + 1].get();
  for (int row = 0; row < PQntuples(stored_commands); ++row) {
    stored_ids.emplace(GetBytes(stored_commands, row, 0));
  }
  StoredByAccount unseen;
  for (const auto& [account, version] : decided_on) unseen[account];
  std::vector<bank::v1::Event> events;
  const PGresult* unseen_rows = (*read)[first_read + 2].get();
  if (absl::Status decoded = DecodeRows(unseen_rows, PQntuples(unseen_rows), &events);
      !decoded.ok()) {
    return decoded;
  }
  for (bank::v1::Event& event : events) unseen[event.account_id()].push_back(std::move(event));

  // The same verdicts as MemoryEventStore's, group by group in Append order,
  // at positions counted from the head (append_events adds it).
  const int64_t now_micros = absl::ToUnixMicros(absl::Now());
  EventRows columns(EventRows::Positions::kFromHead);
  std::deque<bank::v1::Event> stored_here;  // this commit's, in position order
  uint64_t position = 0;
  for (PendingAppend& append : batch) {
    const std::vector<bank::v1::Event>* group = &append.group;
    absl::flat_hash_map<std::string, uint64_t> group_versions;
    absl::Status conflict = append.judged.has_value()
                                ? CheckJudged(*append.judged, versions, stored_ids)
                                : CheckGroup(*group, versions, stored_ids, group_versions);
    if (conflict.ok() && append.judged.has_value()) {
      outcomes.push_back(0);  // the refusal stands
      continue;
    }
    std::vector<bank::v1::Event> again;
    if (conflict.code() == absl::StatusCode::kAborted && append.redecide != nullptr) {
      absl::StatusOr<std::vector<bank::v1::Event>> redecided =
          RedecideInCommit(append, unseen, stored_here);
      if (!redecided.ok()) {
        outcomes.push_back(redecided.status());
        continue;
      }
      again = *std::move(redecided);
      if (again.empty()) {
        outcomes.push_back(absl::InternalError("a redecision returned no event to store"));
        continue;
      }
      group = &again;
      group_versions.clear();
      conflict = CheckGroup(*group, versions, stored_ids, group_versions);
    }
    if (!conflict.ok()) {
      outcomes.push_back(std::move(conflict));
      continue;
    }
    const uint64_t first = position + 1;
    const uint64_t group_end = position + group->size();
    for (const bank::v1::Event& decided : *group) {
      bank::v1::Event& event = stored_here.emplace_back(decided);
      event.set_position(++position);
      *event.mutable_recorded_at() =
          google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(now_micros);
      columns.Add(event, group_end, event.position() == first);
    }
    for (const auto& [account, version] : group_versions) versions[account] = version;
    if (!group->front().command_id().empty()) stored_ids.insert(group->front().command_id());
    outcomes.push_back(first);
  }
  // One more round trip: the events, the new head and its NOTIFY, COMMIT.
  std::vector<Call> writes;
  if (!columns.empty()) {
    writes.push_back({"append_events", columns.ToParams().Add(std::string(channel_))});
  }
  writes.push_back({"commit", Params()});
  absl::StatusOr<std::vector<Result>> written = connection.ExecuteAll(writes);
  if (!written.ok()) return written.status();
  if (columns.empty()) return absl::OkStatus();
  const uint64_t before = static_cast<uint64_t>(GetInt8((*written)[0].get(), 0, 0));
  for (absl::StatusOr<uint64_t>& outcome : outcomes) {
    if (outcome.ok() && *outcome != 0) *outcome += before;  // 0: a refusal confirmed
  }
  *head = before + position;
  return absl::OkStatus();
}

absl::StatusOr<std::vector<bank::v1::Event>> PostgresEventStore::RedecideInCommit(
    PendingAppend& append, const StoredByAccount& unseen,
    const std::deque<bank::v1::Event>& stored_here) const {
  // Each account's version when the group was decided: it is shown what
  // came after, stored before this commit (from `unseen`, read for the
  // lowest such version of the batch), then stored by it.
  const absl::flat_hash_map<std::string, uint64_t> decided_on = DecidedOn(append);
  auto after_decision = [&decided_on](const bank::v1::Event& event) {
    const auto account = decided_on.find(event.account_id());
    return account != decided_on.end() && event.version() > account->second;
  };
  std::vector<bank::v1::Event> stored;
  for (const auto& [account, version] : decided_on) {
    const std::vector<bank::v1::Event>& read = unseen.at(account);
    std::copy_if(read.begin(), read.end(), std::back_inserter(stored), after_decision);
  }
  std::sort(stored.begin(), stored.end(), [](const bank::v1::Event& a, const bank::v1::Event& b) {
    return a.position() < b.position();
  });
  // This commit's come after them all (its positions still count from the
  // head).
  std::copy_if(stored_here.begin(), stored_here.end(), std::back_inserter(stored), after_decision);
  return append.redecide(stored);
}

absl::StatusOr<Connection*> PostgresEventStore::CommitConnection() {
  if (commit_connection_ != nullptr && commit_connection_->StillOpen()) {
    return commit_connection_.get();
  }
  commit_connection_.reset();
  if (absl::Now() < next_connect_) {
    return absl::UnavailableError(absl::StrCat("no connection to PostgreSQL (",
                                               last_connect_error_.message(), "); retrying"));
  }
  absl::StatusOr<std::unique_ptr<Connection>> opened = OpenWithSchema("commit");
  if (!opened.ok()) {
    last_connect_error_ = opened.status();
    next_connect_ = absl::Now() + connect_backoff_;
    connect_backoff_ = std::min(connect_backoff_ * 2, kMaxBackoff);
    return opened.status();
  }
  connect_backoff_ = kFirstBackoff;
  commit_connection_ = std::move(*opened);
  absl::MutexLock lock(&mu_);
  own_commit_pid_ = PQbackendPID(commit_connection_->raw());
  return commit_connection_.get();
}

absl::StatusOr<std::unique_ptr<Connection>> PostgresEventStore::OpenWithSchema(
    absl::string_view role) const {
  absl::StatusOr<std::unique_ptr<Connection>> connection = Connection::Open(Target(role));
  if (!connection.ok()) return connection;
  // The store's statements name its tables, so they are prepared once the
  // tables are there.
  absl::Status ready = (*connection)->Prepare(SchemaStatements());
  if (ready.ok()) ready = EnsureSchema(**connection, options_.schema);
  if (ready.ok()) ready = (*connection)->Prepare(StoreStatements(options_.schema));
  if (!ready.ok()) return ready;
  return connection;
}

absl::Status PostgresEventStore::ReadAfter(uint64_t after, size_t max_events,
                                           std::vector<bank::v1::Event>* out) const {
  // Up to the head this replica knows, so that a reader and the head
  // listeners see the same store; the head is always a group's end.
  const uint64_t head = durable_head();
  if (max_events == 0 || after >= head) return absl::OkStatus();
  const uint64_t last = std::min<uint64_t>(head, after + max_events);
  return WithReadConnection([&](Connection& connection) -> absl::Status {
    absl::StatusOr<Result> rows = connection.Execute(
        "read_range",
        Params().Add(Int8(static_cast<int64_t>(after))).Add(Int8(static_cast<int64_t>(last))));
    if (!rows.ok()) return rows.status();
    // A group the range cuts is read to its end, as MemoryEventStore does.
    const int count = PQntuples(rows->get());
    if (count > 0 && GetInt8(rows->get(), count - 1, 1) > static_cast<int64_t>(last)) {
      rows = connection.Execute("read_range", Params()
                                                  .Add(Int8(static_cast<int64_t>(after)))
                                                  .Add(Int8(GetInt8(rows->get(), count - 1, 1))));
      if (!rows.ok()) return rows.status();
    }
    return DecodeRows(rows->get(), PQntuples(rows->get()), out);
  });
}

absl::Status PostgresEventStore::ReadAccount(absl::string_view account_id, uint64_t after_version,
                                             std::vector<bank::v1::Event>* out) const {
  return WithReadConnection([&](Connection& connection) -> absl::Status {
    absl::StatusOr<Result> rows = connection.Execute(
        "read_account",
        Params().Add(std::string(account_id)).Add(Int8(static_cast<int64_t>(after_version))));
    if (!rows.ok()) return rows.status();
    return DecodeRows(rows->get(), PQntuples(rows->get()), out);
  });
}

absl::Status PostgresEventStore::ReadCommand(absl::string_view command_id,
                                             std::vector<bank::v1::Event>* out) const {
  return WithReadConnection([&](Connection& connection) -> absl::Status {
    absl::StatusOr<Result> rows =
        connection.Execute("read_command", Params().Add(std::string(command_id)));
    if (!rows.ok()) return rows.status();
    return DecodeRows(rows->get(), PQntuples(rows->get()), out);
  });
}

absl::Status PostgresEventStore::DecodeRows(const PGresult* rows, int count,
                                            std::vector<bank::v1::Event>* out) const {
  const size_t start = out->size();
  for (int row = 0; row < count; ++row) {
    const int16_t version = GetInt2(rows, row, 2);
    absl::Status upcast = options_.upcaster.Upcast(
        {.schema_version = static_cast<uint8_t>(std::clamp<int16_t>(version, 0, 255)),
         .position = static_cast<uint64_t>(GetInt8(rows, row, 0)),
         .payload = GetBytes(rows, row, 3),
         .group_end = static_cast<uint64_t>(GetInt8(rows, row, 1))},
        &out->emplace_back());
    if (!upcast.ok()) {
      out->resize(start);
      return upcast;
    }
  }
  return absl::OkStatus();
}

absl::Status PostgresEventStore::WithReadConnection(
    const std::function<absl::Status(Connection&)>& read) const {
  // A pooled connection may have died since it was last used (a restarted
  // server): then the read is tried once more on a new one.
  for (int attempt = 0;; ++attempt) {
    std::unique_ptr<Connection> connection;
    {
      absl::MutexLock lock(&pool_mu_);
      if (!idle_readers_.empty()) {
        connection = std::move(idle_readers_.back());
        idle_readers_.pop_back();
      }
    }
    const bool pooled = connection != nullptr;
    if (!pooled) {
      absl::StatusOr<std::unique_ptr<Connection>> opened = Connection::Open(Target("read"));
      if (opened.ok()) {
        if (absl::Status prepared = (*opened)->Prepare(StoreStatements(options_.schema));
            !prepared.ok()) {
          return prepared;
        }
      }
      if (!opened.ok()) return opened.status();
      connection = std::move(*opened);
    }
    absl::Status status = read(*connection);
    // UNAVAILABLE may come before libpq has seen the connection close (the
    // server's "terminating connection" error): such a connection is done.
    if (!connection->broken() && status.code() != absl::StatusCode::kUnavailable) {
      absl::MutexLock lock(&pool_mu_);
      if (idle_readers_.size() < kMaxIdleReaders) idle_readers_.push_back(std::move(connection));
      return status;
    }
    if (!pooled || attempt > 0) return status;
  }
}

uint64_t PostgresEventStore::durable_head() const {
  absl::MutexLock lock(&mu_);
  return durable_head_;
}

absl::Status PostgresEventStore::health() const {
  absl::MutexLock lock(&mu_);
  if (!commit_health_.ok()) return commit_health_;
  return listen_health_;
}

void PostgresEventStore::AddHeadListener(HeadListener listener) {
  absl::MutexLock lock(&listeners_mu_);
  listeners_.push_back(std::move(listener));
}

void PostgresEventStore::AddCommitListener(CommitListener listener) {
  absl::MutexLock lock(&listeners_mu_);
  commit_listeners_.push_back(std::move(listener));
}

void PostgresEventStore::AdvanceHead(uint64_t head) {
  absl::MutexLock listeners_lock(&listeners_mu_);
  {
    absl::MutexLock lock(&mu_);
    durable_head_ = std::max(durable_head_, head);
    head = durable_head_;
  }
  // The other thread's call may have told them this head already.
  if (head == notified_head_) return;
  notified_head_ = head;
  for (const HeadListener& listener : listeners_) listener(head);
}

bool PostgresEventStore::FromOwnCommitter(int backend_pid) const {
  absl::MutexLock lock(&mu_);
  return backend_pid == own_commit_pid_;
}

void PostgresEventStore::ListenLoop() {
  absl::Duration backoff = kFirstBackoff;
  for (;;) {
    bool listened = false;
    absl::Status lost = ListenOnce(&listened);
    {
      absl::MutexLock lock(&mu_);
      first_listen_done_ = true;
      if (stopping_) return;
      if (listen_health_.ok()) {
        spdlog::warn("PostgreSQL store: lost its connection to the database, reconnecting: {}",
                     lost.ToString());
      }
      listen_health_ = lost;
    }
    if (listened) backoff = kFirstBackoff;
    pollfd wake = {.fd = wake_fd_, .events = POLLIN, .revents = 0};
    if (poll(&wake, 1, static_cast<int>(absl::ToInt64Milliseconds(backoff))) > 0) return;
    backoff = std::min(backoff * 2, kMaxBackoff);
  }
}

absl::Status PostgresEventStore::ListenOnce(bool* listened) {
  absl::StatusOr<std::unique_ptr<Connection>> opened = OpenWithSchema("listen");
  if (!opened.ok()) {
    if (opened.status().code() == absl::StatusCode::kFailedPrecondition) {
      absl::MutexLock lock(&mu_);
      if (!sticky_) spdlog::error("PostgreSQL store: {}", opened.status().ToString());
      commit_health_ = opened.status();
      sticky_ = true;
    }
    return opened.status();
  }
  Connection& connection = **opened;
  absl::StatusOr<Result> listening =
      connection.ExecuteSql(absl::StrCat("LISTEN ", QuoteIdentifier(channel_)));
  if (!listening.ok()) return listening.status();
  // Commits made while nobody listened: the head as it is now.
  absl::StatusOr<Result> head = connection.Execute("read_head", Params());
  if (!head.ok()) return head.status();
  AdvanceHead(static_cast<uint64_t>(GetInt8(head->get(), 0, 0)));
  *listened = true;
  {
    absl::MutexLock lock(&mu_);
    if (!listen_health_.ok()) spdlog::info("PostgreSQL store: connected to the database again");
    listen_health_ = absl::OkStatus();
    // The database answers again: the next commit reconnects, so a failed
    // commit no longer speaks for the store.
    if (!sticky_ && commit_health_.code() == absl::StatusCode::kUnavailable) {
      commit_health_ = absl::OkStatus();
    }
    first_listen_done_ = true;
  }
  for (;;) {
    pollfd fds[] = {{.fd = connection.socket(), .events = POLLIN, .revents = 0},
                    {.fd = wake_fd_, .events = POLLIN, .revents = 0}};
    if (poll(fds, 2, -1) < 0) continue;  // EINTR
    if (fds[1].revents != 0) return absl::OkStatus();
    if (PQconsumeInput(connection.raw()) == 0) {
      return absl::UnavailableError(absl::StrCat("PostgreSQL: ", PQerrorMessage(connection.raw())));
    }
    uint64_t newest = 0;
    while (PGnotify* notify = PQnotifies(connection.raw())) {
      uint64_t notified = 0;
      if (absl::SimpleAtoi(notify->extra, &notified) && !FromOwnCommitter(notify->be_pid)) {
        newest = std::max(newest, notified);
      }
      PQfreemem(notify);
    }
    if (newest > 0) AdvanceHead(newest);
  }
}

}  // namespace bank::store::postgres
