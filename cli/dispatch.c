/* The verbs of `tapegrad` and the choice among them by argv[1]. */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"

static const tg_cli_verb verbs[] = {
    {"gradcheck", tg_cmd_gradcheck,
     "[--csv] [--seed N] [--list] [NAME...]  tape gradients vs finite differences"},
    {"train", tg_cmd_train,
     "timeseries|images|regression|frames [--data DIR] [--epochs N] ...  the document's models, end to end"},
    {"plot", tg_cmd_plot, "HISTORY.csv [-o out.png] [--size WxH]  training curves (PNG + text)"},
};
static const int n_verbs = (int)(sizeof verbs / sizeof verbs[0]);

static int usage(FILE *out)
{
    fprintf(out, "usage: tapegrad COMMAND [ARGS]\n\ncommands:\n");
    for (int i = 0; i < n_verbs; i++)
        fprintf(out, "  %-10s %s\n", verbs[i].name, verbs[i].help);
    return out == stdout ? 0 : 2;
}

int tg_cli_parse_verb(int argc, char **argv, const tg_cli_verb **verb)
{
    if (argc < 2)
        return usage(stderr);
    if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help"))
        return usage(stdout);
    for (int i = 0; i < n_verbs; i++)
        if (!strcmp(argv[1], verbs[i].name)) {
            *verb = &verbs[i];
            return -1;
        }
    fprintf(stderr, "tapegrad: unknown command '%s' (try tapegrad --help)\n", argv[1]);
    return 2;
}
