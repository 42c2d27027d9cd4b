/* Whole numbers on the command line, read exactly. */
#include <errno.h>
#include <stdlib.h>

#include "cli/commands.h"

int tg_cli_whole_number(const char *s, uint64_t *v)
{
    if (*s < '0' || *s > '9')
        return 0;
    char *end;
    errno = 0;
    const unsigned long long n = strtoull(s, &end, 10);
    if (*end || errno == ERANGE)
        return 0;
    *v = n;
    return 1;
}
