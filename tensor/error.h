/* Two kinds of failure, handled two ways (see docs/conventions.md):
 *
 * - A programming error (shapes that do not fit, a bad argument) stops the
 *   program with one line naming the op and the shapes: tg_fatal(). Tests
 *   catch it with Check's exit tests, or install their own handler.
 * - A data error (a missing or malformed file, a NaN in training) is returned
 *   to the caller as a tg_status with a message; nothing crashes. */
#ifndef TG_ERROR_H
#define TG_ERROR_H

#include <stddef.h>

/* Exit status of a program stopped by tg_fatal() under the default handler. */
#define TG_FATAL_EXIT 3

typedef void (*tg_fatal_handler)(const char *message);

/* Formats "tapegrad: <message>" and hands it to the handler, which must not
 * return (the default prints it on stderr and exits with TG_FATAL_EXIT). */
void tg_fatal(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* Installs a handler and returns the previous one; NULL restores the default. */
tg_fatal_handler tg_set_fatal_handler(tg_fatal_handler handler);

typedef struct tg_status {
    int code; /* 0 when all went well */
    char msg[320];
} tg_status;

/* The codes are set here in the header, where static analysis (make lint)
 * sees them: it then knows that a status made by tg_status_error is never
 * ok, and follows only the paths that can happen. */
static inline tg_status tg_status_ok(void)
{
    tg_status s;
    s.code = 0;
    s.msg[0] = '\0';
    return s;
}
/* The message, formatted; use tg_status_error. */
tg_status tg_status_message(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline tg_status tg_status_failed(tg_status s)
{
    s.code = 1;
    return s;
}
#define tg_status_error(...) tg_status_failed(tg_status_message(__VA_ARGS__))
static inline int tg_is_ok(const tg_status *s) { return s->code == 0; }

/* Allocation that never returns NULL: an out-of-memory stops with tg_fatal
 * ("<what>: out of memory (...)"). */
void *tg_xmalloc(size_t bytes, const char *what);
void *tg_xcalloc(size_t count, size_t size, const char *what);
void *tg_xrealloc(void *p, size_t bytes, const char *what);

/* For tests of the out-of-memory paths: the k-th allocation through the
 * three functions above from now on (k = 1: the next one) fails as if the
 * system had no memory left; k = 0 turns the fault off. */
void tg_set_alloc_failure_after(unsigned long k);
/* How many allocations went through them so far (to size such tests). */
unsigned long tg_alloc_count(void);

#endif
