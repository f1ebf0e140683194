#include "engine/executor.hpp"

namespace conc_probe::engine {

// Defined in each mode's executor file.
std::unique_ptr<Executor> make_single_executor();
std::unique_ptr<Executor> make_threads_executor();
std::unique_ptr<Executor> make_gil_executor();
std::unique_ptr<Executor> make_process_executor();
std::unique_ptr<Executor> make_async_executor();
std::unique_ptr<Executor> make_mpi_executor();

std::unique_ptr<Executor> make_executor(Mode mode) {
  switch (mode) {
    case Mode::Single:
      return make_single_executor();
    case Mode::Threads:
      return make_threads_executor();
    case Mode::Gil:
      return make_gil_executor();
    case Mode::Process:
      return make_process_executor();
    case Mode::Async:
      return make_async_executor();
    case Mode::Mpi:
      return make_mpi_executor();
  }
  return make_single_executor();
}

}  // namespace conc_probe::engine
