// Scheduling priority of the calling thread (Linux: each thread has its own nice value and
// scheduling policy).
#pragma once

namespace hippocrate {

// Raises the calling thread's nice value by `steps` (capped at 19): the scheduler then
// prefers the process's other threads when both are ready to run. Lowering a priority
// needs no privilege; a failure leaves the priority as it was and returns false.
bool lower_current_thread_priority(int steps);

// Moves the calling thread to SCHED_IDLE (sched(7)): it runs only when no ordinary thread
// of the machine wants the core, and an ordinary thread that wakes up preempts it at once.
// Needs no privilege, but is one-way for an unprivileged process (leaving SCHED_IDLE needs
// RLIMIT_NICE or CAP_SYS_NICE). A failure leaves the policy as it was and returns false.
bool make_current_thread_idle_priority();

}  // namespace hippocrate
