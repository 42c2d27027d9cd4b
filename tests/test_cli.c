/* The parsers of the `tapegrad` command: the choice of verb and each verb's
 * arguments, good ones to the options they mean and bad ones to the exact
 * message the user reads (stdout and stderr are captured around each call),
 * with no I/O at all when the arguments are good. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/commands.h"
#include "apps/apps.h"
#include "tests/scratch.h"
#include "tests/support.h"

typedef enum { DISPATCH, GRADCHECK, TRAIN, PLOT, GRAPH } parser;

/* One call of a parser: the argv it read (the options point into it), what
 * it returned and printed. */
typedef struct parsed {
    char text[512];
    char *argv[32];
    int argc;
    int status;
    char out[4096], err[4096];
    const tg_cli_verb *verb;
    tg_cmd_gradcheck_opts gradcheck;
    tg_app_opts train;
    tg_cmd_plot_opts plot;
    tg_cmd_graph_opts graph;
} parsed;

/* Redirects fd to a fresh temporary file; returns the saved descriptor. */
static int redirect(int fd, FILE **tmp)
{
    *tmp = tmpfile();
    ck_assert_ptr_nonnull(*tmp);
    const int saved = dup(fd);
    ck_assert_int_ge(saved, 0);
    ck_assert_int_ge(dup2(fileno(*tmp), fd), 0);
    return saved;
}

static void restore(int fd, int saved, FILE *tmp, char *buf, size_t cap)
{
    ck_assert_int_ge(dup2(saved, fd), 0);
    close(saved);
    rewind(tmp);
    const size_t n = fread(buf, 1, cap - 1, tmp);
    buf[n] = '\0';
    fclose(tmp);
}

/* Runs the parser on line split at spaces ('' stands for an empty argument). */
static void run(parsed *p, parser which, const char *line)
{
    memset(p, 0, sizeof *p);
    snprintf(p->text, sizeof p->text, "%s", line);
    for (char *tok = strtok(p->text, " "); tok; tok = strtok(NULL, " ")) {
        ck_assert_int_lt(p->argc, 31);
        p->argv[p->argc++] = strcmp(tok, "''") ? tok : tok + 2;
    }
    fflush(stdout);
    fflush(stderr);
    FILE *out, *err;
    const int saved_out = redirect(STDOUT_FILENO, &out), saved_err = redirect(STDERR_FILENO, &err);
    switch (which) {
    case DISPATCH:
        p->status = tg_cli_parse_verb(p->argc, p->argv, &p->verb);
        break;
    case GRADCHECK:
        p->status = tg_cmd_gradcheck_parse(p->argc, p->argv, &p->gradcheck);
        break;
    case TRAIN:
        p->status = tg_cmd_train_parse(p->argc, p->argv, &p->train);
        break;
    case PLOT:
        p->status = tg_cmd_plot_parse(p->argc, p->argv, &p->plot);
        break;
    case GRAPH:
        p->status = tg_cmd_graph_parse(p->argc, p->argv, &p->graph);
        break;
    }
    fflush(stdout);
    fflush(stderr);
    restore(STDOUT_FILENO, saved_out, out, p->out, sizeof p->out);
    restore(STDERR_FILENO, saved_err, err, p->err, sizeof p->err);
}

/* Good arguments: -1, and nothing printed. */
static void expect_good(parsed *p, parser which, const char *line)
{
    run(p, which, line);
    ck_assert_msg(p->status == -1, "'%s': status %d, stderr: %s", line, p->status, p->err);
    ck_assert_str_eq(p->out, "");
    ck_assert_str_eq(p->err, "");
}

/* A usage error: exit status 2, and stderr starting with message (the rest,
 * if any, is the verb's usage). */
static void expect_usage_error(parser which, const char *line, const char *message)
{
    parsed p;
    run(&p, which, line);
    ck_assert_msg(p.status == 2, "'%s': status %d", line, p.status);
    ck_assert_msg(!strncmp(p.err, message, strlen(message)), "'%s': stderr\n%s\nwanted\n%s", line,
                  p.err, message);
    ck_assert_str_eq(p.out, "");
}

static const char gradcheck_usage[] =
    "usage: tapegrad gradcheck [--csv] [--seed N] [--list] [NAME...]\n";
static const char plot_usage[] = "usage: tapegrad plot HISTORY.csv [-o out.png] [--size WxH]\n";

START_TEST(dispatch_finds_each_verb)
{
    static const char *const names[] = {"gradcheck", "train", "plot", "graph"};
    int (*const runs[])(int, char **) = {tg_cmd_gradcheck, tg_cmd_train, tg_cmd_plot,
                                         tg_cmd_graph};
    for (int i = 0; i < 4; i++) {
        char line[64];
        snprintf(line, sizeof line, "tapegrad %s --bogus", names[i]);
        parsed p;
        expect_good(&p, DISPATCH, line);
        ck_assert_str_eq(p.verb->name, names[i]);
        ck_assert(p.verb->run == runs[i]);
    }
}
END_TEST

START_TEST(dispatch_help_and_errors)
{
    static const char *const helps[] = {"tapegrad --help", "tapegrad -h", "tapegrad help"};
    for (int i = 0; i < 3; i++) {
        parsed p;
        run(&p, DISPATCH, helps[i]);
        ck_assert_int_eq(p.status, 0);
        ck_assert_str_eq(p.err, "");
        ck_assert(!strncmp(p.out, "usage: tapegrad COMMAND [ARGS]\n\ncommands:\n", 42));
        ck_assert_ptr_nonnull(strstr(p.out, "\n  plot       HISTORY.csv"));
    }
    expect_usage_error(DISPATCH, "tapegrad", "usage: tapegrad COMMAND [ARGS]\n\ncommands:\n");
    expect_usage_error(DISPATCH, "tapegrad bogus",
                       "tapegrad: unknown command 'bogus' (try tapegrad --help)\n");
    expect_usage_error(DISPATCH, "tapegrad Train",
                       "tapegrad: unknown command 'Train' (try tapegrad --help)\n");
    expect_usage_error(DISPATCH, "tapegrad '' train",
                       "tapegrad: unknown command '' (try tapegrad --help)\n");
}
END_TEST

START_TEST(gradcheck_good)
{
    parsed p;
    expect_good(&p, GRADCHECK, "gradcheck");
    ck_assert_int_eq(p.gradcheck.csv, 0);
    ck_assert_int_eq(p.gradcheck.list, 0);
    ck_assert_uint_eq(p.gradcheck.seed, 1);
    ck_assert_int_eq(p.gradcheck.n_names, 0);
    free(p.gradcheck.names);

    expect_good(&p, GRADCHECK, "gradcheck --csv add --seed 7 matmul --list");
    ck_assert_int_eq(p.gradcheck.csv, 1);
    ck_assert_int_eq(p.gradcheck.list, 1);
    ck_assert_uint_eq(p.gradcheck.seed, 7);
    ck_assert_int_eq(p.gradcheck.n_names, 2);
    ck_assert_str_eq(p.gradcheck.names[0], "add");
    ck_assert_str_eq(p.gradcheck.names[1], "matmul");
    free(p.gradcheck.names);

    expect_good(&p, GRADCHECK, "gradcheck --seed 18446744073709551615");
    ck_assert(p.gradcheck.seed == UINT64_MAX);
    free(p.gradcheck.names);
}
END_TEST

/* Every registered check is a name the parser takes. */
START_TEST(gradcheck_takes_every_registered_name)
{
    int n;
    const tg_gradcheck_case *const *cases = tg_gradcheck_registry(&n);
    ck_assert_int_gt(n, 0);
    for (int i = 0; i < n; i++) {
        char line[128];
        snprintf(line, sizeof line, "gradcheck %s", cases[i]->name);
        parsed p;
        expect_good(&p, GRADCHECK, line);
        ck_assert_int_eq(p.gradcheck.n_names, 1);
        ck_assert_str_eq(p.gradcheck.names[0], cases[i]->name);
        free(p.gradcheck.names);
    }
}
END_TEST

START_TEST(gradcheck_errors)
{
    expect_usage_error(GRADCHECK, "gradcheck --seed x",
                       "tapegrad gradcheck: --seed wants a number, got 'x'\n");
    expect_usage_error(GRADCHECK, "gradcheck --seed 7x",
                       "tapegrad gradcheck: --seed wants a number, got '7x'\n");
    expect_usage_error(GRADCHECK, "gradcheck --seed -1",
                       "tapegrad gradcheck: --seed wants a number, got '-1'\n");
    expect_usage_error(GRADCHECK, "gradcheck --seed ''",
                       "tapegrad gradcheck: --seed wants a number, got ''\n");
    expect_usage_error(GRADCHECK, "gradcheck --seed 18446744073709551616",
                       "tapegrad gradcheck: --seed wants a number, got '18446744073709551616'\n");
    expect_usage_error(GRADCHECK, "gradcheck add --seed",
                       "tapegrad gradcheck: missing value after '--seed'\n");
    expect_usage_error(GRADCHECK, "gradcheck --verbose",
                       "tapegrad gradcheck: unknown option '--verbose'\n");
    expect_usage_error(GRADCHECK, "gradcheck add nosuch matmul",
                       "tapegrad gradcheck: no check named 'nosuch' (see --list)\n");
    parsed p;
    run(&p, GRADCHECK, "gradcheck nosuch");
    ck_assert_str_eq(p.err, "tapegrad gradcheck: no check named 'nosuch' (see --list)\n");
    run(&p, GRADCHECK, "gradcheck --help");
    ck_assert_int_eq(p.status, 0);
    ck_assert_str_eq(p.out, gradcheck_usage);
    ck_assert_str_eq(p.err, "");
}
END_TEST

START_TEST(train_good)
{
    parsed p;
    expect_good(&p, TRAIN,
                "train images --epochs 3 --batch 16 --seed 7 --peephole full --embedded "
                "--lr 0.5 --limit 100 --model rcnn --optimizer sgd --history h.csv");
    ck_assert_int_eq(p.train.task, TG_APP_IMAGES);
    ck_assert_int_eq(p.train.epochs, 3);
    ck_assert_int_eq(p.train.batch_size, 16);
    ck_assert_uint_eq(p.train.seed, 7);
    ck_assert_int_eq(p.train.peephole, TG_PEEPHOLE_FULL);
    ck_assert_int_eq(p.train.embedded, 1);
    ck_assert(p.train.learning_rate == 0.5);
    ck_assert_uint_eq(p.train.limit, 100);
    ck_assert_int_eq(p.train.images_arch, TG_IMAGES_RCNN);
    ck_assert_str_eq(p.train.optimizer, "sgd");
    ck_assert_str_eq(p.train.history_csv, "h.csv");

    /* What is not given keeps its default. */
    const tg_app_opts d = tg_app_defaults();
    expect_good(&p, TRAIN, "train regression");
    ck_assert_int_eq(p.train.task, TG_APP_REGRESSION);
    ck_assert_int_eq(p.train.epochs, d.epochs);
    ck_assert_uint_eq(p.train.seed, d.seed);

    /* Seeds are read exactly, past 2^53 where a double would round. */
    expect_good(&p, TRAIN, "train timeseries --seed 9007199254740993");
    ck_assert(p.train.seed == 9007199254740993ULL);
    expect_good(&p, TRAIN, "train timeseries --seed 18446744073709551615");
    ck_assert(p.train.seed == UINT64_MAX);
}
END_TEST

START_TEST(train_errors)
{
    expect_usage_error(TRAIN, "train", "usage: tapegrad train timeseries|images|regression");
    expect_usage_error(TRAIN, "train movies",
                       "tapegrad train: unknown task 'movies'\nusage: tapegrad train ");
    expect_usage_error(TRAIN, "train images --epochs x",
                       "tapegrad train: option wants a number: 'x'\nusage: tapegrad train ");
    expect_usage_error(TRAIN, "train images --epochs",
                       "tapegrad train: missing value after '--epochs'\n");
    expect_usage_error(TRAIN, "train images --bogus 3",
                       "tapegrad train: unknown option '--bogus'\n");
    expect_usage_error(TRAIN, "train images extra x",
                       "tapegrad train: unexpected argument 'extra'\n");
    expect_usage_error(TRAIN, "train images extra 3",
                       "tapegrad train: unexpected argument 'extra'\n");
    expect_usage_error(TRAIN, "train images --seed -1",
                       "tapegrad train: --seed wants a whole number >= 0, got '-1'\n");
    expect_usage_error(TRAIN, "train images --seed 1e3",
                       "tapegrad train: --seed wants a whole number >= 0, got '1e3'\n");
    expect_usage_error(TRAIN, "train images --seed 18446744073709551616",
                       "tapegrad train: --seed wants a whole number >= 0, got "
                       "'18446744073709551616'\n");
    expect_usage_error(TRAIN, "train images --limit 0x10",
                       "tapegrad train: --limit wants a whole number >= 0, got '0x10'\n");
    expect_usage_error(TRAIN, "train images --peephole sideways",
                       "tapegrad train: --peephole wants none, diagonal or full, got 'sideways'\n");
    /* Whole numbers where whole numbers are meant, rates positive and
     * finite, regularizers finite and >= 0, 1 .. 1024 threads. */
    expect_usage_error(TRAIN, "train timeseries --epochs 1.9",
                       "tapegrad train: --epochs wants a whole number >= 1, got '1.9'\n");
    expect_usage_error(TRAIN, "train timeseries --epochs 0x1",
                       "tapegrad train: --epochs wants a whole number >= 1, got '0x1'\n");
    expect_usage_error(TRAIN, "train timeseries --epochs 0",
                       "tapegrad train: --epochs wants a whole number >= 1, got '0'\n");
    expect_usage_error(TRAIN, "train timeseries --epochs 1e3",
                       "tapegrad train: --epochs wants a whole number >= 1, got '1e3'\n");
    expect_usage_error(TRAIN, "train timeseries --epochs 99999999999",
                       "tapegrad train: number out of range: '99999999999'\n");
    expect_usage_error(TRAIN, "train timeseries --batch -4",
                       "tapegrad train: --batch wants a whole number >= 1, got '-4'\n");
    expect_usage_error(TRAIN, "train timeseries --patience 2.5",
                       "tapegrad train: --patience wants a whole number >= 0, got '2.5'\n");
    expect_usage_error(TRAIN, "train timeseries --steps 3",
                       "tapegrad train: --steps wants a whole number >= 4, got '3'\n");
    expect_usage_error(TRAIN, "train timeseries --threads -1",
                       "tapegrad train: --threads wants a whole number from 1 to 1024, got "
                       "'-1'\n");
    expect_usage_error(TRAIN, "train timeseries --threads 1025",
                       "tapegrad train: --threads wants a whole number from 1 to 1024, got "
                       "'1025'\n");
    expect_usage_error(TRAIN, "train timeseries --lr -5",
                       "tapegrad train: --lr wants a positive finite number, got '-5'\n");
    expect_usage_error(TRAIN, "train timeseries --lr 0",
                       "tapegrad train: --lr wants a positive finite number, got '0'\n");
    expect_usage_error(TRAIN, "train timeseries --lr nan",
                       "tapegrad train: --lr wants a positive finite number, got 'nan'\n");
    expect_usage_error(TRAIN, "train timeseries --lr inf",
                       "tapegrad train: --lr wants a positive finite number, got 'inf'\n");
    expect_usage_error(TRAIN, "train timeseries --lr 1e999",
                       "tapegrad train: --lr wants a positive finite number, got '1e999'\n");
    expect_usage_error(TRAIN, "train timeseries --l1 nan",
                       "tapegrad train: --l1 wants a finite number >= 0, got 'nan'\n");
    expect_usage_error(TRAIN, "train timeseries --l2 -1e-3",
                       "tapegrad train: --l2 wants a finite number >= 0, got '-1e-3'\n");
    expect_usage_error(TRAIN, "train timeseries --l2 inf",
                       "tapegrad train: --l2 wants a finite number >= 0, got 'inf'\n");
    /* A word where an option belongs, last or not. */
    expect_usage_error(TRAIN, "train timeseries extra",
                       "tapegrad train: unexpected argument 'extra'\n");
    expect_usage_error(TRAIN, "train timeseries --epochs 2 extra",
                       "tapegrad train: unexpected argument 'extra'\n");
    parsed p;
    expect_good(&p, TRAIN,
                "train timeseries --epochs 7 --patience 0 --steps 4 --threads 1024 --lr 1e-320 "
                "--l1 0 --l2 1e-4");
    ck_assert_int_eq(p.train.epochs, 7);
    ck_assert_int_eq(p.train.patience, 0);
    ck_assert_int_eq(p.train.steps, 4);
    ck_assert_int_eq(p.train.threads, 1024);
    ck_assert(p.train.learning_rate == 1e-320 && p.train.l1 == 0 && p.train.l2 == 1e-4);
    run(&p, TRAIN, "train --help");
    ck_assert_int_eq(p.status, 0);
    ck_assert(!strncmp(p.out, "usage: tapegrad train ", 22));
    ck_assert_str_eq(p.err, "");
}
END_TEST

/* The recurrent models' choices: --model is read for the task named. */
START_TEST(train_recurrent_models)
{
    parsed p;
    expect_good(&p, TRAIN, "train timeseries --model bilstm");
    ck_assert_int_eq(p.train.arch, TG_SERIES_BILSTM);
    expect_good(&p, TRAIN, "train frames --model one-frame --steps 5");
    ck_assert_int_eq(p.train.task, TG_APP_FRAMES);
    ck_assert_int_eq(p.train.frames_arch, TG_FRAMES_ONE_FRAME);
    ck_assert_int_eq(p.train.steps, 5);
    expect_good(&p, TRAIN, "train frames --model cnn-dense");
    ck_assert_int_eq(p.train.frames_arch, TG_FRAMES_CNN_DENSE);
    expect_good(&p, TRAIN, "train frames");
    ck_assert_int_eq(p.train.frames_arch, TG_FRAMES_CNN_LSTM);
    expect_usage_error(TRAIN, "train frames --model bilstm",
                       "tapegrad train: --model wants cnn-lstm, cnn-dense or one-frame for "
                       "frames, got 'bilstm'\n");
    expect_good(&p, TRAIN, "train next-frame --model cnn --steps 6");
    ck_assert_int_eq(p.train.task, TG_APP_NEXT_FRAME);
    ck_assert_int_eq(p.train.next_frame_arch, TG_NEXT_FRAME_CNN);
    ck_assert_int_eq(p.train.steps, 6);
    expect_good(&p, TRAIN, "train next-frame");
    ck_assert_int_eq(p.train.next_frame_arch, TG_NEXT_FRAME_CONVLSTM);
    expect_usage_error(TRAIN, "train next-frame --model rcnn",
                       "tapegrad train: --model wants convlstm or cnn for next-frame, got "
                       "'rcnn'\n");
    expect_good(&p, TRAIN, "train images --model rcnn");
    ck_assert_int_eq(p.train.images_arch, TG_IMAGES_RCNN);
    expect_good(&p, TRAIN, "train images");
    ck_assert_int_eq(p.train.images_arch, TG_IMAGES_CNN_LSTM);
    expect_usage_error(TRAIN, "train images --model bilstm",
                       "tapegrad train: --model wants cnn-lstm or rcnn for images, got "
                       "'bilstm'\n");
    expect_usage_error(TRAIN, "train timeseries --model one-frame",
                       "tapegrad train: --model wants cnn-lstm, lstm-cnn or bilstm, got "
                       "'one-frame'\n");
}
END_TEST

START_TEST(plot_good)
{
    parsed p;
    const tg_plot_opts d = tg_plot_defaults();
    /* Parsing opens nothing: the file need not exist. */
    expect_good(&p, PLOT, "plot no/such/history.csv");
    ck_assert_str_eq(p.plot.csv, "no/such/history.csv");
    ck_assert_ptr_null(p.plot.plot.png_path);
    ck_assert_int_eq(p.plot.plot.width, d.width);
    ck_assert_int_eq(p.plot.plot.height, d.height);

    expect_good(&p, PLOT, "plot -o c.png --size 640x480 h.csv");
    ck_assert_str_eq(p.plot.csv, "h.csv");
    ck_assert_str_eq(p.plot.plot.png_path, "c.png");
    ck_assert_int_eq(p.plot.plot.width, 640);
    ck_assert_int_eq(p.plot.plot.height, 480);

    expect_good(&p, PLOT, "plot h.csv --size 2147483647x1");
    ck_assert_int_eq(p.plot.plot.width, 2147483647);
    ck_assert_int_eq(p.plot.plot.height, 1);
}
END_TEST

START_TEST(plot_bad_sizes)
{
    static const char *const sizes[] = {"0x10",  "10x0",  "10x",          "x10",
                                        "10x10x", "-5x10", "10X10",        "10x-5",
                                        "10x+5",  "+5x10", "2147483648x10", "1e3x10",
                                        "''"};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        char line[96], message[256];
        snprintf(line, sizeof line, "plot h.csv --size %s", sizes[i]);
        snprintf(message, sizeof message,
                 "tapegrad plot: --size wants WxH, two positive whole numbers, got '%s'\n%s",
                 strcmp(sizes[i], "''") ? sizes[i] : "", plot_usage);
        expect_usage_error(PLOT, line, message);
    }
}
END_TEST

START_TEST(plot_errors)
{
    char message[256];
    snprintf(message, sizeof message, "tapegrad plot: no HISTORY.csv given\n%s", plot_usage);
    expect_usage_error(PLOT, "plot", message);
    expect_usage_error(PLOT, "plot -o out.png --size 640x480", message);
    snprintf(message, sizeof message, "tapegrad plot: unexpected argument 'b.csv'\n%s",
             plot_usage);
    expect_usage_error(PLOT, "plot a.csv b.csv", message);
    expect_usage_error(PLOT, "plot -x a.csv", "tapegrad plot: unknown option '-x'\n");
    expect_usage_error(PLOT, "plot a.csv -o", "tapegrad plot: missing value after '-o'\n");
    expect_usage_error(PLOT, "plot a.csv --size", "tapegrad plot: missing value after '--size'\n");
    parsed p;
    run(&p, PLOT, "plot --help");
    ck_assert_int_eq(p.status, 0);
    ck_assert_str_eq(p.out, plot_usage);
    ck_assert_str_eq(p.err, "");
}
END_TEST

static const char graph_usage[] = "usage: tapegrad graph NAME [-o out.png] [--no-draw]\n"
                                  "       tapegrad graph --dir DIR [--no-draw] [NAME...]\n"
                                  "       tapegrad graph --list\n";

/* Every picture the library offers is a NAME; --dir takes several or none. */
START_TEST(graph_good)
{
    parsed p;
    int n;
    const tg_picture *all = tg_pictures(&n);
    ck_assert_int_ge(n, 7);
    for (int k = 0; k < n; k++) {
        char line[96];
        snprintf(line, sizeof line, "graph %s", all[k].name);
        expect_good(&p, GRAPH, line);
        ck_assert_int_eq(p.graph.n_names, 1);
        ck_assert_str_eq(p.graph.names[0], all[k].name);
        ck_assert_ptr_null(p.graph.png);
        ck_assert_ptr_null(p.graph.dir);
        ck_assert_int_eq(p.graph.draw, 1);
        ck_assert_int_eq(p.graph.list, 0);
        free(p.graph.names);
    }
    expect_good(&p, GRAPH, "graph -o out/step.png --no-draw lstm_step");
    ck_assert_str_eq(p.graph.names[0], "lstm_step");
    ck_assert_str_eq(p.graph.png, "out/step.png");
    ck_assert_int_eq(p.graph.draw, 0);
    free(p.graph.names);
    expect_good(&p, GRAPH, "graph --dir docs/pictures filters rows");
    ck_assert_str_eq(p.graph.dir, "docs/pictures");
    ck_assert_int_eq(p.graph.n_names, 2);
    ck_assert_str_eq(p.graph.names[1], "rows");
    free(p.graph.names);
    expect_good(&p, GRAPH, "graph --no-draw --dir out");
    ck_assert_int_eq(p.graph.n_names, 0);
    ck_assert_int_eq(p.graph.draw, 0);
    free(p.graph.names);
    expect_good(&p, GRAPH, "graph --list");
    ck_assert_int_eq(p.graph.list, 1);
    ck_assert_int_eq(p.graph.n_names, 0);
    free(p.graph.names);
}
END_TEST

START_TEST(graph_errors)
{
    char message[320];
    snprintf(message, sizeof message,
             "tapegrad graph: no picture named 'bogus' (tapegrad graph --list names them)\n%s",
             graph_usage);
    expect_usage_error(GRAPH, "graph bogus", message);
    expect_usage_error(GRAPH, "graph --dir out tape bogus", message);
    snprintf(message, sizeof message, "tapegrad graph: no picture NAME given\n%s", graph_usage);
    expect_usage_error(GRAPH, "graph", message);
    expect_usage_error(GRAPH, "graph -o x.png", message);
    snprintf(message, sizeof message, "tapegrad graph: --list takes nothing else\n%s",
             graph_usage);
    expect_usage_error(GRAPH, "graph --list tape", message);
    expect_usage_error(GRAPH, "graph --list --dir out", message);
    snprintf(message, sizeof message,
             "tapegrad graph: -o names one picture's file, --dir a directory for several: not "
             "both\n%s", graph_usage);
    expect_usage_error(GRAPH, "graph tape -o t.png --dir out", message);
    expect_usage_error(GRAPH, "graph tape gates",
                       "tapegrad graph: unexpected argument (several pictures go to a --dir) "
                       "'gates'\n");
    expect_usage_error(GRAPH, "graph tape -x", "tapegrad graph: unknown option '-x'\n");
    expect_usage_error(GRAPH, "graph tape -o", "tapegrad graph: missing value after '-o'\n");
    expect_usage_error(GRAPH, "graph --dir", "tapegrad graph: missing value after '--dir'\n");
    static const char *const refused[] = {"|cmd.png", "<in.png", "-Tsvg", "it's.png"};
    for (size_t k = 0; k < sizeof refused / sizeof refused[0]; k++) {
        char line[64];
        for (int opt = 0; opt < 2; opt++) {
            snprintf(line, sizeof line, "graph tape %s %s", opt ? "--dir" : "-o", refused[k]);
            snprintf(message, sizeof message,
                     "tapegrad graph: %s wants a path without quotes or control characters, not "
                     "starting with '<', '|' or '-', got '%s'\n%s",
                     opt ? "--dir" : "-o", refused[k], graph_usage);
            expect_usage_error(GRAPH, line, message);
        }
    }
    parsed p;
    run(&p, GRAPH, "graph --help");
    ck_assert_int_eq(p.status, 0);
    ck_assert_str_eq(p.out, graph_usage);
    ck_assert_str_eq(p.err, "");
}
END_TEST

/* tg_cli_main (main's body) on a command line, with stdout sent to
 * stdout_path and stderr captured, in a child (TG_THREADS set to threads
 * there, unset when NULL); its exit status, and stderr in err. */
static int run_main(const char *line, const char *stdout_path, const char *threads, char *err,
                    size_t cap)
{
    FILE *e = tmpfile();
    ck_assert_ptr_nonnull(e);
    fflush(NULL);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        char text[256], *argv[16];
        int argc = 0;
        snprintf(text, sizeof text, "%s", line);
        for (char *tok = strtok(text, " "); tok && argc < 15; tok = strtok(NULL, " "))
            argv[argc++] = tok;
        argv[argc] = NULL;
        if (!freopen(stdout_path, "w", stdout) || dup2(fileno(e), STDERR_FILENO) < 0)
            _exit(100);
        if (threads)
            setenv("TG_THREADS", threads, 1);
        else
            unsetenv("TG_THREADS");
        _exit(tg_cli_main(argc, argv));
    }
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    rewind(e);
    const size_t n = fread(err, 1, cap - 1, e);
    err[n] = '\0';
    fclose(e);
    ck_assert_msg(WIFEXITED(status), "the command died (status %d)", status);
    return WEXITSTATUS(status);
}

/* A full disk on stdout was exit status 0: now 1, with a line saying so. */
START_TEST(main_write_error_on_stdout_fails)
{
    char err[1024];
    ck_assert_int_eq(run_main("tapegrad gradcheck add", "/dev/null", NULL, err, sizeof err), 0);
    ck_assert_str_eq(err, "");
    ck_assert_int_eq(run_main("tapegrad gradcheck add", "/dev/full", NULL, err, sizeof err), 1);
    ck_assert_str_eq(err, "tapegrad gradcheck: cannot write the output: No space left on device\n");
    ck_assert_int_eq(run_main("tapegrad gradcheck --list", "/dev/full", NULL, err, sizeof err), 1);
    ck_assert_str_eq(err, "tapegrad gradcheck: cannot write the output: No space left on device\n");
    ck_assert_int_eq(run_main("tapegrad --help", "/dev/full", NULL, err, sizeof err), 1);
    ck_assert_str_eq(err, "tapegrad: cannot write the output: No space left on device\n");
    ck_assert_int_eq(run_main("tapegrad plot --help", "/dev/full", NULL, err, sizeof err), 1);
    ck_assert_str_eq(err, "tapegrad plot: cannot write the output: No space left on device\n");
    /* plot prints the text plot: drawn, then not delivered */
    tg_scratch d;
    tg_scratch_open(&d);
    tg_history h;
    tg_history_init(&h, 0, NULL, 0);
    tg_history_append(&h, 1, NAN, NULL, NULL, 0.5);
    tg_history_append(&h, 0.5, NAN, NULL, NULL, 0.5);
    const char *csv = tg_scratch_path(&d, "h.csv");
    tg_status st = tg_history_save_csv(&h, csv);
    ck_assert_msg(tg_is_ok(&st), "%s", st.msg);
    tg_history_free(&h);
    char line[800];
    snprintf(line, sizeof line, "tapegrad plot %s", csv);
    ck_assert_int_eq(run_main(line, "/dev/null", NULL, err, sizeof err), 0);
    ck_assert_int_eq(run_main(line, "/dev/full", NULL, err, sizeof err), 1);
    ck_assert_str_eq(err, "tapegrad plot: cannot write the output: No space left on device\n");
    tg_scratch_close(&d);
}
END_TEST

/* TG_THREADS=abc or 99999 counted as unset: now a usage error before the
 * verb runs; a good value and an empty one run. */
START_TEST(main_refuses_a_bad_tg_threads)
{
    static const char *const bad[] = {"abc", "99999", "0", "-2", " 4", "4x", "1025"};
    char err[1024], want[256];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_int_eq(run_main("tapegrad gradcheck add", "/dev/null", bad[i], err, sizeof err),
                         2);
        snprintf(want, sizeof want,
                 "tapegrad: TG_THREADS='%s' is not a thread count (a whole number from 1 to "
                 "1024)\n",
                 bad[i]);
        ck_assert_str_eq(err, want);
    }
    ck_assert_int_eq(run_main("tapegrad gradcheck add", "/dev/null", "2", err, sizeof err), 0);
    ck_assert_int_eq(run_main("tapegrad gradcheck add", "/dev/null", "", err, sizeof err), 0);
    ck_assert_int_eq(run_main("tapegrad gradcheck add", "/dev/null", "1024", err, sizeof err), 0);
}
END_TEST

Suite *tg_test_suite(void)
{
    Suite *s = suite_create("cli");
    TCase *tc = tcase_create("parsers");
    tcase_add_test(tc, dispatch_finds_each_verb);
    tcase_add_test(tc, dispatch_help_and_errors);
    tcase_add_test(tc, gradcheck_good);
    tcase_add_test(tc, gradcheck_takes_every_registered_name);
    tcase_add_test(tc, gradcheck_errors);
    tcase_add_test(tc, train_good);
    tcase_add_test(tc, train_errors);
    tcase_add_test(tc, train_recurrent_models);
    tcase_add_test(tc, plot_good);
    tcase_add_test(tc, plot_bad_sizes);
    tcase_add_test(tc, plot_errors);
    tcase_add_test(tc, graph_good);
    tcase_add_test(tc, graph_errors);
    tcase_add_test(tc, main_write_error_on_stdout_fails);
    tcase_add_test(tc, main_refuses_a_bad_tg_threads);
    suite_add_tcase(s, tc);
    return s;
}
