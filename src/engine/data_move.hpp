#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "conc_probe/workload.hpp"

/// Data that moves (--input-size, --result-size): an input the parent builds, of which every
/// op reads its slice, and results of a fixed size that every op hands back to the parent.
/// The reading and the results are a wrapper around the workload's session, the same for
/// every mode; only where the bytes live differs (in place for threads, inherited by a fork,
/// through a pipe for spawn and forkserver).
namespace conc_probe::engine {

/// What moving the data cost one worker, or a whole sample.
struct DataMoved {
  bool active = false;             ///< the cell moves data (--input-size or --result-size)
  std::uint64_t bytes_copied = 0;  ///< bytes copied into another buffer or address space
  double move_seconds = 0;         ///< time spent copying them (apart from compute)
  std::int64_t minor_faults = -1;  ///< a worker process's minor page faults in its ops (-1: none)
};

/// The input of one cell, built once by the parent: deterministic bytes.
using InputBytes = std::vector<unsigned char>;

/// The cell's input of `size` bytes (shared by the cells of a run that ask the same size).
std::shared_ptr<const InputBytes> shared_input(std::uint64_t size);

/// Bytes [begin, end) of the input.
struct ByteRange {
  std::uint64_t begin = 0;
  std::uint64_t end = 0;
  [[nodiscard]] std::uint64_t size() const noexcept { return end - begin; }
};

/// The bytes ops [first, last) of `total_ops` read of an input of `input_size` bytes: op i
/// reads [i*size/total, (i+1)*size/total), computed without overflow.
ByteRange input_span(std::uint64_t input_size, std::uint64_t total_ops, std::uint64_t first,
                     std::uint64_t last) noexcept;

/// A 64-bit digest of `bytes` (8 bytes per step), folded into the checksums.
std::uint64_t digest(std::span<const unsigned char> bytes) noexcept;

/// Writes op `index`'s result bytes (deterministic) into `out`.
void fill_result(std::uint64_t index, std::span<unsigned char> out) noexcept;

/// Where one worker finds the input and sends its results.
struct DataView {
  const unsigned char* input = nullptr;  ///< byte input_base of the input (null: no input)
  std::uint64_t input_base = 0;
  std::uint64_t input_size = 0;  ///< of the whole input
  std::uint64_t total_ops = 0;   ///< of the cell, for the slices
  std::uint64_t result_size = 0;
  /// -1: results are copied into a buffer of this process (threads, a loop); else a pipe
  /// the results are written to, read and digested by the parent.
  int result_fd = -1;
  [[nodiscard]] bool active() const noexcept { return input_size > 0 || result_size > 0; }
};

/// `inner` wrapped so that every op also reads its input slice and returns its result
/// (`inner` itself when `view` is not active).
std::unique_ptr<WorkerSession> wrap_session(std::unique_ptr<WorkerSession> inner,
                                            const DataView& view);

/// Opens worker `index`'s session of `workload`, wrapped so that every op also reads its
/// input slice and returns its result when `view` is active.
std::unique_ptr<WorkerSession> open_session(const Workload& workload, const WorkloadParams& params,
                                            unsigned index, const DataView& view);

/// What the session moved so far (inactive for a session open_session did not wrap).
DataMoved data_moved(const WorkerSession& session) noexcept;

/// Writes out the results still buffered and closes the result pipe (no-op without one);
/// false when the parent stopped reading.
bool finish_results(WorkerSession& session) noexcept;

/// The parent's end of one worker's result pipe: reads results of `result_size` bytes,
/// digesting each one whole (as an unpickled object would be).
class ResultReader {
 public:
  explicit ResultReader(std::uint64_t result_size) : piece_(result_size) {}
  /// Reads what `fd` has; false at EOF or on an error.
  bool read_from(int fd);
  [[nodiscard]] std::uint64_t checksum() const noexcept { return checksum_; }
  [[nodiscard]] std::uint64_t results() const noexcept { return results_; }
  [[nodiscard]] std::uint64_t bytes() const noexcept { return bytes_; }
  [[nodiscard]] double seconds() const noexcept { return seconds_; }

 private:
  std::vector<unsigned char> piece_;
  std::size_t filled_ = 0;
  std::uint64_t checksum_ = 0;
  std::uint64_t results_ = 0;
  std::uint64_t bytes_ = 0;
  double seconds_ = 0;
};

}  // namespace conc_probe::engine
