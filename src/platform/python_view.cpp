#include "platform/probes.hpp"

namespace conc_probe::platform {

void derive_python_view(PlatformReport& report) { (void)report; }

}  // namespace conc_probe::platform
