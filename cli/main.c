/* tapegrad: a thin command over the library. */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"

typedef struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *help;
} command;

static const command commands[] = {
    {"gradcheck", tg_cmd_gradcheck,
     "[--csv] [--seed N] [--list] [NAME...]  tape gradients vs finite differences"},
    {"train", tg_cmd_train,
     "timeseries|images|regression [--data DIR] [--epochs N] ...  the seed's models, end to end"},
    {"plot", tg_cmd_plot, "HISTORY.csv [-o out.png] [--size WxH]  training curves (PNG + text)"},
};
static const int n_commands = (int)(sizeof commands / sizeof commands[0]);

static int usage(FILE *out)
{
    fprintf(out, "usage: tapegrad COMMAND [ARGS]\n\ncommands:\n");
    for (int i = 0; i < n_commands; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].help);
    return out == stdout ? 0 : 2;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage(stderr);
    if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help"))
        return usage(stdout);
    for (int i = 0; i < n_commands; i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "tapegrad: unknown command '%s' (try tapegrad --help)\n", argv[1]);
    return 2;
}
