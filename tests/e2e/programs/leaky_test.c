/* An existing test program as users have them: it checks something, leaks on the way, and runs a
   helper program as a child process, which leaks too. Sohound must find both leaks, each on the
   process that reported it (tests/e2e/e2e_programs_test.cpp). */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

extern char** environ;

static char* parent_leak(void) {
  char* copy = malloc(48);
  strcpy(copy, "kept by the test, never freed");
  return copy;
}

int main(int argc, char** argv) {
  char* volatile kept = parent_leak();
  kept = NULL;
  if (argc < 2) return 0;
  pid_t pid = 0;
  char* child_argv[] = {argv[1], NULL};
  if (posix_spawn(&pid, argv[1], NULL, NULL, child_argv, environ) != 0) return 2;
  int status = 0;
  waitpid(pid, &status, 0);
  printf("child exited with %d\n", WEXITSTATUS(status));
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}
