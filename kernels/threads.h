/* How many threads the library's parallel kernels (GEMM first) may use,
 * and the loop that spreads work over them.
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
 * number from 1 to 1024; anything else counts as unset), else 1. At most
 * 64 threads run (the caller and 63 in the pool), whatever the count. */
int tg_get_threads(void);

typedef void (*tg_task_fn)(void *ctx, int item);

/* Runs fn(ctx, item) once for every item in [0, count), on the calling
 * thread and up to tg_get_threads() - 1 pool threads, and returns when all
 * are done. Items are claimed one at a time from a shared counter, so a
 * thread the OS is slow to schedule (a busy machine) just gets fewer of
 * them, and nobody waits for it: which thread runs an item varies from run
 * to run, so fn(item) must write only what item owns. A tg_parallel_for
 * inside fn runs on the thread that calls it, alone. */
void tg_parallel_for(int count, tg_task_fn fn, void *ctx);

#endif
