#include "platform/probes.hpp"

namespace conc_probe::platform {

void probe_cpu_lists(const SysRoot& root, PlatformReport& report) { (void)root; (void)report; }

void derive_usable(const Environment& env, PlatformReport& report) { (void)env; (void)report; }

}  // namespace conc_probe::platform
