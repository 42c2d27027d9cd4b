/* What the training tutorials (5, 6, 7) share: the document's Keras line next
 * to the C line that mirrors it, the per-epoch table of a run, where their
 * files go, and gnuplot.
 *
 * Header-only for the same reason as steps.h. The printed output stays
 * deterministic: losses and accuracies with 4 decimals (the last digits of a
 * training run follow the compiler's rounding, 4 decimals do not), no
 * timings, and nothing that depends on whether gnuplot is installed (its
 * text plot is shown only on a terminal, which the docs never are). */
#ifndef TG_TUTORIAL_TRAINING_H
#define TG_TUTORIAL_TRAINING_H

#include <errno.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "tutorials/steps.h"

/* The Python line of the document, then the C statement that mirrors it, then
 * runs that statement. The C text printed is the statement itself
 * (stringified), so the two cannot drift apart. */
#define TG_MIRROR(python, ...)                                                                     \
    do {                                                                                           \
        printf("  Keras: %s\n  C:     %s;\n", python, #__VA_ARGS__);                              \
        __VA_ARGS__;                                                                               \
    } while (0)

/* A number from training: 4 decimals. */
static inline void tg_training_num(double v)
{
    if (fabs(v) < 5e-5)
        v = 0;
    printf(" %9.4f", v);
}

/* A check that one training figure lies below another (a loss that fell,
 * a norm that shrank, a baseline beaten): both numbers and the verdict. */
static inline int tg_training_expect_below(tg_steps *s, const char *what, double low, double high)
{
    int ok = low < high;
    printf("  %-42s", what);
    tg_training_num(low);
    printf("  <");
    tg_training_num(high);
    printf("  %s\n", ok ? "ok" : "FAIL");
    return tg_steps_count(s, ok);
}

/* A check of a count (a layer's parameters): the count, then the one expected. */
static inline int tg_training_expect_count(tg_steps *s, const char *what, size_t got, size_t want)
{
    int ok = got == want;
    printf("  %-42s %9zu  expected %9zu  %s\n", what, got, want, ok ? "ok" : "FAIL");
    return tg_steps_count(s, ok);
}

/* One row per epoch: loss, the first metric, and their val_ twins. */
static inline void tg_training_table(const tg_history *h)
{
    const char *metric = h->n_metrics ? h->metric_names[0] : "";
    printf("  %5s %9s", "epoch", "loss");
    if (h->n_metrics)
        printf(" %9.9s", metric);
    if (h->has_val) {
        printf(" %9s", "val_loss");
        if (h->n_metrics)
            printf("  val_%.9s", metric);
    }
    printf("\n");
    for (int e = 0; e < h->n_epochs; e++) {
        printf("  %5d", e + 1);
        tg_training_num(h->loss[e]);
        if (h->n_metrics)
            tg_training_num(h->metric[0][e]);
        if (h->has_val) {
            tg_training_num(h->val_loss[e]);
            if (h->n_metrics)
                tg_training_num(h->val_metric[0][e]);
        }
        printf("\n");
    }
}

/* The directory the tutorials write to: $TG_TUTORIAL_OUT, else out/ (which
 * git ignores), made if missing. */
static inline const char *tg_training_dir(void)
{
    const char *dir = getenv("TG_TUTORIAL_OUT");
    if (!dir || !*dir)
        dir = "out";
    char path[1024];
    snprintf(path, sizeof path, "%s", dir);
    /* mkdir -p: each prefix ending at a '/', then the whole path. */
    for (char *p = path + 1;; p++) {
        if (*p == '/' || !*p) {
            char c = *p;
            *p = '\0';
            if (mkdir(path, 0777) != 0 && errno != EEXIST) {
                fprintf(stderr, "tutorial: cannot make the directory %s: %s\n", path,
                        strerror(errno));
                exit(EXIT_FAILURE);
            }
            *p = c;
            if (!c)
                break;
        }
    }
    return dir;
}

/* dir/name into buf. */
static inline const char *tg_training_path(char *buf, size_t len, const char *name)
{
    snprintf(buf, len, "%s/%s", tg_training_dir(), name);
    return buf;
}

/* A failure to write a file is no check of the maths, but the tutorial
 * must not pretend it wrote it: it counts as a failed check. */
static inline void tg_training_expect_ok(tg_steps *s, tg_status st)
{
    if (tg_is_ok(&st))
        return;
    printf("  %s  FAIL\n", st.msg);
    tg_steps_count(s, 0);
}

/* Is gnuplot on PATH? (What decides whether a PNG appears.) */
static inline int tg_training_have_gnuplot(void)
{
    const char *path = getenv("PATH");
    for (const char *p = path ? path : ""; *p;) {
        size_t n = strcspn(p, ":");
        char exe[1024];
        snprintf(exe, sizeof exe, "%.*s/gnuplot", (int)n, n ? p : ".");
        if (access(exe, X_OK) == 0)
            return 1;
        p += n + (p[n] == ':');
    }
    return 0;
}

/* Runs gnuplot on a script when it is installed; 1 when it drew. A failure
 * of an installed gnuplot is reported on stderr (the plot is not a check). */
static inline int tg_training_gnuplot(const char *script)
{
    if (!tg_training_have_gnuplot())
        return 0;
    extern char **environ;
    char *argv[] = {"gnuplot", (char *)script, NULL};
    pid_t pid;
    int st;
    if (posix_spawnp(&pid, "gnuplot", NULL, NULL, argv, environ) != 0 ||
        waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        fprintf(stderr, "tutorial: gnuplot failed on %s\n", script);
        return 0;
    }
    return 1;
}

/* On a terminal, the text plot gnuplot drew; elsewhere (make check, the
 * docs) nothing, so the output does not depend on gnuplot's version. */
static inline void tg_training_show_text(const char *txt_path, int drawn)
{
    if (!drawn || !isatty(STDOUT_FILENO))
        return;
    FILE *f = fopen(txt_path, "r");
    if (!f)
        return;
    char line[512];
    while (fgets(line, sizeof line, f))
        fputs(line, stdout);
    fclose(f);
}

/* Where the plot files are and how to draw them: the same text with or
 * without gnuplot. */
static inline void tg_training_say_plot(const char *script, const char *png, const char *txt)
{
    printf("  script  %s\n  PNG     %s\n  text    %s\n", script, png, txt);
    printf("  gnuplot draws the PNG and the text from the script when it is installed;\n"
           "  otherwise: apt-get install gnuplot-nox, then run\n"
           "      gnuplot %s\n"
           "  On a terminal the text plot is printed here.\n",
           script);
}

/* The history as out/<name>.csv and its training curve: tg_plot_history
 * writes the script <name>.gp next to the PNG and, with gnuplot, draws
 * <name>.png and the text plot <name>.txt. */
static inline void tg_training_curve(tg_steps *s, const tg_history *h, const char *name)
{
    char file[256], csv[1024], png[1024], txt[1024], gp[1024];
    snprintf(file, sizeof file, "%s.csv", name);
    tg_training_path(csv, sizeof csv, file);
    snprintf(file, sizeof file, "%s.png", name);
    tg_training_path(png, sizeof png, file);
    snprintf(file, sizeof file, "%s.txt", name);
    tg_training_path(txt, sizeof txt, file);
    snprintf(file, sizeof file, "%s.gp", name);
    tg_training_path(gp, sizeof gp, file);
    printf("  CSV     %s\n", csv);
    tg_training_expect_ok(s, tg_history_save_csv(h, csv));
    tg_plot_opts po = tg_plot_defaults();
    po.png_path = png;
    po.text_path = txt;
    tg_status ps = tg_plot_history(csv, &po);
    int drawn = tg_is_ok(&ps);
    if (!drawn && tg_training_have_gnuplot())
        fprintf(stderr, "tutorial: %s\n", ps.msg);
    tg_training_say_plot(gp, png, txt);
    tg_training_show_text(txt, drawn);
}

#endif
