#include "datasets/datasets.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static const char *const installed[] = {
    [TG_DATA_FASHION_MNIST] = "/usr/share/datasets/fashion-mnist",
    [TG_DATA_VEGA] = "/usr/lib/python3/dist-packages/vega_datasets/_data",
};

/* Tries prefix/name and, for a .gz name, prefix/name-without-.gz. A file
 * that is there counts as found even when it cannot be read (no
 * permission, a directory): the reader then says why, and a caller never
 * falls back to other data over a file the user has but cannot use. */
static int try_dir(const char *prefix, const char *name, char *path, size_t len)
{
    size_t n = strlen(name);
    int variants = n > 3 && strcmp(name + n - 3, ".gz") == 0 ? 2 : 1;
    struct stat st;
    for (int v = 0; v < variants; v++) {
        int w = snprintf(path, len, "%s/%.*s", prefix, (int)(v ? n - 3 : n), name);
        /* stat failing for another reason than absence (a directory on the
         * way that may not be searched) is also a file the user cannot use */
        if (w > 0 && (size_t)w < len &&
            (stat(path, &st) == 0 || (errno != ENOENT && errno != ENOTDIR)))
            return 1;
    }
    return 0;
}

tg_status tg_data_find(tg_data_source source, const char *name, const char *dir, char *path,
                       size_t len)
{
    if ((unsigned)source > TG_DATA_VEGA)
        tg_fatal("tg_data_find: unknown data source %d", (int)source);
    char prefix[1024];
    const char *where[2];
    if (dir) {
        snprintf(prefix, sizeof prefix, "%s%s", dir, installed[source]);
        where[0] = dir;
        where[1] = prefix;
    } else {
        snprintf(prefix, sizeof prefix, "data%s", installed[source]);
        where[0] = prefix;
        where[1] = installed[source];
    }
    for (int i = 0; i < 2; i++)
        if (try_dir(where[i], name, path, len))
            return tg_status_ok();
    tg_status st =
        tg_status_error("%s: not found in %s nor in %s%s", name, where[0], where[1],
                        dir ? "" : " (run `make data`, or name a directory with --data)");
    st.code = TG_DATA_NOT_FOUND;
    return st;
}
