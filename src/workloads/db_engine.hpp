#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "conc_probe/op_context.hpp"

/// The database engines behind the `db` workload: SQLite (an embedded file) and PostgreSQL
/// (a server named by --db-url). Each worker holds its own connection.
namespace conc_probe::workloads {

/// One worker's connection to the workload's table (columns id, payload).
class DbConnection {
 public:
  DbConnection() = default;
  DbConnection(const DbConnection&) = delete;
  DbConnection& operator=(const DbConnection&) = delete;
  virtual ~DbConnection() = default;
  /// Inserts row `id` (replacing an earlier one of the same id) in its own transaction and
  /// reads its payload back. Returns nullopt when a stop was requested while waiting (the
  /// op then ends early). Throws std::runtime_error on a database error.
  virtual std::optional<std::string> put_and_get(std::uint64_t id, std::string_view payload,
                                                 OpContext& context) = 0;
};

/// True when this build has the SQLite engine (libsqlite3).
bool sqlite_built_in() noexcept;
/// True when this build has the PostgreSQL engine (libpq).
bool postgres_built_in() noexcept;

/// Creates the SQLite database file `path` in WAL mode with the empty table `table`.
/// Throws std::runtime_error when it cannot.
void sqlite_create(const std::string& path, const std::string& table);
/// Opens a connection to the SQLite database `path`; its busy handler waits for the write
/// lock in short sleeps and gives up once a stop is requested.
std::unique_ptr<DbConnection> sqlite_connect(const std::string& path, const std::string& table);

/// Creates the table `table` on the PostgreSQL server `url` (a libpq connection URI).
void postgres_create(const std::string& url, const std::string& table);
/// Drops it; never throws (the run is ending).
void postgres_drop(const std::string& url, const std::string& table) noexcept;
/// Opens a connection to `url`; its queries are sent without blocking and their results
/// waited for with wait_readable, so a stop is seen within 100 ms.
std::unique_ptr<DbConnection> postgres_connect(const std::string& url, const std::string& table);

/// The statements, shared by both engines (SQLite 3.24+ and PostgreSQL 9.5+ accept the
/// same upsert); `$1`/`?` placeholders are written by each engine.
std::string db_create_sql(const std::string& table);
std::string db_upsert_sql(const std::string& table, std::string_view first,
                          std::string_view second);
std::string db_select_sql(const std::string& table, std::string_view first);

}  // namespace conc_probe::workloads
