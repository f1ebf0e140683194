#pragma once

#include <memory>
#include <string>
#include <utility>

#include "conc_probe/workload.hpp"

/// Internal pieces shared by the workload implementations.
namespace conc_probe::workloads {

/// A workload whose info is fixed at construction.
class BasicWorkload : public Workload {
 public:
  explicit BasicWorkload(WorkloadInfo info) : info_(std::move(info)) {}
  [[nodiscard]] const WorkloadInfo& info() const noexcept override { return info_; }

 private:
  WorkloadInfo info_;
};

/// Checksum salts: one per workload so that equal op indices differ across workloads.
inline constexpr std::uint64_t kSaltCount = 0x636f756e74ULL;
inline constexpr std::uint64_t kSaltPrimes = 0x7072696d6573ULL;
inline constexpr std::uint64_t kSaltHash = 0x68617368ULL;
inline constexpr std::uint64_t kSaltSleep = 0x736c656570ULL;
inline constexpr std::uint64_t kSaltFile = 0x66696c65ULL;
inline constexpr std::uint64_t kSaltNet = 0x6e6574ULL;
inline constexpr std::uint64_t kSaltMixed = 0x6d69786564ULL;
inline constexpr std::uint64_t kSaltDb = 0x6462ULL;

/// Default op sizes (see docs/workloads.md for what each costs).
inline constexpr std::uint64_t kDefaultCountIterations = 100'000;
inline constexpr std::uint64_t kDefaultPrimesNumbers = 1024;
inline constexpr std::uint64_t kDefaultHashBytes = std::uint64_t{64} * 1024;
inline constexpr std::uint64_t kDefaultFileBytes = std::uint64_t{4} * 1024;
inline constexpr std::uint64_t kDefaultNetBytes = 64;
inline constexpr std::uint64_t kDefaultMixedIterations = 20'000;
inline constexpr std::uint64_t kDefaultDbBytes = 100;
/// Upper bound of the `db` workload's row payload.
inline constexpr std::uint64_t kMaxDbBytes = 64ULL * 1024;
/// Upper bound of op_size for workloads that hold an op's bytes in memory.
inline constexpr std::uint64_t kMaxBufferBytes = 64ULL * 1024 * 1024;

/// Factories of the individual workloads; `params` has been checked by make_workload.
std::unique_ptr<Workload> make_count_workload(WorkloadInfo info);
std::unique_ptr<Workload> make_primes_workload(WorkloadInfo info);
std::unique_ptr<Workload> make_hash_workload(WorkloadInfo info);
std::unique_ptr<Workload> make_sleep_workload(WorkloadInfo info);
std::unique_ptr<Workload> make_mixed_workload(WorkloadInfo info);
std::unique_ptr<Workload> make_file_workload(WorkloadInfo info);
std::unique_ptr<Workload> make_net_workload(WorkloadInfo info);
std::unique_ptr<Workload> make_convoy_workload(WorkloadInfo info);
std::unique_ptr<Workload> make_convoy_ready_workload(WorkloadInfo info);
std::unique_ptr<Workload> make_db_workload(WorkloadInfo info);
/// Throws UsageError when the `db` workload cannot run with `params` in this build (its
/// engine is not built in, or --db-url is not a PostgreSQL URI).
void check_db_params(const WorkloadParams& params);

/// `value`, or `fallback` when value is 0 (the params' "use the default").
constexpr std::uint64_t or_default(std::uint64_t value, std::uint64_t fallback) noexcept {
  return value == 0 ? fallback : value;
}

}  // namespace conc_probe::workloads
