/* Running the programs that draw (gnuplot, Graphviz's dot), for plot.c and
 * pictures.c: looked up on PATH, spawned with an argument vector (never a
 * shell, so no user text is ever a command), waited for. Not installed. */
#ifndef TG_APPS_PROGRAM_H
#define TG_APPS_PROGRAM_H

#include "tensor/tensor.h"

/* Whether an executable `program` is in one of PATH's directories, searched
 * as the shell does (an empty entry is the current directory). Looked up
 * before spawning: whether posix_spawnp reports a missing program as ENOENT
 * or as a child that exits with 127 depends on the C library (and on
 * valgrind, which emulates it), and only the first can be told from a
 * program that ran and failed. */
int tg_program_on_path(const char *program);

/* Runs argv[0] (found on PATH) with argv and waits for it: ok when it
 * exited 0; else "<who>: cannot run <program>: <reason>", "<who>: waiting
 * for <program>: <reason>" or "<who>: <program> failed (exit status N)"
 * (N = -1 for a signal). */
tg_status tg_program_run(const char *who, char *const argv[]);

/* Whether the file at path, which program just wrote for final, is a whole
 * PNG: the signature, then chunks (length, type, data, CRC) that tile the
 * file exactly and end with IEND. A PNG cut by a full disk has no IEND at
 * its end: "<who>: <program> wrote N bytes that are not a whole PNG (disk
 * full?): <final> is kept as it was". */
tg_status tg_program_check_png(const char *who, const char *program, const char *path,
                               const char *final);

#endif
