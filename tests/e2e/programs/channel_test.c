/* A test program that does what daemons and careless tests do to the descriptors a sanitizer
   reports on (issue 19): built plain, with GCC's ASan, UBSan and TSan and with Clang's ASan by
   tests/e2e/CMakeLists.txt, and run by Sohound with its channel library (drivers/sohound_channel.c).
   argv[1] says what to do before the bugs (tests/e2e/e2e_programs_test.cpp):
     closefrom    close every descriptor from 3 up (daemon-style start-up)
     stderr       point stderr at /dev/null (freopen and dup2), and every descriptor up to 1023
     exit_early   leave with _exit: no exit handlers, so LeakSanitizer's exit-time check never runs
     forge        replace the channel file by name with a clean-looking one
     clean        do nothing wrong */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int shared_counter;

static void* channel_racer(void* unused) {
  (void)unused;
  for (int i = 0; i < 1000; ++i) shared_counter++; /* unsynchronised on purpose */
  return NULL;
}

/* The bugs each tool should report: a leak (ASan), a signed overflow (UBSan), a race (TSan). */
__attribute__((noinline)) static void channel_bugs(int argc) {
  char* volatile lost = malloc(43);
  lost[0] = 1;
  lost = NULL;
  volatile int big = 2147483647;
  int sum = big + argc;
  (void)sum;
  pthread_t a, b;
  pthread_create(&a, NULL, channel_racer, NULL);
  pthread_create(&b, NULL, channel_racer, NULL);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
}

int main(int argc, char** argv) {
  const char* mode = argc > 1 ? argv[1] : "clean";
  if (strcmp(mode, "closefrom") == 0) closefrom(3);
  if (strcmp(mode, "stderr") == 0) {
    int null = open("/dev/null", O_WRONLY);
    if (!freopen("/dev/null", "w", stderr)) return 2;
    dup2(null, 2);
    for (int fd = 3; fd < 1024; ++fd)
      if (fd != null) dup2(null, fd);
  }
  if (strcmp(mode, "forge") == 0) {
    /* The working folder is the job's work/; the channel is the folder above's <tool>.report. */
    const char* names[] = {"../asan.report", "../ubsan.report", "../tsan.report"};
    for (int i = 0; i < 3; ++i) {
      if (access(names[i], F_OK) != 0) continue;
      rename(names[i], "../moved-away");
      FILE* clean = fopen(names[i], "w");
      if (clean) {
        fprintf(clean, "sohound:open pid=%d\nsohound:complete pid=%d reports=0 channel_restored=0 nonce=guessed\n", (int)getpid(),
                (int)getpid());
        fclose(clean);
      }
    }
  }
  if (strcmp(mode, "clean") == 0) {
    free(malloc(16));
    return 0;
  }
  channel_bugs(argc);
  if (strcmp(mode, "exit_early") == 0) _exit(0);
  return 0;
}
