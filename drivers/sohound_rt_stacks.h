/* Sohound driver runtime (main object only), under memcheck: the stacks of the runtime's threads,
 * and (at the end) the dynamic loader's clock words, both kept out of what a leak check reads.
 *
 * A memcheck leak check scans every mapped byte the program may read. glibc keeps the stacks of
 * joined threads mapped for reuse (up to 40 MB of them), and the untouched depth of each (most of
 * its 8 MB) stays readable: after a few features had run, every leak check scanned ~40 MB of
 * nothing and took ~160 ms instead of ~40 (the generated 200-feature suite's memcheck batch: 3.3 s,
 * 1.1 s with 512 KB stacks). Under memcheck the runner and body threads run on stacks mapped here,
 * of the size glibc would give them, with a guard page below as glibc's have, kept in a pool and
 * marked no-access while unused, so a leak check skips them. Elsewhere (and if mapping fails)
 * threads get glibc's stacks as before.
 */
#ifndef SOHOUND_RT_STACKS_H
#define SOHOUND_RT_STACKS_H

#include <sys/mman.h>
#include <sys/resource.h>

static int sohound_own_stacks = 0; /* set by main under memcheck */
static pthread_mutex_t sohound_stacks_lock = PTHREAD_MUTEX_INITIALIZER;
static void *sohound_stacks_free[256];
static int sohound_stacks_free_count = 0;
static size_t sohound_stack_bytes = 0;
static size_t sohound_stack_guard = 0;

/* glibc's default attributes (a GNU extension, declared here: the runtime does not define
 * _GNU_SOURCE); weak, so a C library without it leaves the RLIMIT_STACK rule below. */
extern int pthread_getattr_default_np(pthread_attr_t *attr) __attribute__((weak));

/* The size glibc gives a thread: its default attributes' (RLIMIT_STACK, or 2 MB when unlimited,
 * at glibc's start), else RLIMIT_STACK when set and sane, else 8 MB; whole pages. */
static size_t sohound_default_stack_bytes(void) {
  struct rlimit limit;
  pthread_attr_t attr;
  size_t page = (size_t)sysconf(_SC_PAGESIZE), bytes = 0;
  if (pthread_getattr_default_np && pthread_getattr_default_np(&attr) == 0) {
    if (pthread_attr_getstacksize(&attr, &bytes) != 0) bytes = 0;
    pthread_attr_destroy(&attr);
  }
  if (bytes < (64u << 10) || bytes > (1u << 30)) {
    bytes = 8u << 20;
    if (getrlimit(RLIMIT_STACK, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur >= (64u << 10) &&
        limit.rlim_cur <= (1u << 30))
      bytes = (size_t)limit.rlim_cur;
  }
  return (bytes + page - 1) / page * page;
}

/* A stack from the pool, or a new mapping; NULL when none can be had. */
static void *sohound_stack_take(void) {
  void *stack = NULL;
  pthread_mutex_lock(&sohound_stacks_lock);
  if (sohound_stack_bytes == 0) {
    sohound_stack_bytes = sohound_default_stack_bytes();
    sohound_stack_guard = (size_t)sysconf(_SC_PAGESIZE);
  }
  if (sohound_stacks_free_count > 0) stack = sohound_stacks_free[--sohound_stacks_free_count];
  pthread_mutex_unlock(&sohound_stacks_lock);
  if (!stack) {
    char *map = (char *)mmap(NULL, sohound_stack_bytes + sohound_stack_guard, PROT_READ | PROT_WRITE,
                             MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (map == MAP_FAILED) return NULL;
    if (mprotect(map, sohound_stack_guard, PROT_NONE) != 0) {
      munmap(map, sohound_stack_bytes + sohound_stack_guard);
      return NULL;
    }
    stack = map + sohound_stack_guard;
  }
#ifdef SOHOUND_HAVE_VALGRIND
  VALGRIND_MAKE_MEM_UNDEFINED(stack, sohound_stack_bytes); /* glibc writes the thread's control block at its top */
#endif
  return stack;
}

static void sohound_stack_give(void *stack) {
#ifdef SOHOUND_HAVE_VALGRIND
  VALGRIND_MAKE_MEM_NOACCESS(stack, sohound_stack_bytes); /* not scanned by the leak checks */
#endif
  pthread_mutex_lock(&sohound_stacks_lock);
  if (sohound_stacks_free_count < (int)(sizeof sohound_stacks_free / sizeof sohound_stacks_free[0])) {
    sohound_stacks_free[sohound_stacks_free_count++] = stack;
    stack = NULL;
  }
  pthread_mutex_unlock(&sohound_stacks_lock);
  if (stack) munmap((char *)stack - sohound_stack_guard, sohound_stack_bytes + sohound_stack_guard);
}

/* pthread_create on a pooled stack under memcheck (*stack says which; NULL: glibc's). */
static int sohound_thread_start(pthread_t *thread, void *(*run)(void *), void *arg, void **stack) {
  pthread_attr_t attr;
  int err;
  *stack = sohound_own_stacks ? sohound_stack_take() : NULL;
  if (!*stack) return pthread_create(thread, NULL, run, arg);
  pthread_attr_init(&attr);
  err = pthread_attr_setstack(&attr, *stack, sohound_stack_bytes);
  if (!err) err = pthread_create(thread, &attr, run, arg);
  pthread_attr_destroy(&attr);
  if (err) {
    sohound_stack_give(*stack);
    *stack = NULL;
    err = pthread_create(thread, NULL, run, arg);
  }
  return err;
}

static void sohound_thread_join(pthread_t thread, void *stack) {
  pthread_join(thread, NULL);
  if (stack) sohound_stack_give(stack);
}

/* The dynamic loader's clocks, under memcheck. ld.so keeps in its own data how many CPU cycles its
 * start took (relocate_time, load_time) and the cycle counter at its start (start_time), and a leak
 * check scans that data as it scans all of the program's. Those are numbers of tens of millions
 * that change from run to run, and Valgrind gives the client heap addresses of that size (~78 M
 * up): when one falls inside a lost block, memcheck calls the block "possibly lost" instead of
 * definitely or indirectly lost, a different finding from one run to the next (the zlib example's
 * deflate state: about 1 run in 400; a lost 900 MB block: every run). The harness finds the words
 * in the loader's symbol table and names them with the loader's build ID (SOHOUND_LOADER_CLOCKS:
 * "BUILDID OFFSET:SIZE,..." in hex, offsets from the loader's load address); when the loaded
 * loader carries that build ID, they are marked undefined, and a leak check reads no pointer from
 * an undefined word. (The batch watchdog's deadline, the runtime's own clock reading, is still
 * scanned: zeroing it between features is a race Helgrind reports with pthread_cond_timedwait.) */
#ifdef SOHOUND_HAVE_VALGRIND
#include <elf.h>
#include <sys/auxv.h>
#if UINTPTR_MAX > 0xffffffffu
typedef Elf64_Ehdr sohound_ehdr;
typedef Elf64_Phdr sohound_phdr;
typedef Elf64_Nhdr sohound_nhdr;
#else
typedef Elf32_Ehdr sohound_ehdr;
typedef Elf32_Phdr sohound_phdr;
typedef Elf32_Nhdr sohound_nhdr;
#endif

/* Whether the ELF object mapped at `base` carries the GNU build ID `hex` (`len` hex digits). */
static int sohound_has_build_id(uintptr_t base, const char *hex, size_t len) {
  const sohound_ehdr *eh = (const sohound_ehdr *)base;
  int i;
  if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0) return 0;
  for (i = 0; i < eh->e_phnum; ++i) {
    const sohound_phdr *ph = (const sohound_phdr *)(base + eh->e_phoff + (size_t)i * eh->e_phentsize);
    const unsigned char *at = (const unsigned char *)(base + ph->p_vaddr), *end = at + ph->p_memsz;
    if (ph->p_type != PT_NOTE) continue;
    while (at + sizeof(sohound_nhdr) <= end) {
      const sohound_nhdr *note = (const sohound_nhdr *)at;
      const unsigned char *desc = at + sizeof *note + ((note->n_namesz + 3u) & ~3u);
      size_t k;
      if (note->n_type == NT_GNU_BUILD_ID && note->n_namesz == 4 && memcmp(at + sizeof *note, "GNU", 4) == 0 &&
          note->n_descsz * 2 == len) {
        for (k = 0; k < note->n_descsz; ++k)
          if (hex[2 * k] != "0123456789abcdef"[desc[k] >> 4] || hex[2 * k + 1] != "0123456789abcdef"[desc[k] & 15]) return 0;
        return 1;
      }
      at = desc + ((note->n_descsz + 3u) & ~3u);
    }
  }
  return 0;
}
#endif

/* The words, read once from SOHOUND_LOADER_CLOCKS (-1: not yet), then marked before every check. */
static int sohound_clock_count = -1;
static uintptr_t sohound_clock_at[8];
static size_t sohound_clock_size[8];

static void sohound_read_loader_clocks(void) {
#ifdef SOHOUND_HAVE_VALGRIND
  const char *spec = getenv("SOHOUND_LOADER_CLOCKS"), *space;
  const uintptr_t base = (uintptr_t)getauxval(AT_BASE);
  char *end;
  sohound_clock_count = 0;
  if (!spec || !base || !(space = strchr(spec, ' ')) || !sohound_has_build_id(base, spec, (size_t)(space - spec))) return;
  spec = space + 1;
  while (*spec && sohound_clock_count < 8) {
    const unsigned long offset = strtoul(spec, &end, 16);
    unsigned long size;
    if (end == spec || *end != ':') return;
    spec = end + 1;
    size = strtoul(spec, &end, 16);
    if (end == spec || size == 0 || size > 64 || (*end && *end != ',')) return;
    sohound_clock_at[sohound_clock_count] = base + offset;
    sohound_clock_size[sohound_clock_count++] = size;
    spec = *end ? end + 1 : end;
  }
#endif
}

static void sohound_quiet_loader_clocks(void) {
#ifdef SOHOUND_HAVE_VALGRIND
  int i;
  if (sohound_clock_count < 0) sohound_read_loader_clocks();
  for (i = 0; i < sohound_clock_count; ++i) VALGRIND_MAKE_MEM_UNDEFINED((void *)sohound_clock_at[i], sohound_clock_size[i]);
#endif
}

#endif /* SOHOUND_RT_STACKS_H */
