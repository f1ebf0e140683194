#include "platform/probes.hpp"

namespace conc_probe::platform {

void probe_container(const SysRoot& root, const Environment& env, PlatformReport& report) {
  (void)root;
  (void)env;
  (void)report;
}

void probe_os_and_memory(const SysRoot& root, PlatformReport& report) { (void)root; (void)report; }

}  // namespace conc_probe::platform
