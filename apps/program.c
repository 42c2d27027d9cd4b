#include "apps/internal/program.h"

#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "apps/apps.h"
#include "tensor/internal/file.h"

extern char **environ;

int tg_program_on_path(const char *program)
{
    const char *path = getenv("PATH");
    if (!path)
        return 0;
    char exe[TG_PATH_MAX + 64];
    for (const char *p = path;;) {
        const size_t n = strcspn(p, ":");
        const int len = snprintf(exe, sizeof exe, "%.*s/%s", (int)n, n ? p : ".", program);
        if (len > 0 && (size_t)len < sizeof exe && access(exe, X_OK) == 0)
            return 1;
        if (!p[n])
            return 0;
        p += n + 1;
    }
}

tg_status tg_program_run(const char *who, char *const argv[])
{
    pid_t pid;
    const int err = posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ);
    if (err)
        return tg_status_error("%s: cannot run %s: %s", who, argv[0], strerror(err));
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return tg_status_error("%s: waiting for %s: %s", who, argv[0], strerror(errno));
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        return tg_status_error("%s: %s failed (exit status %d)", who, argv[0],
                               WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    return tg_status_ok();
}

tg_status tg_program_check_png(const char *who, const char *program, const char *path,
                               const char *final)
{
    unsigned char *b;
    size_t n;
    tg_status st = tg_read_file(path, &b, &n);
    if (!tg_is_ok(&st))
        return st;
    size_t at = 8;
    int whole = n >= 8 && !memcmp(b, "\x89PNG\r\n\x1a\n", 8), ended = 0;
    while (whole && !ended) {
        if (n - at < 12) {
            whole = 0;
            break;
        }
        const unsigned char *c = b + at;
        const size_t len = (size_t)c[0] << 24 | (size_t)c[1] << 16 | (size_t)c[2] << 8 | c[3];
        if (len > n - at - 12) {
            whole = 0;
            break;
        }
        ended = !memcmp(c + 4, "IEND", 4);
        at += 12 + len;
    }
    free(b);
    if (!whole || at != n)
        return tg_status_error("%s: %s wrote %zu bytes that are not a whole PNG (disk full?): %s "
                               "is kept as it was",
                               who, program, n, final);
    return tg_status_ok();
}
