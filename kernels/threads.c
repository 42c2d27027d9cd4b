/* The thread count, and a small pool of threads for tg_parallel_for.
 *
 * Why not OpenMP's parallel regions: on a machine shared with other work
 * (two cores and a compiler running, say), an OpenMP team waits at the end
 * of every region for all its threads, and its idle threads spin for the
 * next region, taking the CPU from the thread that has work. Measured on
 * such a machine, a product that takes 0.5 ms alone took 35 ms with two
 * OpenMP threads. This pool differs in two ways:
 *
 * - Items are claimed from a shared ticket by whoever is running. The
 *   caller works too, and when a pool thread is late (not scheduled yet)
 *   the caller simply takes its items; nobody waits for a thread that has
 *   not claimed anything.
 * - Idle pool threads spin only briefly (SPIN_ROUNDS pauses, tens of
 *   microseconds: enough to catch the next product of a training step
 *   without a wake-up), then sleep on a condition variable.
 *
 * The ticket holds the job's generation in its high 32 bits and the next
 * item in its low 32, and is advanced by compare-and-swap only while the
 * generation matches: a thread that wakes up late, holding an old job,
 * can never take an item of the next one. */
#include "kernels/kernels.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tensor/tensor.h"

/* 0 until the first call of tg_set_threads or tg_get_threads decides it. */
static int thread_count;

void tg_set_threads(int n)
{
    if (n < 1 || n > TG_MAX_THREADS)
        tg_fatal("set_threads: thread count %d (must be 1 .. %d)", n, TG_MAX_THREADS);
    thread_count = n;
}

tg_status tg_threads_env(int *n)
{
    *n = 0;
    const char *s = getenv("TG_THREADS");
    if (!s || !*s)
        return tg_status_ok();
    /* Decimal digits only: strtol alone would take " 4", "+4" and "4 ". */
    int v = 0;
    for (const char *p = s; v <= TG_MAX_THREADS; p++) {
        if (!*p && p > s) {
            if (v >= 1) {
                *n = v;
                return tg_status_ok();
            }
            break;
        }
        if (*p < '0' || *p > '9')
            break;
        v = v * 10 + (*p - '0');
    }
    return tg_status_error("TG_THREADS='%.40s%s' is not a thread count (a whole number from 1 to "
                           "%d)", s, strlen(s) > 40 ? "..." : "", TG_MAX_THREADS);
}

int tg_get_threads(void)
{
    if (thread_count == 0) {
        int n;
        tg_status st = tg_threads_env(&n);
        if (!tg_is_ok(&st))
            tg_fatal("%s", st.msg);
        thread_count = n ? n : 1;
    }
    return thread_count;
}

#define MAX_WORKERS 63
#define SPIN_ROUNDS 2000

static struct {
    pthread_mutex_t submit; /* one tg_parallel_for at a time */
    pthread_mutex_t lock;   /* guards the job fields, quit and the sleeps */
    pthread_cond_t wake;    /* a job was posted, or quit */
    pthread_cond_t finished;
    pthread_t worker[MAX_WORKERS];
    int workers, quit;
    tg_task_fn fn; /* the current job */
    void *ctx;
    int count, helpers; /* items; pool threads allowed to help */
    _Atomic uint32_t generation;
    _Atomic uint64_t ticket; /* generation << 32 | next item */
    _Atomic int done;        /* items finished */
} pool = {
    .submit = PTHREAD_MUTEX_INITIALIZER,
    .lock = PTHREAD_MUTEX_INITIALIZER,
    .wake = PTHREAD_COND_INITIALIZER,
    .finished = PTHREAD_COND_INITIALIZER,
};

/* Set while a thread runs items: a nested tg_parallel_for runs alone. */
static _Thread_local int inside_job;

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

/* The next item of job gen, or -1 when there is none left (or the job is
 * over and a newer one posted). */
static int claim(uint32_t gen, int count)
{
    uint64_t t = atomic_load(&pool.ticket);
    for (;;) {
        if ((uint32_t)(t >> 32) != gen || (int)(uint32_t)t >= count)
            return -1;
        if (atomic_compare_exchange_weak(&pool.ticket, &t, t + 1))
            return (int)(uint32_t)t;
    }
}

static void run_items(uint32_t gen, tg_task_fn fn, void *ctx, int count)
{
    inside_job = 1;
    for (int item; (item = claim(gen, count)) >= 0;) {
        fn(ctx, item);
        if (atomic_fetch_add(&pool.done, 1) + 1 == count) {
            pthread_mutex_lock(&pool.lock);
            pthread_cond_signal(&pool.finished);
            pthread_mutex_unlock(&pool.lock);
        }
    }
    inside_job = 0;
}

static void *worker_main(void *arg)
{
    const int index = (int)(intptr_t)arg;
    pthread_mutex_lock(&pool.lock);
    uint32_t seen = atomic_load(&pool.generation);
    pthread_mutex_unlock(&pool.lock);
    for (;;) {
        for (int s = 0; s < SPIN_ROUNDS && atomic_load(&pool.generation) == seen; s++)
            cpu_relax();
        pthread_mutex_lock(&pool.lock);
        while (atomic_load(&pool.generation) == seen && !pool.quit)
            pthread_cond_wait(&pool.wake, &pool.lock);
        if (pool.quit) {
            pthread_mutex_unlock(&pool.lock);
            return NULL;
        }
        seen = atomic_load(&pool.generation);
        const tg_task_fn fn = pool.fn;
        void *const ctx = pool.ctx;
        const int count = pool.count, helps = index < pool.helpers;
        pthread_mutex_unlock(&pool.lock);
        if (helps)
            run_items(seen, fn, ctx, count);
    }
}

/* At exit: wake the pool threads and join them (leak checkers see no
 * thread left behind). */
static void stop_workers(void)
{
    pthread_mutex_lock(&pool.lock);
    pool.quit = 1;
    pthread_cond_broadcast(&pool.wake);
    pthread_mutex_unlock(&pool.lock);
    for (int w = 0; w < pool.workers; w++)
        if (!pthread_equal(pool.worker[w], pthread_self()))
            pthread_join(pool.worker[w], NULL);
    pool.workers = 0;
}

/* A child of fork() has none of its parent's threads. */
static void forget_workers(void)
{
    pool.workers = 0;
    pthread_mutex_init(&pool.submit, NULL);
    pthread_mutex_init(&pool.lock, NULL);
    pthread_cond_init(&pool.wake, NULL);
    pthread_cond_init(&pool.finished, NULL);
}

static void register_handlers(void)
{
    atexit(stop_workers);
    pthread_atfork(NULL, NULL, forget_workers);
}

/* Starts pool threads up to n; if the system refuses, the pool stays
 * smaller and the caller does more of the work. */
static void ensure_workers(int n)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, register_handlers);
    if (n > MAX_WORKERS)
        n = MAX_WORKERS;
    while (pool.workers < n &&
           pthread_create(&pool.worker[pool.workers], NULL, worker_main,
                          (void *)(intptr_t)pool.workers) == 0)
        pool.workers++;
}

void tg_parallel_for(int count, tg_task_fn fn, void *ctx)
{
    int nt = tg_get_threads();
    if (nt > count)
        nt = count;
    if (nt <= 1 || inside_job) {
        for (int item = 0; item < count; item++)
            fn(ctx, item);
        return;
    }
    pthread_mutex_lock(&pool.submit);
    ensure_workers(nt - 1);

    pthread_mutex_lock(&pool.lock);
    pool.fn = fn;
    pool.ctx = ctx;
    pool.count = count;
    pool.helpers = nt - 1;
    atomic_store(&pool.done, 0);
    const uint32_t gen = atomic_load(&pool.generation) + 1;
    atomic_store(&pool.ticket, (uint64_t)gen << 32);
    atomic_store(&pool.generation, gen);
    pthread_cond_broadcast(&pool.wake);
    pthread_mutex_unlock(&pool.lock);

    run_items(gen, fn, ctx, count);

    for (int s = 0; s < SPIN_ROUNDS && atomic_load(&pool.done) < count; s++)
        cpu_relax();
    pthread_mutex_lock(&pool.lock);
    while (atomic_load(&pool.done) < count)
        pthread_cond_wait(&pool.finished, &pool.lock);
    pthread_mutex_unlock(&pool.lock);
    pthread_mutex_unlock(&pool.submit);
}
