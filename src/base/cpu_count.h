// How many CPUs this process may run on: its scheduler affinity mask (taskset, cgroup
// cpusets), which std::thread::hardware_concurrency() ignores. At least 1.
#pragma once

namespace hippocrate {

unsigned usable_cpu_count();

}  // namespace hippocrate
