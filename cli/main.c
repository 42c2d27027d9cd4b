/* tapegrad: a thin command over the library. */
#include "cli/commands.h"

int main(int argc, char **argv)
{
    const tg_cli_verb *verb;
    const int parsed = tg_cli_parse_verb(argc, argv, &verb);
    if (parsed >= 0)
        return parsed;
    return verb->run(argc - 1, argv + 1);
}
