/* libFuzzer target: the whole command line of `tapegrad`, as an argv made
 * of the bytes split at NUL (at most 32 arguments after the program name).
 * The verb is chosen as main() chooses it, then that verb's parser runs:
 * only parsing, never a gradient check, a training or a plot. make fuzz
 * runs it with -close_fd_mask=3, so the usage printed on every refusal
 * stays quiet. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "apps/apps.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_ARGS 32

/* What the verb's parser says of argv (argv[0] the verb). */
static int parse_verb_args(const tg_cli_verb *verb, int argc, char **argv)
{
    if (!strcmp(verb->name, "train")) {
        tg_app_opts o;
        return tg_cmd_train_parse(argc, argv, &o);
    }
    if (!strcmp(verb->name, "gradcheck")) {
        tg_cmd_gradcheck_opts o;
        const int parsed = tg_cmd_gradcheck_parse(argc, argv, &o);
        if (parsed == -1) {
            if (o.n_names < 0 || o.n_names >= argc)
                __builtin_trap();
            free(o.names);
        }
        return parsed;
    }
    if (!strcmp(verb->name, "plot")) {
        tg_cmd_plot_opts o;
        const int parsed = tg_cmd_plot_parse(argc, argv, &o);
        if (parsed == -1 && (!o.csv || o.plot.width < 1 || o.plot.height < 1))
            __builtin_trap();
        return parsed;
    }
    if (!strcmp(verb->name, "graph")) {
        tg_cmd_graph_opts o;
        const int parsed = tg_cmd_graph_parse(argc, argv, &o);
        if (parsed == -1) {
            /* good arguments: --list alone, or names with paths a script may hold */
            const int bad = o.list ? o.n_names || o.png || o.dir
                                   : (o.png && !tg_picture_path_ok(o.png)) ||
                                         (o.dir && !tg_picture_path_ok(o.dir)) ||
                                         (!o.dir && o.n_names != 1) || o.n_names >= argc;
            free(o.names);
            if (bad)
                __builtin_trap();
        }
        return parsed;
    }
    /* A verb added to the dispatch but not here: this target must learn to parse it. */
    __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    char *argv[MAX_ARGS + 2] = {"tapegrad"};
    int argc = 1;
    for (char *p = text; argc <= MAX_ARGS && p <= text + size; p += strlen(p) + 1)
        argv[argc++] = p;
    argv[argc] = NULL;
    const tg_cli_verb *verb;
    int parsed = tg_cli_parse_verb(argc, argv, &verb);
    if (parsed == -1)
        parsed = parse_verb_args(verb, argc - 1, argv + 1);
    if (parsed < -1 || parsed > 2)
        __builtin_trap();
    free(text);
    return 0;
}
