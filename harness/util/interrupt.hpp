// SIGINT and SIGTERM as a flag every long phase can poll (parsing, matching, rendering), plus a
// file descriptor an event loop can wait on. The first signal asks for a prompt, orderly stop
// (results gathered so far are written, exit 130); a second one exits at once with 130.
//
// A signal sent by one of Sohound's own descendants (a feature that kills its parent) is not an
// interrupt: it is recorded (sender_pid) so the caller can ignore it and say so.
#pragma once

#include <sys/types.h>

namespace harness::util {

// Installs the handlers (once; later calls do nothing). With `accept_every_signal` (commands that
// start no processes) every signal counts as the user's at once; otherwise the caller vets each
// with take_signal and set_interrupted.
void install_interrupt_handlers(bool accept_every_signal = false);
// True once a signal arrived that the caller accepted (see take_signal).
bool interrupted();
// Marks the run as interrupted (for signals the caller accepted, and for tests).
void set_interrupted();
// Readable whenever a signal arrived since the last take_signal().
int interrupt_fd();
// The next pending signal and its sender (0 when unknown), or false when none is pending.
bool take_signal(int& signal, pid_t& sender);
// True when `pid` is this process's descendant (walks the parent chain in /proc).
bool is_descendant(pid_t pid);

// Signals received so far (any sender), and the count a phase started at: a phase such as
// rendering or reading a results file stops at the first signal that arrives while it runs.
unsigned signal_count();
void start_phase();

// Thrown by long loops (renderers, readers) when a signal arrived since start_phase(); callers
// turn it into exit 130.
struct Interrupted {};
void throw_if_interrupted();

}  // namespace harness::util
