/* Under memcheck: whether each block a leak check just found definitely lost had finished, as a
 * coroutine frame, or was still suspended. Part of sohound_rt.h (needs sohound_marker).
 *
 * GCC and Clang both keep a coroutine's resume function in the first word of its frame and set it
 * to null at the final suspend point, nowhere else: a leaked frame whose first word is null had
 * finished (its owner never called destroy()); one whose first word is set was left waiting at a
 * co_await or co_yield. The harness knows which leaked blocks are coroutine frames (by the
 * compilers' clone symbols, aggregate/coroutines); the driver only reads the blocks, which no tool
 * report shows. Memcheck's monitor command `block_list` (run here as a client request, so its
 * answer lands in the text log, vg.PID.log, beside the XML) lists each loss record's blocks by
 * address; they are still allocated, so reading their first word is allowed. Only definitely lost
 * records that grew in this check are read, and only when the check counted new leaked blocks.
 *
 * For each such record the driver says "sohound:frame N/M finished=F suspended=S" (F and S
 * blocks, loss record N of M) right after the check's reports; exec/job_reports pins it to the
 * record. Nothing here keeps a block's address once done: a pointer left in memory would turn the
 * block from definitely lost into reachable at the next check. The harness asks for it
 * (SOHOUND_FRAME_STATES=1) only when the driver or the library under test has coroutines. */
#ifndef SOHOUND_RT_FRAMES_H
#define SOHOUND_RT_FRAMES_H

#ifdef SOHOUND_HAVE_VALGRIND

static unsigned long sohound_lost_blocks; /* leaked blocks the last check counted */

struct sohound_frame_record {
  unsigned long number, of;
  unsigned long finished, suspended;
  int active; /* a definitely lost record that grew in this check */
};

static void sohound_frame_record_said(struct sohound_frame_record *r) {
  static char line[120]; /* static: see sohound_marker */
  if (r->active && r->finished + r->suspended > 0) {
    snprintf(line, sizeof line, "sohound:frame %lu/%lu finished=%lu suspended=%lu", r->number, r->of, r->finished,
             r->suspended);
    sohound_marker(line);
  }
  memset(r, 0, sizeof *r);
}

/* One line of the log without its "==PID== " prefix. */
static void sohound_frame_line(const char *text, struct sohound_frame_record *r) {
  static const char k_definite[] = " blocks are definitely lost in loss record ";
  const char *at = strstr(text, k_definite);
  if (at) {
    const char *grew = at;
    sohound_frame_record_said(r);
    /* "64 (+64) bytes in 1 (+1) blocks are ...": the record grew when its block count did. */
    r->active = 1;
    if (grew > text && grew[-1] == ')') {
      while (grew > text && grew[-1] != '(') --grew;
      r->active = strncmp(grew, "+", 1) == 0 && strtoul(grew + 1, NULL, 10) > 0;
    }
    if (sscanf(at + sizeof k_definite - 1, "%lu of %lu", &r->number, &r->of) != 2) r->active = 0;
    return;
  }
  if (strstr(text, " in loss record ")) { /* a record of another kind */
    sohound_frame_record_said(r);
    return;
  }
  /* "0x4A43240[64]": one of the record's blocks (the blocks it points to are indented). */
  if (r->active && text[0] == '0' && text[1] == 'x') {
    volatile uintptr_t address = (uintptr_t)strtoull(text, NULL, 16);
    const char *size = strchr(text, '[');
    unsigned char vbits[sizeof(void *)];
    void *word = NULL;
    if (!size || strtoull(size + 1, NULL, 10) < sizeof(void *)) return;
    if (VALGRIND_GET_VBITS((void *)address, vbits, sizeof vbits) == 1) {
      size_t k, undefined = 0;
      for (k = 0; k < sizeof vbits; ++k) undefined |= vbits[k];
      if (!undefined) {
        memcpy(&word, (const void *)address, sizeof word);
        if (word)
          ++r->suspended;
        else
          ++r->finished;
      }
    }
    address = 0;
  }
}

static void sohound_frame_states(void) {
  static char path[4200], buffer[8192];
  unsigned long leaked = 0, dubious = 0, reachable = 0, suppressed = 0;
  struct sohound_frame_record record;
  const char *done = getenv("SOHOUND_DONE_FILE");
  const char *wanted = getenv("SOHOUND_FRAME_STATES"); /* set where the driver or library has coroutines */
  const char *slash;
  size_t kept = 0;
  off_t from;
  ssize_t n;
  int fd;
  if (!wanted || strcmp(wanted, "1") != 0) return;
  VALGRIND_COUNT_LEAK_BLOCKS(leaked, dubious, reachable, suppressed);
  (void)dubious, (void)reachable, (void)suppressed;
  if (leaked <= sohound_lost_blocks) {
    sohound_lost_blocks = leaked;
    return;
  }
  sohound_lost_blocks = leaked;
  if (!done || !(slash = strrchr(done, '/'))) return;
  snprintf(path, sizeof path, "%.*s/vg.%ld.log", (int)(slash - done), done, (long)getpid());
  fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  from = lseek(fd, 0, SEEK_END);
  VALGRIND_MONITOR_COMMAND("block_list 1..1000000 limited 100");
  memset(&record, 0, sizeof record);
  if (from >= 0 && lseek(fd, from, SEEK_SET) == from) {
    while ((n = read(fd, buffer + kept, sizeof buffer - 1 - kept)) > 0) {
      char *line = buffer, *end;
      kept += (size_t)n;
      buffer[kept] = 0;
      while ((end = strchr(line, '\n'))) {
        const char *text = strstr(line, "== ");
        *end = 0;
        if (line[0] == '=' && text) sohound_frame_line(text + 3, &record);
        line = end + 1;
      }
      kept = (size_t)(buffer + kept - line);
      memmove(buffer, line, kept);
      if (kept == sizeof buffer - 1) kept = 0; /* a line longer than the buffer: dropped */
    }
  }
  sohound_frame_record_said(&record);
  close(fd);
}

#endif

#endif /* SOHOUND_RT_FRAMES_H */
