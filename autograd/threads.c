#include "autograd/threads.h"

#include <stdlib.h>

#include "tensor/error.h"

/* 0 until the first call of either function decides it. */
static int thread_count;

void tg_set_threads(int n)
{
    if (n < 1)
        tg_fatal("set_threads: thread count %d (must be >= 1)", n);
    thread_count = n;
}

static int threads_from_env(void)
{
    const char *s = getenv("TG_THREADS");
    if (!s || !*s)
        return 1;
    char *end;
    long n = strtol(s, &end, 10);
    return (*end == '\0' && n >= 1 && n <= 1024) ? (int)n : 1;
}

int tg_get_threads(void)
{
    if (thread_count == 0)
        thread_count = threads_from_env();
    return thread_count;
}
