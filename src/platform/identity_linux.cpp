#include "platform/probes.hpp"

namespace conc_probe::platform {

void probe_identity(const SysRoot& root, PlatformReport& report) { (void)root; (void)report; }

}  // namespace conc_probe::platform
