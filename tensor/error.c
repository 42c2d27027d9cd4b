#include "tensor/tensor.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void default_handler(const char *message)
{
    fprintf(stderr, "%s\n", message);
    exit(TG_FATAL_EXIT);
}

static tg_fatal_handler current_handler = default_handler;

tg_fatal_handler tg_set_fatal_handler(tg_fatal_handler handler)
{
    tg_fatal_handler previous = current_handler;
    current_handler = handler ? handler : default_handler;
    return previous;
}

/* tg_fatal_catch's frames, innermost first, one list per thread: a fatal
 * jumps back to the innermost catch of its own thread, never into another
 * thread's stack. */
typedef struct catch_frame {
    sigjmp_buf env;
    struct catch_frame *outer;
} catch_frame;

static _Thread_local catch_frame *innermost;
/* The message of the fatal being caught, written just before the jump. Not
 * in the frame: the frame is a local of tg_fatal_catch, and a local changed
 * between sigsetjmp and the jump back is indeterminate after it (C11
 * 7.13.2.1). */
static _Thread_local char caught_message[512];

tg_status tg_fatal_catch(void (*body)(void *ctx), void *ctx)
{
    catch_frame frame;
    frame.outer = innermost;
    innermost = &frame;
    if (sigsetjmp(frame.env, 1) == 0) {
        body(ctx);
        innermost = frame.outer;
        return tg_status_ok();
    }
    innermost = frame.outer;
    return tg_status_error("%s", caught_message);
}

/* Copies the string src into dst[cap] with every control byte spelled out
 * ("\n", "\r", "\t", else "\xNN"), cut where it does not fit: a message
 * is one line whatever a file name or a field holds. */
static void escape_controls(const char *src, char *dst, size_t cap)
{
    static const char hex[] = "0123456789abcdef";
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)src; *p; p++) {
        char esc[5] = {(char)*p, 0, 0, 0, 0};
        if (*p < 0x20 || *p == 0x7f) {
            esc[0] = '\\';
            esc[1] = *p == '\n' ? 'n' : *p == '\r' ? 'r' : *p == '\t' ? 't' : 'x';
            if (esc[1] == 'x') {
                esc[2] = hex[*p >> 4];
                esc[3] = hex[*p & 15];
            }
        }
        const size_t len = strlen(esc);
        if (n + len >= cap)
            break;
        memcpy(dst + n, esc, len);
        n += len;
    }
    dst[n] = '\0';
}

void tg_fatal(const char *fmt, ...)
{
    char raw[512], message[512];
    int n = snprintf(raw, sizeof raw, "tapegrad: ");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(raw + n, sizeof raw - (size_t)n, fmt, ap);
    va_end(ap);
    escape_controls(raw, message, sizeof message);
    catch_frame *frame = innermost;
    if (frame) {
        snprintf(caught_message, sizeof caught_message, "%s", message);
        siglongjmp(frame->env, 1);
    }
    current_handler(message);
    /* A handler that returns would let a broken computation go on. */
    abort();
}

tg_status tg_status_message(const char *fmt, ...)
{
    tg_status s;
    s.code = 1;
    char raw[sizeof s.msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(raw, sizeof raw, fmt, ap);
    va_end(ap);
    escape_controls(raw, s.msg, sizeof s.msg);
    return s;
}

static unsigned long alloc_count, fail_at;

void tg_set_alloc_failure_after(unsigned long k)
{
    fail_at = k ? alloc_count + k : 0;
}

unsigned long tg_alloc_count(void)
{
    return alloc_count;
}

/* Counts one allocation; 1 when the test hook says this one fails. */
static int injected_failure(void)
{
    return ++alloc_count == fail_at;
}

void *tg_xmalloc(size_t bytes, const char *what)
{
    void *p = injected_failure() ? NULL : malloc(bytes ? bytes : 1);
    if (!p)
        tg_fatal("%s: out of memory (%zu bytes)", what, bytes);
    return p;
}

void *tg_xcalloc(size_t count, size_t size, const char *what)
{
    void *p = injected_failure() ? NULL : calloc(count ? count : 1, size ? size : 1);
    if (!p)
        tg_fatal("%s: out of memory (%zu x %zu bytes)", what, count, size);
    return p;
}

void *tg_xrealloc(void *p, size_t bytes, const char *what)
{
    void *q = injected_failure() ? NULL : realloc(p, bytes ? bytes : 1);
    if (!q)
        tg_fatal("%s: out of memory (%zu bytes)", what, bytes);
    return q;
}
