// The test program of the CTest properties project (CMakeLists.txt): one small action per test.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int write_state(const char* path) {
  char dir[4096];
  snprintf(dir, sizeof dir, "%s", path);
  char* slash = strrchr(dir, '/');
  if (slash) {
    *slash = '\0';
    mkdir(dir, 0755);
  }
  FILE* f = fopen(path, "w");
  if (!f) return perror(path), 1;
  fputs("ready\n", f);
  return fclose(f) != 0;
}

static int read_state(const char* path) {
  FILE* f = fopen(path, "r");
  if (!f) return fprintf(stderr, "%s: %s (its set-up has not run)\n", path, strerror(errno)), 1;
  char line[32] = {0};
  const int ok = fgets(line, sizeof line, f) && strcmp(line, "ready\n") == 0;
  fclose(f);
  return ok ? 0 : 1;
}

// Fails when another holder of the lock runs at the same time.
static int hold(const char* path) {
  write_state(path);  // makes the folder
  unlink(path);
  const int fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0644);
  if (fd < 0) return fprintf(stderr, "%s is held by another test: RESOURCE_LOCK was not honoured\n", path), 1;
  usleep(300 * 1000);
  close(fd);
  return unlink(path) != 0;
}

static int check(const char* name, const char* want) {
  const char* got = getenv(name);
  if ((got == NULL) != (want == NULL) || (got && strcmp(got, want) != 0)) {
    fprintf(stderr, "%s is '%s', want '%s'\n", name, got ? got : "(unset)", want ? want : "(unset)");
    return 1;
  }
  return 0;
}

// Kept in a global so that the block is lost only when the pointer is cleared.
static char* leaked;

static void props_leak(void) {
  leaked = malloc(48);
  memset(leaked, 1, 48);
  leaked = NULL;
}

int main(int argc, char** argv) {
  const char* what = argc > 1 ? argv[1] : "";
  if (strcmp(what, "write") == 0 && argc > 2) return write_state(argv[2]);
  if (strcmp(what, "read") == 0 && argc > 2) return read_state(argv[2]);
  if (strcmp(what, "remove") == 0 && argc > 2) return unlink(argv[2]) != 0;
  if (strcmp(what, "hold") == 0 && argc > 2) return hold(argv[2]);
  if (strcmp(what, "exit") == 0 && argc > 2) return atoi(argv[2]);
  if (strcmp(what, "say") == 0 && argc > 3) return puts(argv[2]), atoi(argv[3]);
  if (strcmp(what, "env") == 0)
    return check("PROPS_PLAIN", "plain") | check("PROPS_SET", "yes") | check("PROPS_LIST", "/a:/b") |
           check("PROPS_GONE", NULL) | check("PROPS_TEXT", "head-tail");
  if (strcmp(what, "leak") == 0) return props_leak(), 0;
  fprintf(stderr, "usage: props write|read|remove|hold PATH | exit N | say TEXT N | env | leak\n");
  return 2;
}
