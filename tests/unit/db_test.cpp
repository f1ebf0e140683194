// The `db` workload against a real SQLite file: WAL journal, rows read back, writers
// contending on SQLite's write lock, and waits on that lock ended by a stop request.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "conc_probe/error.hpp"
#include "conc_probe/stop.hpp"
#include "conc_probe/workload.hpp"
#include "support/catch.hpp"
#include "support/test_support.hpp"

// Set by tests/CMakeLists.txt: whether the build has SQLite.
#if CONC_PROBE_TEST_SQLITE
#include <sqlite3.h>
#endif

namespace fs = std::filesystem;
using conc_probe::make_workload;
using conc_probe::OpContext;
using conc_probe::WorkloadParams;
using namespace std::chrono_literals;

namespace {

WorkloadParams db_params() {
  WorkloadParams params;
  params.name = "db";
  params.op_size = 40;
  return params;
}

#if CONC_PROBE_TEST_SQLITE

/// A direct connection to the workload's database file, to look at what the ops left.
class Inspector {
 public:
  explicit Inspector(const std::string& dir) {
    REQUIRE(sqlite3_open((dir + "/ops.sqlite").c_str(), &db_) == SQLITE_OK);
  }
  ~Inspector() { sqlite3_close(db_); }
  Inspector(const Inspector&) = delete;
  Inspector& operator=(const Inspector&) = delete;

  std::string text(const std::string& sql) {
    sqlite3_stmt* statement = nullptr;
    REQUIRE(sqlite3_prepare_v2(db_, sql.c_str(), -1, &statement, nullptr) == SQLITE_OK);
    std::string value;
    if (sqlite3_step(statement) == SQLITE_ROW) {
      value = reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
    }
    sqlite3_finalize(statement);
    return value;
  }
  void exec(const std::string& sql) {
    REQUIRE(sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
  }

 private:
  sqlite3* db_ = nullptr;
};

#endif

}  // namespace

TEST_CASE("Db: --db-url must be a PostgreSQL URI", "[db]") {
  auto params = db_params();
  params.db_url = "mysql://localhost/x";
  CHECK_THROWS_AS(make_workload(params), conc_probe::UsageError);
  CHECK_THROWS_WITH(make_workload(params), Catch::Contains("postgresql://"));
}

#if CONC_PROBE_TEST_SQLITE

TEST_CASE("Db: the table lives in a WAL-mode file of the private directory", "[db]") {
  const conc_probe::testing::TempDir root;
  ::setenv("TMPDIR", root.path().c_str(), 1);
  auto params = db_params();
  auto workload = make_workload(params);
  workload->start_shared(params);
  ::unsetenv("TMPDIR");
  REQUIRE(fs::path(params.temp_dir).parent_path() == root.path());
  {
    auto session = workload->open_worker(params, 0);
    OpContext context;
    for (std::uint64_t i = 0; i < 25; ++i) (void)session->run_op(i, context);
    (void)session->run_op(3, context);  // the same row again replaces it
    Inspector inspector(params.temp_dir);
    CHECK(inspector.text("PRAGMA journal_mode") == "wal");
    CHECK(inspector.text("SELECT count(*) FROM " + params.db_table) == "25");
    CHECK(inspector.text("SELECT length(payload) FROM " + params.db_table + " WHERE id = 7") ==
          "40");
  }
  workload->stop_shared();
  CHECK(fs::is_empty(root.path()));
}

TEST_CASE("Db: the checksum comes from the rows read back", "[db]") {
  auto params = db_params();
  auto workload = make_workload(params);
  workload->start_shared(params);
  auto session = workload->open_worker(params, 0);
  OpContext context;
  const std::uint64_t first = session->run_op(5, context);
  CHECK(session->run_op(5, context) == first);
  CHECK(session->run_op(6, context) != first);
  auto larger = params;
  larger.op_size = 41;
  CHECK(workload->open_worker(larger, 1)->run_op(5, context) != first);
  workload->stop_shared();
}

TEST_CASE("Db: threads contend on the write lock and keep every row", "[db]") {
  auto params = db_params();
  auto workload = make_workload(params);
  workload->start_shared(params);
  constexpr unsigned kThreads = 4;
  constexpr std::uint64_t kOps = 40;
  std::vector<std::future<std::uint64_t>> totals;
  for (unsigned t = 0; t < kThreads; ++t) {
    totals.push_back(std::async(std::launch::async, [&, t] {
      auto session = workload->open_worker(params, t);
      OpContext context;
      std::uint64_t total = 0;
      for (std::uint64_t i = t; i < kOps; i += kThreads) total += session->run_op(i, context);
      return total;
    }));
  }
  std::uint64_t split = 0;
  for (auto& total : totals) split += total.get();
  auto session = workload->open_worker(params, 0);
  OpContext context;
  std::uint64_t one = 0;
  for (std::uint64_t i = 0; i < kOps; ++i) one += session->run_op(i, context);
  CHECK(split == one);
  Inspector inspector(params.temp_dir);
  CHECK(inspector.text("SELECT count(*) FROM " + params.db_table) == std::to_string(kOps));
  workload->stop_shared();
}

TEST_CASE("Db: a wait for the write lock ends on a stop request", "[db]") {
  auto params = db_params();
  auto workload = make_workload(params);
  workload->start_shared(params);
  Inspector holder(params.temp_dir);
  holder.exec("BEGIN IMMEDIATE");  // takes the write lock and keeps it
  auto session = workload->open_worker(params, 0);
  auto op = std::async(std::launch::async, [&] {
    OpContext context;
    return session->run_op(1, context);
  });
  CHECK(op.wait_for(300ms) == std::future_status::timeout);  // waiting on the lock
  const auto asked = std::chrono::steady_clock::now();
  conc_probe::request_stop(2);
  REQUIRE(op.wait_for(5s) == std::future_status::ready);
  const auto took = std::chrono::steady_clock::now() - asked;
  conc_probe::clear_stop_request();
  CHECK(op.get() == 0);
  CHECK(took < 1s);  // the handler sleeps 0.2 ms between looks; generous for a busy machine
  holder.exec("ROLLBACK");
  workload->stop_shared();
}

#endif
