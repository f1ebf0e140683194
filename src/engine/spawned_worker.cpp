#include <stdexcept>

#include "conc_probe/engine.hpp"
#include "conc_probe/workload.hpp"
#include "engine/forkserver.hpp"
#include "engine/process_worker.hpp"
#include "engine/worker_loop.hpp"

namespace conc_probe {
namespace {

/// Stands in for a workload that could not be re-created, so that the reason reaches the
/// parent in the result message instead of being lost with the process.
class UnavailableWorkload final : public Workload {
 public:
  explicit UnavailableWorkload(std::string reason) : reason_(std::move(reason)) {}
  [[nodiscard]] const WorkloadInfo& info() const noexcept override { return info_; }
  [[nodiscard]] std::unique_ptr<WorkerSession> open_worker(const WorkloadParams&,
                                                           unsigned) const override {
    throw std::runtime_error(reason_);
  }

 private:
  std::string reason_;
  WorkloadInfo info_;
};

}  // namespace

std::unique_ptr<Workload> engine::recreate_workload(const WorkloadParams& params) {
  try {
    return make_workload(params);
  } catch (...) {
    return std::make_unique<UnavailableWorkload>(
        engine::describe_exception(std::current_exception()));
  }
}

int run_spawned_worker(const std::vector<std::string>& args) {
  engine::WorkerProcessArgs worker;
  WorkloadParams params;
  engine::parse_spawn_arguments(args, worker, params);
  // Without a live parent there is nobody to report to: leave quietly.
  if (!engine::tie_to_parent(worker.parent)) return 1;
  const std::unique_ptr<Workload> workload = engine::recreate_workload(params);
  return engine::worker_process_main(worker, *workload, params);
}

int run_fork_server(const std::vector<std::string>& args) { return engine::run_fork_server(args); }

}  // namespace conc_probe
