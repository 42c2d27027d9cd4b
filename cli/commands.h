/* The verbs of the `tapegrad` command. Each returns the process exit status:
 * 0 success, 1 a failed check or a data error, 2 a usage error.
 *
 * Each verb's arguments, and the choice of verb, are parsed by a function of
 * their own that runs nothing (a fuzzer and the tests call them): it returns
 * -1 when the arguments are good, else the exit status, with the usage or
 * the one-line error already printed (--help: the usage on stdout, 0). */
#ifndef TG_CLI_COMMANDS_H
#define TG_CLI_COMMANDS_H

#include <stdint.h>

#include "tapegrad.h"

/* One verb: its name, what runs it (with argv[0] the verb) and its help line. */
typedef struct tg_cli_verb {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *help;
} tg_cli_verb;

/* s is decimal digits only and fits uint64_t: into *v, 1; else 0.
 * (strtoull alone would take "", " 7" and "-1", as 2^64 - 1; strtod would
 * round past 2^53 and take "1e3".) */
int tg_cli_whole_number(const char *s, uint64_t *v);

/* The verb argv[1] names (argv[0] is the program), into *verb. */
int tg_cli_parse_verb(int argc, char **argv, const tg_cli_verb **verb);

/* The whole command: the verb, TG_THREADS checked (a bad one is a usage
 * error, 2, before anything runs), the verb run, and its output on stdout
 * checked to have been written (a write error is exit status 1 with a line
 * on stderr: `tapegrad gradcheck > /dev/full` fails). main() is this. */
int tg_cli_main(int argc, char **argv);

int tg_cmd_gradcheck(int argc, char **argv);
int tg_cmd_train(int argc, char **argv);
int tg_cmd_plot(int argc, char **argv);
int tg_cmd_graph(int argc, char **argv);

/* tapegrad gradcheck [--csv] [--seed N] [--list] [NAME...] */
typedef struct tg_cmd_gradcheck_opts {
    int csv, list;
    uint64_t seed;
    int n_names;
    char **names; /* the NAMEs, each a registered check (pointers into argv); free() it */
} tg_cmd_gradcheck_opts;
int tg_cmd_gradcheck_parse(int argc, char **argv, tg_cmd_gradcheck_opts *o);

/* tapegrad train timeseries|images|regression|frames [options] */
struct tg_app_opts;
int tg_cmd_train_parse(int argc, char **argv, struct tg_app_opts *o);

/* tapegrad plot HISTORY.csv [-o out.png] [--size WxH] */
typedef struct tg_cmd_plot_opts {
    const char *csv;
    tg_plot_opts plot; /* png_path (NULL without -o), width and height set */
} tg_cmd_plot_opts;
int tg_cmd_plot_parse(int argc, char **argv, tg_cmd_plot_opts *o);

/* tapegrad graph NAME [-o out.png] [--no-draw] | --dir DIR [--no-draw] [NAME...] | --list */
typedef struct tg_cmd_graph_opts {
    int n_names;
    char **names;    /* the NAMEs, each a picture of tg_pictures() (pointers into argv); free() it */
    const char *png; /* -o (one NAME), or NULL: NAME.png */
    const char *dir; /* --dir: the NAMEs (none: every picture) as DIR/NAME.png */
    int draw;        /* 0 with --no-draw: the data and the scripts only */
    int list;
} tg_cmd_graph_opts;
int tg_cmd_graph_parse(int argc, char **argv, tg_cmd_graph_opts *o);

#endif
