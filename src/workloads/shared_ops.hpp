#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include "conc_probe/workload.hpp"

/// --shared: a fraction of a workload's ops also update one shared counter with an atomic
/// read-modify-write -- what free-threaded CPython pays on an object every thread touches
/// (its reference count, its per-object lock): the cache line moves between cores.
namespace conc_probe::workloads {

/// True when op `index` is one of the shared ones at fraction `fraction` (0..1): the ops
/// where floor(i * F) steps, spread evenly over the indices.
bool is_shared_op(std::uint64_t index, double fraction) noexcept;
/// How many of the ops [0, total) are shared at `fraction`: floor(total * F), computed as
/// is_shared_op counts them.
std::uint64_t shared_ops_below(std::uint64_t total, double fraction) noexcept;

/// The counter, in memory shared with forked worker processes (an anonymous MAP_SHARED
/// mapping made before they fork), so threads and processes update the same cache line.
class SharedCounter {
 public:
  /// Throws std::runtime_error when the mapping cannot be made.
  SharedCounter();
  ~SharedCounter();
  SharedCounter(const SharedCounter&) = delete;
  SharedCounter& operator=(const SharedCounter&) = delete;

  /// The counter itself (lock-free, so it works across processes).
  [[nodiscard]] std::atomic<std::uint64_t>& value() const noexcept { return *value_; }

 private:
  std::atomic<std::uint64_t>* value_ = nullptr;
};

/// `inner` whose sessions, opened with params.shared_fraction above 0, add one to the
/// counter (fetch_add) in each shared op; everything else, checksums included, is inner's.
class SharedOpsWorkload final : public Workload {
 public:
  explicit SharedOpsWorkload(std::unique_ptr<Workload> inner);
  [[nodiscard]] const WorkloadInfo& info() const noexcept override { return inner_->info(); }
  void start_shared(WorkloadParams& params) override { inner_->start_shared(params); }
  void stop_shared() noexcept override { inner_->stop_shared(); }
  [[nodiscard]] std::unique_ptr<WorkerSession> open_worker(const WorkloadParams& params,
                                                           unsigned worker_index) const override;
  /// The shared counter (reset it before a repetition, read it after).
  [[nodiscard]] std::atomic<std::uint64_t>& counter() const noexcept { return counter_.value(); }

 private:
  std::unique_ptr<Workload> inner_;
  SharedCounter counter_;
};

}  // namespace conc_probe::workloads
