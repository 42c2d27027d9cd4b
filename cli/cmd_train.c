/* tapegrad train timeseries|images|regression|frames|next-frame [options]
 *
 * Parses the options into tg_app_opts and runs the application
 * (apps/app.h): the summary, a progress bar per epoch, the per-epoch
 * line, the test figures next to the baselines, the history and the plot. */
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "tapegrad.h"

static const char usage_text[] =
    "usage: tapegrad train timeseries|images|regression|frames|next-frame [options]\n"
    "  --data DIR            where the data files are (default: data/, then the\n"
    "                        installed Debian packages, else the embedded data)\n"
    "  --embedded            use the embedded synthetic data even if real data is there\n"
    "  --epochs N            (5)            --batch N        (32)\n"
    "  --lr X                (1e-3 adam/rmsprop, 1e-2 sgd/gd)\n"
    "  --optimizer adam|sgd|rmsprop|gd      (adam; gd: the whole set per step)\n"
    "  --l1 X  --l2 X        kernel regularizers on every layer (0)\n"
    "  --patience N          early stopping on val_loss, best weights restored (off)\n"
    "  --peephole none|diagonal|full        the LSTM's peepholes (diagonal)\n"
    "  --model cnn-lstm|lstm-cnn|bilstm     series tasks: the document's order, LSTM first,\n"
    "                        or the LSTM read both ways (one output per window)\n"
    "  --model cnn-lstm|rcnn                images: the document's model, or a recurrent\n"
    "                        convolutional network (RCL2D) of about its size\n"
    "  --model cnn-lstm|cnn-dense|one-frame frames: CNN on each frame then LSTM, no LSTM,\n"
    "                        or the first frame alone\n"
    "  --model convlstm|cnn  next-frame: ConvLSTM2D over the frames, or a CNN over the\n"
    "                        frames stacked as channels\n"
    "  --steps T             series window length (32 days / 24 hours / 32 steps);\n"
    "                        frames: frames per sequence (4); next-frame: frames read (4)\n"
    "  --limit N             images: train on the first N images only; frames and\n"
    "                        next-frame: on N training sequences\n"
    "  --seed N              (42)           --threads N      (TG_THREADS or 1)\n"
    "  --history FILE.csv    --plot FILE.png  --save DIR  --load DIR\n";

static int bad(const char *what, const char *value)
{
    fprintf(stderr, "tapegrad train: %s '%s'\n%s", what, value, usage_text);
    return 2;
}

static int number(const char *s, double *v)
{
    char *end;
    *v = strtod(s, &end);
    return *s && !*end;
}

/* The options that take a whole number into an int, with the least value
 * each takes (and the most, --threads). */
static const struct {
    const char *name;
    long long least, most;
    const char *wants;
} whole_options[] = {
    {"--epochs", 1, INT_MAX, "--epochs wants a whole number >= 1, got"},
    {"--batch", 1, INT_MAX, "--batch wants a whole number >= 1, got"},
    {"--patience", 0, INT_MAX, "--patience wants a whole number >= 0, got"},
    {"--steps", 4, INT_MAX, "--steps wants a whole number >= 4, got"},
    {"--threads", 1, TG_MAX_THREADS, "--threads wants a whole number from 1 to 1024, got"},
};

/* The value of a whole-number option into *v, or the usage error. */
static int whole_option(const char *opt, const char *val, int *v, int *status)
{
    for (size_t i = 0; i < sizeof whole_options / sizeof whole_options[0]; i++) {
        if (strcmp(opt, whole_options[i].name))
            continue;
        uint64_t n;
        if (!tg_cli_whole_number(val, &n) || n < (uint64_t)whole_options[i].least)
            *status = bad(whole_options[i].wants, val);
        else if (n > (uint64_t)whole_options[i].most)
            *status = bad(whole_options[i].most == INT_MAX ? "number out of range:"
                                                           : whole_options[i].wants,
                          val);
        else
            *v = (int)n;
        return 1;
    }
    return 0;
}

int tg_cmd_train_parse(int argc, char **argv, tg_app_opts *out)
{
    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        fputs(usage_text, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    tg_app_opts o = tg_app_defaults();
    if (!strcmp(argv[1], "timeseries"))
        o.task = TG_APP_TIMESERIES;
    else if (!strcmp(argv[1], "images"))
        o.task = TG_APP_IMAGES;
    else if (!strcmp(argv[1], "regression"))
        o.task = TG_APP_REGRESSION;
    else if (!strcmp(argv[1], "frames"))
        o.task = TG_APP_FRAMES;
    else if (!strcmp(argv[1], "next-frame"))
        o.task = TG_APP_NEXT_FRAME;
    else
        return bad("unknown task", argv[1]);
    for (int i = 2; i < argc; i++) {
        const char *opt = argv[i];
        if (!strcmp(opt, "--embedded")) {
            o.embedded = 1;
            continue;
        }
        if (opt[0] != '-')
            return bad("unexpected argument", opt);
        if (i + 1 >= argc)
            return bad("missing value after", opt);
        const char *val = argv[++i];
        double v = 0;
        int is_num = number(val, &v);
        if (!strcmp(opt, "--data"))
            o.data_dir = val;
        else if (!strcmp(opt, "--optimizer"))
            o.optimizer = val;
        else if (!strcmp(opt, "--history"))
            o.history_csv = val;
        else if (!strcmp(opt, "--plot"))
            o.plot_png = val;
        else if (!strcmp(opt, "--save"))
            o.save_dir = val;
        else if (!strcmp(opt, "--load"))
            o.load_dir = val;
        else if (!strcmp(opt, "--peephole")) {
            if (!strcmp(val, "none"))
                o.peephole = TG_PEEPHOLE_NONE;
            else if (!strcmp(val, "diagonal"))
                o.peephole = TG_PEEPHOLE_DIAGONAL;
            else if (!strcmp(val, "full"))
                o.peephole = TG_PEEPHOLE_FULL;
            else
                return bad("--peephole wants none, diagonal or full, got", val);
        } else if (!strcmp(opt, "--model")) {
            if (o.task == TG_APP_IMAGES) {
                if (tg_images_arch_parse(val, &o.images_arch) < 0)
                    return bad("--model wants cnn-lstm or rcnn for images, got", val);
            } else if (o.task == TG_APP_NEXT_FRAME) {
                if (tg_next_frame_arch_parse(val, &o.next_frame_arch) < 0)
                    return bad("--model wants convlstm or cnn for next-frame, got", val);
            } else if (o.task == TG_APP_FRAMES) {
                if (tg_frames_arch_parse(val, &o.frames_arch) < 0)
                    return bad("--model wants cnn-lstm, cnn-dense or one-frame for frames, got",
                               val);
            } else if (tg_series_arch_parse(val, &o.arch) < 0) {
                return bad("--model wants cnn-lstm, lstm-cnn or bilstm, got", val);
            }
        } else if (!strcmp(opt, "--seed") || !strcmp(opt, "--limit")) {
            /* read exactly: a seed may need all 64 bits */
            uint64_t n;
            if (!tg_cli_whole_number(val, &n))
                return bad(strcmp(opt, "--seed") ? "--limit wants a whole number >= 0, got"
                                                 : "--seed wants a whole number >= 0, got",
                           val);
            if (!strcmp(opt, "--seed"))
                o.seed = n;
            else if (n > SIZE_MAX)
                return bad("number out of range:", val);
            else
                o.limit = (size_t)n;
        } else if (!is_num) {
            return bad("option wants a number:", val);
        } else if (!strcmp(opt, "--lr")) {
            /* !(v > 0): NaN is refused too */
            if (!(v > 0) || isinf(v))
                return bad("--lr wants a positive finite number, got", val);
            o.learning_rate = v;
        } else if (!strcmp(opt, "--l1") || !strcmp(opt, "--l2")) {
            if (!(v >= 0) || isinf(v))
                return bad(strcmp(opt, "--l1") ? "--l2 wants a finite number >= 0, got"
                                               : "--l1 wants a finite number >= 0, got",
                           val);
            *(strcmp(opt, "--l1") ? &o.l2 : &o.l1) = v;
        } else {
            int n = 0, status = -1;
            if (!whole_option(opt, val, &n, &status))
                return bad("unknown option", opt);
            if (status >= 0)
                return status;
            if (!strcmp(opt, "--epochs"))
                o.epochs = n;
            else if (!strcmp(opt, "--batch"))
                o.batch_size = n;
            else if (!strcmp(opt, "--patience"))
                o.patience = n;
            else if (!strcmp(opt, "--steps"))
                o.steps = n;
            else
                o.threads = n;
        }
    }
    *out = o;
    return -1;
}

int tg_cmd_train(int argc, char **argv)
{
    tg_app_opts o;
    const int parsed = tg_cmd_train_parse(argc, argv, &o);
    if (parsed >= 0)
        return parsed;
    tg_status st = tg_app_run(&o, NULL);
    if (!tg_is_ok(&st)) {
        fprintf(stderr, "tapegrad train: %s\n", st.msg);
        return 1;
    }
    return 0;
}
