// The `db` workload: each op inserts a row into a database table and reads it back -- the
// third kind of IO of a web request, beside a file and a remote call. SQLite (a file in the
// run's private directory) by default, PostgreSQL when --db-url names a server.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <random>
#include <string>

#include "conc_probe/error.hpp"
#include "conc_probe/op_steps.hpp"
#include "workloads/db_engine.hpp"
#include "workloads/kernels.hpp"
#include "workloads/private_dir.hpp"
#include "workloads/workload_base.hpp"

namespace conc_probe::workloads {

namespace {

constexpr std::string_view kSqliteFile = "/ops.sqlite";
constexpr std::string_view kSqliteTable = "conc_probe_ops";

/// Row `index`'s payload: `bytes` letters drawn from its seed.
std::string payload_of(std::uint64_t seed, std::size_t bytes) {
  std::vector<std::byte> raw(bytes);
  fill_deterministic(raw, seed);
  std::string text(bytes, 'a');
  std::transform(raw.begin(), raw.end(), text.begin(), [](std::byte b) {
    return static_cast<char>('a' + static_cast<int>(std::to_integer<unsigned>(b) % 26));
  });
  return text;
}

/// A table name no other run uses: the process id and a random part.
std::string unique_table_name() {
  std::random_device entropy;
  const std::uint64_t salt =
      (std::uint64_t{entropy()} << 32) ^ entropy() ^
      static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
  return "conc_probe_" + std::to_string(::getpid()) + "_" +
         std::to_string(mix64(salt) % 1'000'000'000);
}

class DbSession final : public WorkerSession, public SteppedOps {
 public:
  DbSession(std::unique_ptr<DbConnection> connection, std::uint64_t bytes)
      : connection_(std::move(connection)), bytes_(static_cast<std::size_t>(bytes)) {}

  std::uint64_t run_op(std::uint64_t index, OpContext& context) override {
    const std::uint64_t seed = op_seed(index, kSaltDb);
    const std::string written = payload_of(seed, bytes_);
    const auto read = connection_->put_and_get(index, written, context);
    if (!read) return 0;  // stopped: the repetition is discarded
    if (*read != written) {
      throw std::runtime_error("db workload: row " + std::to_string(index) +
                               " read back differs from what was written");
    }
    return mix64(fnv1a(std::as_bytes(std::span(read->data(), read->size()))) ^ seed);
  }

  // Stepped: the database calls block; the whole op goes to a thread, as asyncio.to_thread
  // does with the sqlite3 module's calls.
  OpStep start_op(std::uint64_t, OpContext&) override { return OpStep::offload(); }
  OpStep resume_op(OpContext&) override {
    throw std::logic_error("db workload: an offloaded op has no further steps");
  }

 private:
  std::unique_ptr<DbConnection> connection_;
  std::size_t bytes_;
};

class DbWorkload final : public BasicWorkload {
 public:
  using BasicWorkload::BasicWorkload;
  ~DbWorkload() override { DbWorkload::stop_shared(); }
  DbWorkload(const DbWorkload&) = delete;
  DbWorkload& operator=(const DbWorkload&) = delete;

  void start_shared(WorkloadParams& params) override {
    stop_shared();
    if (params.db_url.empty()) {
      dir_.create();
      params.temp_dir = dir_.path();
      params.db_table = std::string(kSqliteTable);
      sqlite_create(dir_.path() + std::string(kSqliteFile), params.db_table);
      return;
    }
    params.db_table = unique_table_name();
    postgres_create(params.db_url, params.db_table);
    url_ = params.db_url;
    table_ = params.db_table;
    owner_ = ::getpid();
  }

  void stop_shared() noexcept override {
    dir_.remove();
    if (!table_.empty() && owner_ == ::getpid()) postgres_drop(url_, table_);
    table_.clear();
  }

  [[nodiscard]] std::unique_ptr<WorkerSession> open_worker(const WorkloadParams& params,
                                                           unsigned) const override {
    if (params.db_table.empty()) {
      throw std::runtime_error("db workload: no table (start_shared not called)");
    }
    const std::uint64_t bytes = or_default(params.op_size, kDefaultDbBytes);
    auto connection =
        params.db_url.empty()
            ? sqlite_connect(params.temp_dir + std::string(kSqliteFile), params.db_table)
            : postgres_connect(params.db_url, params.db_table);
    return std::make_unique<DbSession>(std::move(connection), bytes);
  }

 private:
  PrivateDir dir_;
  std::string url_;
  std::string table_;
  pid_t owner_ = 0;
};

}  // namespace

void check_db_params(const WorkloadParams& params) {
  if (params.db_url.empty()) {
    if (!sqlite_built_in()) {
      throw UsageError(
          "workload 'db' needs SQLite, which is not built in (build with libsqlite3-dev), or "
          "a PostgreSQL server (--db-url)");
    }
    return;
  }
  if (!params.db_url.starts_with("postgresql://") && !params.db_url.starts_with("postgres://")) {
    throw UsageError("--db-url must be a PostgreSQL URI (postgresql://...)");
  }
  if (!postgres_built_in()) {
    throw UsageError("--db-url: PostgreSQL is not built in (build with libpq-dev)");
  }
}

std::unique_ptr<Workload> make_db_workload(WorkloadInfo info) {
  return std::make_unique<DbWorkload>(std::move(info));
}

std::string db_create_sql(const std::string& table) {
  return "CREATE TABLE IF NOT EXISTS " + table + " (id BIGINT PRIMARY KEY, payload TEXT NOT NULL)";
}

std::string db_upsert_sql(const std::string& table, std::string_view first,
                          std::string_view second) {
  return "INSERT INTO " + table + " (id, payload) VALUES (" + std::string(first) + ", " +
         std::string(second) + ") ON CONFLICT (id) DO UPDATE SET payload = excluded.payload";
}

std::string db_select_sql(const std::string& table, std::string_view first) {
  return "SELECT payload FROM " + table + " WHERE id = " + std::string(first);
}

}  // namespace conc_probe::workloads
