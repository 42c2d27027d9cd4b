/* tapegrad plot HISTORY.csv [-o out.png] [--size WxH]: the training curves
 * of a History CSV as a PNG and, on stdout, as text. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "tapegrad.h"

static const char usage_text[] = "usage: tapegrad plot HISTORY.csv [-o out.png] [--size WxH]\n";

static int bad(const char *what, const char *value)
{
    fprintf(stderr, "tapegrad plot: %s '%s'\n%s", what, value, usage_text);
    return 2;
}

/* A positive int in decimal digits, ending at *end. */
static int dimension(const char *s, char **end, int *v)
{
    if (*s < '0' || *s > '9')
        return 0;
    errno = 0;
    const long n = strtol(s, end, 10);
    if (errno == ERANGE || n < 1 || n > INT_MAX)
        return 0;
    *v = (int)n;
    return 1;
}

/* WxH, two positive whole numbers; whether they are drawable is the
 * plotter's to say. */
static int parse_size(const char *s, int *width, int *height)
{
    char *end;
    return dimension(s, &end, width) && *end == 'x' && dimension(end + 1, &end, height) && !*end;
}

int tg_cmd_plot_parse(int argc, char **argv, tg_cmd_plot_opts *out)
{
    if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
        fputs(usage_text, stdout);
        return 0;
    }
    tg_cmd_plot_opts o = {.csv = NULL, .plot = tg_plot_defaults()};
    for (int i = 1; i < argc; i++) {
        const int has_value = i + 1 < argc;
        if (!strcmp(argv[i], "-o") && has_value) {
            o.plot.png_path = argv[++i];
        } else if (!strcmp(argv[i], "--size") && has_value) {
            if (!parse_size(argv[++i], &o.plot.width, &o.plot.height))
                return bad("--size wants WxH, two positive whole numbers, got", argv[i]);
        } else if (!strcmp(argv[i], "-o") || !strcmp(argv[i], "--size")) {
            return bad("missing value after", argv[i]);
        } else if (argv[i][0] == '-') {
            return bad("unknown option", argv[i]);
        } else if (o.csv) {
            return bad("unexpected argument", argv[i]);
        } else {
            o.csv = argv[i];
        }
    }
    if (!o.csv) {
        fprintf(stderr, "tapegrad plot: no HISTORY.csv given\n%s", usage_text);
        return 2;
    }
    *out = o;
    return -1;
}

int tg_cmd_plot(int argc, char **argv)
{
    tg_cmd_plot_opts parsed_opts;
    const int parsed = tg_cmd_plot_parse(argc, argv, &parsed_opts);
    if (parsed >= 0)
        return parsed;
    tg_plot_opts o = parsed_opts.plot;
    /* The text plot is printed below: tg_plot_history says where it went. */
    tg_plot_paths used;
    o.paths = &used;
    tg_status s = tg_plot_history(parsed_opts.csv, &o);
    if (!tg_is_ok(&s)) {
        fprintf(stderr, "tapegrad: %s\n", s.msg);
        return 1;
    }
    FILE *f = fopen(used.text, "r");
    if (f) {
        char buf[4096];
        size_t n;
        while ((n = fread(buf, 1, sizeof buf, f)) > 0)
            fwrite(buf, 1, n, stdout);
        fclose(f);
    }
    printf("wrote %s (%d x %d) and %s\n", used.png, o.width, o.height, used.text);
    return 0;
}
