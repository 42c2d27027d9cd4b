/* libFuzzer target: the gnuplot script writer (tg_plot_script) on any
 * metric name and any three paths. The bytes, split at NUL:
 *
 *   field 0   flags: byte 0 bit 0 = validation data, bit 1 = one metric;
 *             byte 1 (if any) = the number of epochs
 *   field 1   the metric's name
 *   field 2-4 the history CSV, the PNG and the text plot paths
 *
 * Fails (traps) when a script holds anything the writer did not put there:
 * every line must be one of the writer's statement forms, every quoted
 * string either a path it was given (as it is when absolute, as ./path
 * when relative) in the place that path belongs, or a title it makes from
 * the metric's name; no path may start with gnuplot's pipes (< or |), and
 * nothing outside the quotes may name system, load, call, shell, a
 * backquote or a '!'. It also fails when the writer refuses what is good
 * (an identifier, paths without quotes, control bytes or a leading pipe),
 * so the check cannot pass by refusing everything. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "apps/apps.h"
#include "train/train.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define check(cond)                                                                               \
    do {                                                                                          \
        if (!(cond))                                                                              \
            __builtin_trap();                                                                     \
    } while (0)

/* What the inputs are, judged here independently of the writer. */
static int good_path(const char *p)
{
    if (!*p || p[0] == '<' || p[0] == '|')
        return 0;
    for (const unsigned char *c = (const unsigned char *)p; *c; c++)
        if (*c == '\'' || *c == '"' || *c == '`' || *c < 0x20 || *c == 0x7f)
            return 0;
    return 1;
}

static int good_name(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!(*s == '_' || (*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'z') ||
              (*s >= 'A' && *s <= 'Z')))
            return 0;
    return 1;
}

typedef struct {
    const char *csv, *png, *text, *name; /* name NULL: no metric */
    int outputs_seen;                    /* set output '<path>' lines so far: PNG, then text */
} expected;

/* The single-quoted string at s: its text in *p, *n bytes; 0 when s does
 * not start one. */
static int quoted(const char *s, const char **p, size_t *n)
{
    if (*s != '\'')
        return 0;
    const char *end = strchr(s + 1, '\'');
    if (!end)
        return 0;
    *p = s + 1;
    *n = (size_t)(end - *p);
    return 1;
}

/* The quoted path at *s, which must be want as the writer writes it;
 * advances *s past it. */
static int match_path(const char **s, const char *want)
{
    const char *p;
    size_t n;
    if (!quoted(*s, &p, &n))
        return 0;
    const char *end = p + n;
    const int relative = want[0] != '/';
    if (relative && (n < 2 || memcmp(p, "./", 2)))
        return 0;
    const char *body = relative ? p + 2 : p;
    const size_t body_n = relative ? n - 2 : n;
    if (body_n != strlen(want) || memcmp(body, want, body_n))
        return 0;
    check(p[0] != '<' && p[0] != '|');
    *s = end + 1;
    return 1;
}

/* A quoted title the writer makes: loss, val_loss, the name, val_name. */
static int match_title(const char **s, const expected *e)
{
    const char *p;
    size_t n;
    char title[64];
    if (!quoted(*s, &p, &n) || n >= sizeof title)
        return 0;
    memcpy(title, p, n);
    title[n] = '\0';
    int known = !strcmp(title, "loss") || !strcmp(title, "val_loss");
    if (e->name)
        known |= !strcmp(title, e->name) ||
                 (!strncmp(title, "val_", 4) && !strcmp(title + 4, e->name));
    if (!known)
        return 0;
    *s = p + n + 1;
    return 1;
}

static int match_digits(const char **s)
{
    const char *p = *s;
    while (*p >= '0' && *p <= '9')
        p++;
    if (p == *s)
        return 0;
    *s = p;
    return 1;
}

static const char *const styles[] = {"with linespoints lw 2 pt 7 ps 0.6",
                                     "with linespoints lw 2 dt 2 pt 5 ps 0.6", "with lines"};

/* line against one form: literal text, %d digits, %c the CSV's path, %o
 * the next output's path, %t a title, %s a curve style. */
static int match(const char *line, const char *form, expected *e)
{
    const char *s = line;
    int outputs = e->outputs_seen;
    for (const char *f = form; *f; f++) {
        if (*f != '%') {
            if (*s++ != *f)
                return 0;
            continue;
        }
        const char k = *++f;
        int ok = 0;
        if (k == 'd')
            ok = match_digits(&s);
        else if (k == 'c')
            ok = match_path(&s, e->csv);
        else if (k == 'o')
            ok = outputs < 2 && match_path(&s, outputs ? e->text : e->png) && ++outputs;
        else if (k == 't')
            ok = match_title(&s, e);
        else if (k == 's')
            for (size_t i = 0; i < 3 && !ok; i++)
                if (!strncmp(s, styles[i], strlen(styles[i]))) {
                    s += strlen(styles[i]);
                    ok = 1;
                }
        if (!ok)
            return 0;
    }
    if (*s)
        return 0;
    e->outputs_seen = outputs;
    return 1;
}

static const char *const forms[] = {
    "# Training curves, drawn by tapegrad: run gnuplot on this file to draw them again",
    "set datafile separator ','",
    "set key autotitle columnhead",
    "set xlabel 'epoch'",
    "set xtics 1",
    "",
    "set terminal pngcairo noenhanced size %d,%d",
    "set terminal dumb noenhanced size %d,%d",
    "set output %o",
    "set output",
    "set grid",
    "unset grid",
    "set multiplot layout %d,1",
    "unset multiplot",
    "set title %t",
    "set key top right",
    "set key bottom right",
    "plot %c using 1:%d %s title %t, \\",
    "plot %c using 1:%d %s title %t",
    "     '' using 1:%d %s title %t",
};

/* The line with its quoted strings blanked: what gnuplot reads as code. */
static void unquoted(const char *line, char *out, size_t cap)
{
    size_t n = 0;
    int in = 0;
    for (const char *p = line; *p && n + 1 < cap; p++) {
        if (*p == '\'')
            in = !in;
        out[n++] = in || *p == '\'' ? ' ' : *p;
    }
    out[n] = '\0';
}

static void check_script(char *script, expected *e)
{
    static const char *const never[] = {"system", "load", "call", "shell", "`", "!"};
    for (char *line = script; *line;) {
        char *nl = strchr(line, '\n');
        check(nl != NULL); /* every line ends: nothing runs on past the script */
        *nl = '\0';
        int known = 0;
        for (size_t i = 0; i < sizeof forms / sizeof forms[0] && !known; i++)
            known = match(line, forms[i], e);
        check(known);
        char *code = malloc(strlen(line) + 1);
        check(code != NULL);
        unquoted(line, code, strlen(line) + 1);
        for (size_t i = 0; i < sizeof never / sizeof never[0]; i++)
            check(!strstr(code, never[i]));
        free(code);
        line = nl + 1;
    }
    check(e->outputs_seen == 2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *copy = malloc(size + 1);
    check(copy != NULL);
    memcpy(copy, data, size);
    copy[size] = '\0';
    const char *field[5] = {"", "", "", "", ""};
    size_t at = 0;
    for (int i = 0; i < 5 && at <= size; i++) {
        field[i] = copy + at;
        at += strlen(copy + at) + 1;
    }
    const int has_val = field[0][0] & 1, n_metrics = (field[0][0] >> 1) & 1;
    const int epochs = field[0][0] ? (unsigned char)field[0][1] % 40 : 0;
    const char *names[1] = {field[1]};
    tg_history h;
    tg_history_init(&h, n_metrics, names, has_val);
    for (int e = 0; e < epochs; e++) {
        const double m = e, v = e + 0.5;
        tg_history_append(&h, 1.0 / (e + 1), 0.5, &m, &v, 0.1);
    }
    tg_plot_opts o = tg_plot_defaults();
    char *script = NULL;
    tg_status s = tg_plot_script(&h, field[2], field[3], field[4], &o, &script);
    const int good = good_path(field[2]) && good_path(field[3]) && good_path(field[4]) &&
                     (!n_metrics || good_name(h.metric_names[0]));
    check(tg_is_ok(&s) == good);
    if (tg_is_ok(&s)) {
        expected e = {field[2], field[3], field[4], n_metrics ? h.metric_names[0] : NULL, 0};
        check_script(script, &e);
    }
    free(script);
    tg_history_free(&h);
    free(copy);
    return 0;
}
