// device_info for the host systems (OMP, CPP): the CPU is always there.
#include "sim/core/device_info.h"

#include "sim/core/config.h"
#include "sim/core/threads.h"

namespace snn {

bool device_available() { return true; }

std::string device_description() {
  return std::string(device_system_name()) + ", " + std::to_string(num_threads()) + " threads";
}

}  // namespace snn
