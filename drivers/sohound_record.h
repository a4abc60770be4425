/* Sohound's input recorder (sohound_record.c, sohound_record_exec.c): what its two halves share.
 * Hidden in the module (C_VISIBILITY_PRESET hidden); EXPORT marks the wrappers programs reach. */
#ifndef SOHOUND_RECORD_H
#define SOHOUND_RECORD_H

#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <glob.h>
#include <limits.h>
#include <link.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define EXPORT __attribute__((visibility("default")))

extern char **environ;
extern int armed; /* this process records (it is the program, or below it) */

long raw_length(const char *s);
void put(char *line, long cap, long *n, const char *text);
void put_number(char *line, long cap, long *n, long value);
/* `path` made absolute against `dirfd` (AT_FDCWD: the working folder) into `out`. */
void absolute(int dirfd, const char *path, char *out, long cap);
/* One line of the record (see sohound_record.c); nothing when the process does not record. */
void emit_at(char op, long pid, long number, int dirfd, const char *path);
long self(void);
void emit(char op, long number, const char *path);
void refuse(const char *why);

/* A wrapped function's next definition (libc's, or a sanitizer's interceptor), looked up by each
 * half's constructor before any thread runs, or on the spot when called before it. */
#define DECLARE_REAL(name) static __typeof__(&name) real_##name;
#define LOOK_UP(name) real_##name = (__typeof__(&name))dlsym(RTLD_NEXT, #name);
#define REAL(name) (real_##name ? real_##name : (__typeof__(&name))dlsym(RTLD_NEXT, #name))

#endif
