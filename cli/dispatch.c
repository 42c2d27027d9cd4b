/* The verbs of `tapegrad` and the choice among them by argv[1]. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"

static const tg_cli_verb verbs[] = {
    {"gradcheck", tg_cmd_gradcheck,
     "[--csv] [--seed N] [--list] [NAME...]  tape gradients vs finite differences"},
    {"train", tg_cmd_train,
     "timeseries|images|regression|frames [--data DIR] [--epochs N] ...  the document's models, end to end"},
    {"plot", tg_cmd_plot, "HISTORY.csv [-o out.png] [--size WxH]  training curves (PNG + text)"},
    {"graph", tg_cmd_graph,
     "NAME [-o out.png] | --dir DIR [NAME...] | --list  the docs' pictures (tapes, gates, ...)"},
};
static const int n_verbs = (int)(sizeof verbs / sizeof verbs[0]);

static void usage(FILE *out)
{
    fprintf(out, "usage: tapegrad COMMAND [ARGS]\n\ncommands:\n");
    for (int i = 0; i < n_verbs; i++)
        fprintf(out, "  %-10s %s\n", verbs[i].name, verbs[i].help);
}

int tg_cli_parse_verb(int argc, char **argv, const tg_cli_verb **verb)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    for (int i = 0; i < n_verbs; i++)
        if (!strcmp(argv[1], verbs[i].name)) {
            *verb = &verbs[i];
            return -1;
        }
    fprintf(stderr, "tapegrad: unknown command '%s' (try tapegrad --help)\n", argv[1]);
    return 2;
}

/* The verb chosen and run: its exit status. */
static int run_verb(int argc, char **argv, const tg_cli_verb **verb)
{
    int status = tg_cli_parse_verb(argc, argv, verb);
    if (status >= 0)
        return status;
    /* Before any work: a bad TG_THREADS would stop the run half way. */
    int threads;
    tg_status st = tg_threads_env(&threads);
    if (!tg_is_ok(&st)) {
        fprintf(stderr, "tapegrad: %s\n", st.msg);
        return 2;
    }
    return (*verb)->run(argc - 1, argv + 1);
}

int tg_cli_main(int argc, char **argv)
{
    const tg_cli_verb *verb = NULL;
    const int status = run_verb(argc, argv, &verb);
    /* What was printed must have arrived: a full disk or a closed pipe on
     * stdout is a failure, whatever the verb found. */
    errno = 0;
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "tapegrad%s%s: cannot write the output: %s\n", verb ? " " : "",
                verb ? verb->name : "", errno ? strerror(errno) : "a write to stdout failed");
        return status ? status : 1;
    }
    return status;
}
