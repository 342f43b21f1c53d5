// Scheduling priority of the calling thread (Linux: each thread has its own nice value).
#pragma once

namespace hippocrate {

// Raises the calling thread's nice value by `steps` (capped at 19): the scheduler then
// prefers the process's other threads when both are ready to run. Lowering a priority
// needs no privilege; a failure leaves the priority as it was and returns false.
bool lower_current_thread_priority(int steps);

}  // namespace hippocrate
