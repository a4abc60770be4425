/* GCC 12's standalone libubsan, asked for one report of Sohound's own: shared by the driver runtime
 * (drivers/sohound_rt.h) and the channel library of the user's programs (drivers/sohound_channel.c),
 * which reach the runtime's handler differently (a weak symbol; dlsym).
 *
 * A report comes from calling the runtime's recoverable signed-overflow handler with operands and a
 * source location of Sohound's own: no undefined behaviour is executed. The runtime reports each
 * location once (it marks the location as it reports), so each use keeps a location of its own. */
#ifndef SOHOUND_UBSAN_H
#define SOHOUND_UBSAN_H

#include <fcntl.h>
#include <stdint.h>
#include <unistd.h>

typedef void (*sohound_ubsan_handler)(void *data, void *lhs, void *rhs);

/* The handler's data: a source location and the operands' type (a 32-bit signed int). */
struct sohound_ubsan_at {
  struct {
    const char *file;
    unsigned line, column;
  } location;
  const void *type;
};

static const struct {
  unsigned short kind, info;
  char name[4];
} sohound_ubsan_int = {0, (5 << 1) | 1, "int"};

/* One report at `at` ("FILE:1:1: runtime error: ..."), with the stack when print_stacktrace=1. */
__attribute__((unused, noinline, no_sanitize("address", "thread", "undefined"))) static void sohound_ubsan_report_at(
    sohound_ubsan_handler handler, struct sohound_ubsan_at *at) {
  at->type = &sohound_ubsan_int;
  handler(at, (void *)(intptr_t)1, (void *)(intptr_t)2);
}

/* GCC 12's libubsan starts at its first report and then points its report file at log_path
 * (stderr by default), replacing a descriptor handed to it earlier: one report now, sent to
 * /dev/null, starts it, and the log_path.PID file it opened for that report (this process's own)
 * is removed, so the channel handed to it next stays. */
__attribute__((unused)) static void sohound_ubsan_start(sohound_ubsan_handler handler, const char *(*report_path)(void)) {
  static struct sohound_ubsan_at start = {{"<sohound runtime start>", 1, 1}, 0};
  int saved = fcntl(2, F_DUPFD_CLOEXEC, 3);
  int quiet = open("/dev/null", O_WRONLY | O_CLOEXEC);
  if (saved < 0 || quiet < 0) {
    if (saved >= 0) close(saved);
    if (quiet >= 0) close(quiet);
    return;
  }
  dup2(quiet, 2);
  sohound_ubsan_report_at(handler, &start);
  dup2(saved, 2);
  close(saved);
  close(quiet);
  if (report_path) {
    const char *path = report_path();
    if (path && path[0] == '/') unlink(path);
  }
}

#endif /* SOHOUND_UBSAN_H */
