#ifndef BANK_COMMAND_SERVICE_STORE_POSTGRES_POSTGRES_EVENT_STORE_H_
#define BANK_COMMAND_SERVICE_STORE_POSTGRES_POSTGRES_EVENT_STORE_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "command-service/store/event_store.h"
#include "command-service/store/event_upcaster.h"
#include "command-service/store/postgres/pg_connection.h"

namespace bank::store::postgres {

struct PostgresStoreOptions {
  std::string uri;              // libpq's URI syntax; several hosts allowed
  std::string schema = "bank";  // --store_schema
  // Each connection is named <application_name>:<role> in pg_stat_activity
  // (roles: commit, listen, read).
  std::string application_name = "command-service";
  EventUpcaster upcaster{};
};

// The SharedEventStore of any number of command-service replicas on one
// PostgreSQL database (the tables are in schema.h).
//
// Commits. Group commit as in the file log: Append() queues; Commit() makes
// the calling thread the committer unless another is, and the committer puts
// everything queued into one transaction on the store's one commit
// connection, in two round trips. The first reads the stored versions of
// the batch's accounts, which of its command ids are stored, and the events
// a redecision would need; the store then refuses the groups that conflict
// (ABORTED, ALREADY_EXISTS) or decides them again (AppendOrRedecide). The
// second stores the rest with one statement that first moves the `head` row
// of store_meta on and takes its positions after the head it found, then
// COMMIT. That row's lock orders every replica's commits: the next cannot
// read the head until this one has committed, so positions are gapless and
// in commit order (a reader never sees position p + 1 before p), and no
// replica waits on another's round trips. A replica that stored one of the
// batch's versions or command ids between the two round trips makes the
// statement fail on the unique constraints; the batch is then tried once
// more with the head row locked first, which no writer can race. (A buggy
// writer still gets the whole batch refused, ABORTED.) The committer gives
// up its role before the callbacks run, as EventStore says.
//
// Live events. The commit's transaction sends a NOTIFY with its new head;
// a thread of the store LISTENs on its own connection and advances the
// durable head (and calls the head listeners) for other replicas' commits,
// so Subscribe on every replica streams every replica's events with no
// polling loop.
//
// Failures are transient: a lost connection fails the commit it broke with
// UNAVAILABLE (its outcome may be unknown: the commit may have happened; a
// retry's command_id tells) and health() reports UNAVAILABLE until the
// database answers again. Connections are reopened with backoff (libpq
// tries the URI's hosts in turn: with target_session_attrs=read-write that
// finds a promoted standby). A store whose schema turns out to be another
// release's when the database comes back fails for good (FAILED_PRECONDITION).
//
// Reads run on a small pool of connections of their own, so Subscribe's
// catch-up and the handler's account loads never wait behind a commit.
//
// Thread-safe. Listeners run on the committing thread (this replica's
// commits) or the store's listening thread (the others'), one call at a
// time. The destructor commits what is queued and stops the thread.
class PostgresEventStore final : public SharedEventStore {
 public:
  // INVALID_ARGUMENT for a malformed URI or schema name (the URI masked);
  // FAILED_PRECONDITION when the schema holds tables that are not this
  // store's or a newer release's. A database that cannot be reached is not
  // an error: the store starts UNAVAILABLE and connects when it can.
  static absl::StatusOr<std::unique_ptr<PostgresEventStore>> Open(PostgresStoreOptions options);
  ~PostgresEventStore() override;

  void Append(std::vector<bank::v1::Event> group, AppendDone done) override;
  void AppendOrRedecide(std::vector<bank::v1::Event> group, Redecide redecide,
                        AppendDone done) override;
  void ConfirmOrRedecide(Judged judged, Redecide redecide, AppendDone done) override;
  void Commit() override;
  absl::Status ReadAfter(uint64_t after, size_t max_events,
                         std::vector<bank::v1::Event>* out) const override;
  uint64_t durable_head() const override;
  absl::Status health() const override;
  void AddHeadListener(HeadListener listener) override;
  void AddCommitListener(CommitListener listener) override;
  absl::Status ReadAccount(absl::string_view account_id, uint64_t after_version,
                           std::vector<bank::v1::Event>* out) const override;
  absl::Status ReadCommand(absl::string_view command_id,
                           std::vector<bank::v1::Event>* out) const override;

  // The URI with its password masked, for log lines.
  std::string description() const;

 private:
  struct PendingAppend {
    std::vector<bank::v1::Event> group;  // empty for a refusal to confirm
    Redecide redecide;                   // may be empty
    AppendDone done;
    std::optional<Judged> judged;  // a refusal to confirm
  };
  // Each account of `append` with the version it was decided (or its
  // refusal judged) on.
  static absl::flat_hash_map<std::string, uint64_t> DecidedOn(const PendingAppend& append);

  explicit PostgresEventStore(PostgresStoreOptions options);

  // The committer's: commits `batch` and answers it.
  void CommitBatch(std::vector<PendingAppend> batch);
  // One transaction for `batch`: each append's outcome in `outcomes`, and
  // the new head (0 when nothing was stored).
  absl::Status WriteBatch(std::vector<PendingAppend>& batch,
                          std::vector<absl::StatusOr<uint64_t>>& outcomes, uint64_t* head);
  // One try at it: optimistic, or with the head row locked first.
  absl::Status WriteBatchInTransaction(Connection& connection, std::vector<PendingAppend>& batch,
                                       bool lock_first,
                                       std::vector<absl::StatusOr<uint64_t>>& outcomes,
                                       uint64_t* head);
  // Stored events by account, read inside a commit.
  using StoredByAccount = absl::flat_hash_map<std::string, std::vector<bank::v1::Event>>;
  // Calls `append`'s redecide on the stored events of its group's accounts
  // that its decision did not see: from `unseen`, read for this commit, and
  // from `stored_here`, this commit's groups before it.
  absl::StatusOr<std::vector<bank::v1::Event>> RedecideInCommit(
      PendingAppend& append, const StoredByAccount& unseen,
      const std::deque<bank::v1::Event>& stored_here) const;
  // The commit connection, (re)opened with backoff; the committer's alone.
  absl::StatusOr<Connection*> CommitConnection();
  // A new connection with the schema created or checked (EnsureSchema) and
  // the store's statements prepared.
  absl::StatusOr<std::unique_ptr<Connection>> OpenWithSchema(absl::string_view role) const;

  // Runs `read` on a pooled read connection, reconnecting a broken one.
  absl::Status WithReadConnection(const std::function<absl::Status(Connection&)>& read) const;
  // Appends the first `count` rows of (position, group_end, schema_version,
  // payload) to `out`, upcast; on an error, none of them.
  absl::Status DecodeRows(const PGresult* rows, int count, std::vector<bank::v1::Event>* out) const;

  // Raises the durable head to `head` and tells the listeners.
  void AdvanceHead(uint64_t head);
  void ListenLoop();
  // A NOTIFY sent by this store's own commit connection (see own_commit_pid_).
  bool FromOwnCommitter(int backend_pid) const;
  // One connection's life on the listening thread: LISTEN, catch up on the
  // head, and wait for notifications until it breaks (the error) or the
  // store stops (OK). `listened` tells whether it got as far as LISTEN.
  absl::Status ListenOnce(bool* listened);

  ConnectTarget Target(absl::string_view role) const;

  const PostgresStoreOptions options_;
  const std::string channel_;  // NOTIFY channel: one per schema

  mutable absl::Mutex mu_;
  std::vector<PendingAppend> queue_ ABSL_GUARDED_BY(mu_);
  bool committing_ ABSL_GUARDED_BY(mu_) = false;  // a thread holds the committer role
  int threads_in_commit_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t durable_head_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Status commit_health_ ABSL_GUARDED_BY(mu_);  // of the last commit
  absl::Status listen_health_ ABSL_GUARDED_BY(mu_);  // of the listening connection
  bool sticky_ ABSL_GUARDED_BY(mu_) = false;         // commit_health_ is for good
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool first_listen_done_ ABSL_GUARDED_BY(mu_) = false;  // Open waits for it
  // The server process of the commit connection while it works: the
  // listening thread leaves its NOTIFYs to the committer, which tells the
  // listeners itself, on its own thread. 0 after a failed commit, whose
  // outcome only a NOTIFY may then tell.
  int own_commit_pid_ ABSL_GUARDED_BY(mu_) = 0;

  // The committer's alone, handed from one committer to the next under mu_.
  std::unique_ptr<Connection> commit_connection_;
  absl::Time next_connect_ = absl::InfinitePast();
  absl::Duration connect_backoff_;
  absl::Status last_connect_error_;

  mutable absl::Mutex pool_mu_;
  mutable std::vector<std::unique_ptr<Connection>> idle_readers_ ABSL_GUARDED_BY(pool_mu_);

  // Taken before mu_, never the other way round.
  absl::Mutex listeners_mu_;
  std::vector<HeadListener> listeners_ ABSL_GUARDED_BY(listeners_mu_);
  std::vector<CommitListener> commit_listeners_ ABSL_GUARDED_BY(listeners_mu_);
  uint64_t notified_head_ ABSL_GUARDED_BY(listeners_mu_) = 0;

  int wake_fd_ = -1;  // an eventfd: written to stop the listening thread
  std::thread listener_;
};

}  // namespace bank::store::postgres

#endif  // BANK_COMMAND_SERVICE_STORE_POSTGRES_POSTGRES_EVENT_STORE_H_
