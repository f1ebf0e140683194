#pragma once

#include <memory>

#include "conc_probe/workload.hpp"

/// --op-overhead: a workload whose every op first runs `overhead_size` iterations of the
/// count kernel (measured from params.op_overhead in start_shared) -- the interpreter's own
/// work around an op, which a Python program pays and a bare op does not: the loop's
/// bytecodes and the call between two sleeps, a task step of asyncio's loop. The work runs
/// where the op runs (holding the simulated lock in gil mode, on the loop in async mode) and
/// leaves the op's checksum as it is.
namespace conc_probe::workloads {

/// `inner` itself when params asks for no overhead, else `inner` wrapped.
std::unique_ptr<Workload> with_op_overhead(std::unique_ptr<Workload> inner,
                                           const WorkloadParams& params);

}  // namespace conc_probe::workloads
