/* How many threads the library's parallel kernels (GEMM first) may use.
 *
 * The default is 1, so that tests and small programs are quiet and
 * single-threaded unless asked: the environment variable TG_THREADS sets it
 * for a whole run, tg_set_threads() (the CLI's --threads) from code. Every
 * parallel kernel partitions its *output* between threads and never a sum,
 * so results are bit-identical for any thread count. */
#ifndef TG_THREADS_H
#define TG_THREADS_H

/* n >= 1; anything else is a programming error (tg_fatal). */
void tg_set_threads(int n);

/* The count set by tg_set_threads(), else TG_THREADS (when it is a whole
 * number >= 1), else 1. */
int tg_get_threads(void);

#endif
