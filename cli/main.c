/* tapegrad: a thin command over the library. */
#include "cli/commands.h"

int main(int argc, char **argv)
{
    return tg_cli_main(argc, argv);
}
