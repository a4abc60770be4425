// SIGINT and SIGTERM as a flag every long phase can poll (parsing, matching, rendering), plus a
// file descriptor an event loop can wait on. The first signal asks for a prompt, orderly stop
// (results gathered so far are written, exit 130); a second one exits at once with 130.
//
// A signal sent by one of Sohound's own descendants (a feature that kills its parent) is not an
// interrupt: it is recorded (sender_pid) so the caller can ignore it and say so.
#pragma once

#include <sys/types.h>

namespace harness::util {

// Installs the handlers (once; later calls do nothing).
void install_interrupt_handlers();
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

// Thrown by long loops that poll interrupted(); callers turn it into exit 130.
struct Interrupted {};
inline void throw_if_interrupted() {
  if (interrupted()) throw Interrupted{};
}

}  // namespace harness::util
