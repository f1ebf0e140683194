// The SQLite engine of the `db` workload: one database file in the run's private directory,
// WAL journal, one connection per worker; writers queue on SQLite's own write lock.
#include <ctime>
#include <stdexcept>

#include "conc_probe/stop.hpp"
#include "workloads/db_engine.hpp"

#if CONC_PROBE_HAVE_SQLITE
#include <sqlite3.h>
#endif

namespace conc_probe::workloads {

#if CONC_PROBE_HAVE_SQLITE

namespace {

/// How long the busy handler sleeps between looks at the write lock.
constexpr long kBusySleepNs = 200'000;

[[noreturn]] void fail(sqlite3* db, const std::string& what) {
  throw std::runtime_error("db workload: sqlite: " + what + ": " +
                           (db != nullptr ? sqlite3_errmsg(db) : "out of memory"));
}

/// Waits for another connection's write lock in short sleeps; gives up on a stop request
/// (the statement then fails with SQLITE_BUSY and the op ends early).
int busy_wait(void*, int) {
  if (stop_requested()) return 0;
  timespec pause{0, kBusySleepNs};
  ::nanosleep(&pause, nullptr);
  return stop_requested() ? 0 : 1;
}

/// An open database handle, closed on destruction.
class Handle {
 public:
  explicit Handle(const std::string& path, int flags) {
    if (sqlite3_open_v2(path.c_str(), &db_, flags | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
      const std::string reason = db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory";
      sqlite3_close(db_);
      throw std::runtime_error("db workload: sqlite: cannot open '" + path + "': " + reason);
    }
    sqlite3_busy_handler(db_, busy_wait, nullptr);
  }
  ~Handle() { sqlite3_close(db_); }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  [[nodiscard]] sqlite3* get() const noexcept { return db_; }

  void exec(const std::string& sql) {
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) fail(db_, sql);
  }

 private:
  sqlite3* db_ = nullptr;
};

/// A prepared statement, finalized on destruction.
class Statement {
 public:
  Statement(sqlite3* db, const std::string& sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &statement_, nullptr) != SQLITE_OK) fail(db, sql);
  }
  ~Statement() { sqlite3_finalize(statement_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  void bind(int slot, std::uint64_t id) {
    if (sqlite3_bind_int64(statement_, slot, static_cast<sqlite3_int64>(id)) != SQLITE_OK) {
      fail(db_, "bind");
    }
  }
  void bind(int slot, std::string_view text) {
    if (sqlite3_bind_text(statement_, slot, text.data(), static_cast<int>(text.size()),
                          SQLITE_TRANSIENT) != SQLITE_OK) {
      fail(db_, "bind");
    }
  }
  /// One step, released from the simulated lock as Python's sqlite3 module releases the
  /// GIL. Returns SQLITE_ROW, SQLITE_DONE or SQLITE_BUSY (after a stop request).
  int step(OpContext& context) {
    int result = 0;
    {
      BlockingSection section(context);
      result = sqlite3_step(statement_);
    }
    if (result == SQLITE_ROW || result == SQLITE_DONE) return result;
    sqlite3_reset(statement_);
    if (result == SQLITE_BUSY && stop_requested()) return result;
    fail(db_, "step");
  }
  [[nodiscard]] std::string text(int column) const {
    const auto* data = sqlite3_column_text(statement_, column);
    const int size = sqlite3_column_bytes(statement_, column);
    return data == nullptr
               ? std::string()
               : std::string(reinterpret_cast<const char*>(data), static_cast<std::size_t>(size));
  }
  void reset() noexcept {
    sqlite3_reset(statement_);
    sqlite3_clear_bindings(statement_);
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* statement_ = nullptr;
};

class SqliteConnection final : public DbConnection {
 public:
  SqliteConnection(const std::string& path, const std::string& table)
      : handle_(path, SQLITE_OPEN_READWRITE),
        upsert_(handle_.get(), db_upsert_sql(table, "?1", "?2")),
        select_(handle_.get(), db_select_sql(table, "?1")) {}

  std::optional<std::string> put_and_get(std::uint64_t id, std::string_view payload,
                                         OpContext& context) override {
    upsert_.bind(1, id);
    upsert_.bind(2, payload);
    const int written = upsert_.step(context);
    upsert_.reset();
    if (written == SQLITE_BUSY) return std::nullopt;
    select_.bind(1, id);
    const int read = select_.step(context);
    if (read == SQLITE_BUSY) return std::nullopt;
    if (read != SQLITE_ROW) {
      select_.reset();
      throw std::runtime_error("db workload: sqlite: row " + std::to_string(id) +
                               " is not there after its insert");
    }
    std::string value = select_.text(0);
    select_.reset();
    return value;
  }

 private:
  Handle handle_;
  Statement upsert_;
  Statement select_;
};

}  // namespace

bool sqlite_built_in() noexcept { return true; }

void sqlite_create(const std::string& path, const std::string& table) {
  Handle handle(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  handle.exec("PRAGMA journal_mode=WAL");
  handle.exec(db_create_sql(table));
}

std::unique_ptr<DbConnection> sqlite_connect(const std::string& path, const std::string& table) {
  return std::make_unique<SqliteConnection>(path, table);
}

#else

bool sqlite_built_in() noexcept { return false; }

void sqlite_create(const std::string&, const std::string&) {
  throw std::runtime_error("db workload: SQLite is not built in");
}

std::unique_ptr<DbConnection> sqlite_connect(const std::string&, const std::string&) {
  throw std::runtime_error("db workload: SQLite is not built in");
}

#endif

}  // namespace conc_probe::workloads
