// The PostgreSQL engine of the `db` workload (libpq): queries are sent without blocking and
// their results awaited with wait_readable, so a stop request is seen within 100 ms.
#include <chrono>
#include <stdexcept>

#include "conc_probe/stop.hpp"
#include "workloads/db_engine.hpp"
#include "workloads/io_util.hpp"

#if CONC_PROBE_HAVE_POSTGRES
#include <libpq-fe.h>
#endif

namespace conc_probe::workloads {

#if CONC_PROBE_HAVE_POSTGRES

namespace {

/// The pause between attempts to send a query that did not fit the socket's buffer.
constexpr std::chrono::microseconds kFlushPause{100};
/// A statement that waits longer than this for a lock or the server fails the op.
constexpr const char* kStatementTimeout = "SET statement_timeout = 60000";

/// libpq's message on one line: its lines (it adds a tab-indented hint on a line of its
/// own) joined by "; ", with no trailing newline, so that a cell's error stays one line.
std::string message_of(PGconn* conn) {
  const std::string raw = conn != nullptr ? PQerrorMessage(conn) : "out of memory";
  std::string text;
  bool line_break = false;
  for (const char c : raw) {
    if (c == '\n' || c == '\r') {
      line_break = true;
      continue;
    }
    if (line_break && (c == ' ' || c == '\t')) continue;
    if (line_break && !text.empty()) text += "; ";
    line_break = false;
    text += c == '\t' ? ' ' : c;
  }
  return text;
}

/// A connection, finished on destruction.
class Connection {
 public:
  explicit Connection(const std::string& url) : conn_(PQconnectdb(url.c_str())) {
    if (conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK) {
      const std::string reason = message_of(conn_);
      PQfinish(conn_);
      throw std::runtime_error("db workload: postgresql: cannot connect: " + reason);
    }
  }
  ~Connection() { PQfinish(conn_); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  [[nodiscard]] PGconn* get() const noexcept { return conn_; }

  /// Runs `sql` to completion (blocking: set-up and clean-up only).
  void exec(const std::string& sql) {
    PGresult* result = PQexec(conn_, sql.c_str());
    const auto status = PQresultStatus(result);
    PQclear(result);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      throw std::runtime_error("db workload: postgresql: " + sql + ": " + message_of(conn_));
    }
  }

 private:
  PGconn* conn_;
};

/// PGresult owner.
struct Result {
  PGresult* result = nullptr;
  ~Result() { PQclear(result); }
  Result() = default;
  Result(const Result&) = delete;
  Result& operator=(const Result&) = delete;
};

class PostgresConnection final : public DbConnection {
 public:
  PostgresConnection(const std::string& url, const std::string& table) : conn_(url) {
    conn_.exec(kStatementTimeout);
    prepare("upsert", db_upsert_sql(table, "$1", "$2"));
    prepare("select", db_select_sql(table, "$1"));
    if (PQsetnonblocking(conn_.get(), 1) != 0) {
      throw std::runtime_error("db workload: postgresql: " + message_of(conn_.get()));
    }
  }

  std::optional<std::string> put_and_get(std::uint64_t id, std::string_view payload,
                                         OpContext& context) override {
    const std::string key = std::to_string(id);
    const std::string value(payload);
    const char* upsert_values[] = {key.c_str(), value.c_str()};
    if (!run("upsert", 2, upsert_values, PGRES_COMMAND_OK, nullptr, context)) return std::nullopt;
    const char* select_values[] = {key.c_str()};
    std::string read;
    if (!run("select", 1, select_values, PGRES_TUPLES_OK, &read, context)) return std::nullopt;
    return read;
  }

 private:
  void prepare(const char* name, const std::string& sql) {
    Result prepared;
    prepared.result = PQprepare(conn_.get(), name, sql.c_str(), 0, nullptr);
    if (PQresultStatus(prepared.result) != PGRES_COMMAND_OK) {
      throw std::runtime_error("db workload: postgresql: " + sql + ": " + message_of(conn_.get()));
    }
  }

  /// Sends the prepared statement and collects its results; false on a stop request (the
  /// connection is then left mid-query: the session ends with the repetition).
  bool run(const char* name, int count, const char* const* values, ExecStatusType want,
           std::string* row, OpContext& context) {
    PGconn* conn = conn_.get();
    if (PQsendQueryPrepared(conn, name, count, values, nullptr, nullptr, 0) != 1) fail(name);
    while (true) {
      const int flushed = PQflush(conn);
      if (flushed < 0) fail(name);
      if (flushed == 0) break;
      // The socket's buffer is full (a large payload): let the server read a little.
      blocking_sleep(kFlushPause, context);
      if (stop_requested()) return false;
      if (PQconsumeInput(conn) != 1) fail(name);
    }
    bool ok = false;
    std::string error;
    while (true) {
      while (PQisBusy(conn) == 1) {
        if (!wait_readable(PQsocket(conn), context)) return false;
        if (PQconsumeInput(conn) != 1) fail(name);
      }
      Result result;
      result.result = PQgetResult(conn);
      if (result.result == nullptr) break;
      if (PQresultStatus(result.result) != want) {
        error = PQresultErrorMessage(result.result);
        continue;
      }
      ok = true;
      if (row == nullptr) continue;
      if (PQntuples(result.result) != 1) {
        error = "row not there after its insert";
        ok = false;
        continue;
      }
      *row = std::string(PQgetvalue(result.result, 0, 0),
                         static_cast<std::size_t>(PQgetlength(result.result, 0, 0)));
    }
    if (!ok || !error.empty()) {
      while (!error.empty() && error.back() == '\n') error.pop_back();
      throw std::runtime_error(std::string("db workload: postgresql: ") + name + ": " + error);
    }
    return true;
  }

  [[noreturn]] void fail(const char* name) {
    throw std::runtime_error(std::string("db workload: postgresql: ") + name + ": " +
                             message_of(conn_.get()));
  }

  Connection conn_;
};

}  // namespace

bool postgres_built_in() noexcept { return true; }

void postgres_create(const std::string& url, const std::string& table) {
  Connection conn(url);
  conn.exec(db_create_sql(table));
}

void postgres_drop(const std::string& url, const std::string& table) noexcept {
  try {
    Connection conn(url);
    conn.exec("DROP TABLE IF EXISTS " + table);
  } catch (const std::exception&) {  // NOLINT(bugprone-empty-catch): best effort at the end
  }
}

std::unique_ptr<DbConnection> postgres_connect(const std::string& url, const std::string& table) {
  return std::make_unique<PostgresConnection>(url, table);
}

#else

bool postgres_built_in() noexcept { return false; }

void postgres_create(const std::string&, const std::string&) {
  throw std::runtime_error("db workload: PostgreSQL is not built in");
}

void postgres_drop(const std::string&, const std::string&) noexcept {}

std::unique_ptr<DbConnection> postgres_connect(const std::string&, const std::string&) {
  throw std::runtime_error("db workload: PostgreSQL is not built in");
}

#endif

}  // namespace conc_probe::workloads
