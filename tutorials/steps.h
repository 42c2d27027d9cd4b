/* What every tutorial shares: numbered steps headed by their formula,
 * printing of small tensors, and checks that count their failures so the
 * program exits non-zero when one fails.
 *
 * Header-only on purpose: the Makefile links each tutorial from its one .c
 * file and the library, and this is teaching scaffolding, not library API.
 *
 * The output is deterministic (fixed seeds, no timings) because the docs
 * paste it: values are printed in fixed notation with 6 decimals, errors in
 * scientific notation (the docs-are-fresh check ignores the digits of those,
 * which move with the compiler's rounding, not with the maths). */
#ifndef TG_TUTORIAL_STEPS_H
#define TG_TUTORIAL_STEPS_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tapegrad.h"

typedef struct tg_steps {
    int pause;  /* --step on a terminal: wait for Enter between steps */
    int n;      /* steps begun so far */
    int checks; /* checks made */
    int failed; /* checks that failed */
} tg_steps;

/* Reads the command line (only --step is known) and prints the title. */
static inline void tg_steps_start(tg_steps *s, int argc, char **argv, const char *title)
{
    memset(s, 0, sizeof *s);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--step") == 0) {
            /* Pausing only makes sense when someone is there to press Enter. */
            s->pause = isatty(STDIN_FILENO);
        } else {
            fprintf(stderr, "usage: %s [--step]\n", argv[0]);
            exit(2);
        }
    }
    printf("%s\n", title);
    for (size_t k = strlen(title); k > 0; k--)
        putchar('=');
    putchar('\n');
}

/* Begins step n+1: a heading, then the formula it computes (plain text). */
static inline void tg_steps_step(tg_steps *s, const char *heading, const char *formula)
{
    if (s->pause && s->n > 0) {
        /* The prompt goes to stderr so stdout stays what the docs paste. */
        fprintf(stderr, "   [Enter: step %d] ", s->n + 1);
        fflush(stdout);
        int c;
        while ((c = getchar()) != '\n' && c != EOF)
            ;
    }
    s->n++;
    printf("\nStep %d. %s\n", s->n, heading);
    if (formula && *formula)
        printf("%s\n", formula);
    printf("\n");
}

/* A line of prose inside a step. */
static inline void tg_steps_say(const char *text)
{
    printf("%s\n", text);
}

/* One number, 6 decimals, with no "-0.000000" for values that round to 0. */
static inline void tg_steps_num(double v)
{
    if (fabs(v) < 5e-7)
        v = 0;
    printf(" %10.6f", v);
}

/* Values in aligned rows: a vector on one line, a matrix row by row, a
 * tensor of 3 to 5 dimensions as its 2-D slices (the last two axes). */
static inline void tg_steps_values(const char *label, const tg_real *v, tg_shape full)
{
    char sh[TG_SHAPE_STR_LEN];
    tg_shape_str(full, sh, sizeof sh);
    /* Axes of length 1 only cost lines: lay the values out without them
     * ((1, 6, 1) prints as one row), the label keeps the real shape. */
    tg_shape shape = {0, {0}};
    for (int d = 0; d < full.ndim; d++)
        if (full.dim[d] != 1)
            shape.dim[shape.ndim++] = full.dim[d];
    if (shape.ndim <= 1) {
        printf("  %-12s %-9s [", label, sh);
        for (size_t k = 0; k < tg_shape_size(shape); k++)
            tg_steps_num(v[k]);
        printf(" ]\n");
        return;
    }
    int rows = shape.dim[shape.ndim - 2], cols = shape.dim[shape.ndim - 1];
    size_t slices = tg_shape_size(shape) / ((size_t)rows * (size_t)cols);
    printf("  %-12s %s\n", label, sh);
    for (size_t q = 0; q < slices; q++) {
        if (slices > 1) {
            /* Name the slice by its leading indices: [n, :, :], [n, h, :, :], ... */
            size_t index[TG_MAX_DIMS] = {0}, rest = q;
            for (int d = shape.ndim - 3; d >= 0; d--) {
                index[d] = rest % (size_t)shape.dim[d];
                rest /= (size_t)shape.dim[d];
            }
            printf("    [");
            for (int d = 0; d + 2 < shape.ndim; d++)
                printf("%zu, ", index[d]);
            printf(":, :]\n");
        }
        for (int r = 0; r < rows; r++) {
            printf("    [");
            for (int c = 0; c < cols; c++)
                tg_steps_num(v[(q * (size_t)rows + (size_t)r) * (size_t)cols + (size_t)c]);
            printf(" ]\n");
        }
    }
}

static inline void tg_steps_tensor(const char *label, const tg_tensor *t)
{
    tg_steps_values(label, t->data, t->shape);
}

static inline void tg_steps_grad(const char *label, const tg_tensor *t)
{
    if (!t->grad) {
        printf("  %-12s (no gradient)\n", label);
        return;
    }
    tg_steps_values(label, t->grad, t->shape);
}

/* Counts one check and whether it failed; returns ok. Every check below
 * ends here; a table that prints its own verdicts calls it directly. */
static inline int tg_steps_count(tg_steps *s, int ok)
{
    s->checks++;
    s->failed += !ok;
    return ok;
}

/* A check that is a yes or no (every label aligned, every value equal):
 * the statement, then the verdict. */
static inline int tg_steps_expect_true(tg_steps *s, const char *what, int ok)
{
    printf("  %s   %s\n", what, ok ? "ok" : "FAIL");
    return tg_steps_count(s, ok);
}

/* A check of one computed value against one derived another way (by hand,
 * from the definition): prints both and counts a failure beyond tol,
 * relative to max(1, |a|, |b|). */
static inline int tg_steps_expect(tg_steps *s, const char *what, double got, double want,
                                  double tol)
{
    double err = fabs(got - want) / fmax(1.0, fmax(fabs(got), fabs(want)));
    int ok = err <= tol;
    printf("  %-24s", what);
    tg_steps_num(got);
    printf("  expected");
    tg_steps_num(want);
    printf("  err %.1e  %s\n", err, ok ? "ok" : "FAIL");
    return tg_steps_count(s, ok);
}

/* Loose enough for the float build, tight for double: a few roundings. */
#ifdef TG_REAL_FLOAT
#define TG_STEPS_TOL 1e-5
#else
#define TG_STEPS_TOL 1e-12
#endif

/* Element-by-element comparison of two equally long arrays, one check:
 * the worst error, each relative to max(1, |want|). */
static inline int tg_steps_expect_all(tg_steps *s, const char *what, const tg_real *got,
                                      const tg_real *want, size_t n)
{
    double worst = 0;
    for (size_t k = 0; k < n; k++)
        worst = fmax(worst, fabs(got[k] - want[k]) / fmax(1.0, fabs(want[k])));
    int ok = worst <= TG_STEPS_TOL;
    printf("  %-34s max err %.1e  %s\n", what, worst, ok ? "ok" : "FAIL");
    return tg_steps_count(s, ok);
}

/* The textbook numerical derivative of a one-element f with respect to
 * element k of input i, for display next to the tape's:
 *     dL/dx ~ (L(x + h) - L(x - h)) / (2h)
 * (tg_gradcheck, which does the asserting, uses a five-point formula.) */
static inline double tg_steps_numeric(tg_gradcheck_fn f, void *ctx, tg_tensor *const *inputs,
                                      int i, size_t k)
{
#ifdef TG_REAL_FLOAT
    const double h = 1e-2;
#else
    const double h = 1e-5;
#endif
    tg_tape *tape = tg_tape_new();
    tg_tape_no_grad_begin(tape);
    tg_real x0 = inputs[i]->data[k];
    inputs[i]->data[k] = (tg_real)(x0 + h);
    double lp = f(tape, inputs, ctx)->data[0];
    tg_tape_reset(tape);
    inputs[i]->data[k] = (tg_real)(x0 - h);
    double lm = f(tape, inputs, ctx)->data[0];
    inputs[i]->data[k] = x0;
    tg_tape_no_grad_end(tape);
    tg_tape_free(tape);
    return (lp - lm) / (2 * h);
}

/* For each input: the gradient the tape derived for L = f(inputs) (one
 * element), the numerical one beside it, then tg_gradcheck's verdict on all
 * of them, which counts as one check. */
static inline int tg_steps_gradients(tg_steps *s, const char *name, tg_gradcheck_fn f, void *ctx,
                                     tg_tensor *const *inputs, int n)
{
    tg_tape *tape = tg_tape_new();
    for (int i = 0; i < n; i++) {
        tg_tensor_requires_grad(inputs[i]);
        tg_tensor_zero_grad(inputs[i]);
    }
    tg_tensor *L = f(tape, inputs, ctx);
    if (L->size != 1)
        tg_fatal("tutorial %s: the function must return one element", name);
    tg_tape_backward(tape, L);
    for (int i = 0; i < n; i++) {
        const tg_tensor *x = inputs[i];
        char label[64];
        snprintf(label, sizeof label, "dL/d%s", x->name ? x->name : "x");
        tg_real *numeric = tg_xmalloc(x->size * sizeof *numeric, "tutorial");
        for (size_t k = 0; k < x->size; k++)
            numeric[k] = (tg_real)tg_steps_numeric(f, ctx, inputs, i, k);
        printf("  %s\n", label);
        tg_steps_values("  tape", x->grad, x->shape);
        tg_steps_values("  numeric", numeric, x->shape);
        free(numeric);
    }
    tg_tape_free(tape);

    tg_gradcheck_report r = tg_gradcheck(f, ctx, inputs, n, NULL);
    printf("  gradcheck %s (five-point differences, every element):\n", name);
    for (int i = 0; i < r.n_inputs; i++)
        printf("    %-8s max rel err %.1e  (%zu checked, %zu skipped at a kink)\n",
               r.input[i].name ? r.input[i].name : "x", r.input[i].max_rel_err,
               r.input[i].checked, r.input[i].skipped);
    printf("    %s: max rel err %.1e <= rtol %.0e\n", r.passed ? "PASS" : "FAIL", r.max_rel_err,
           r.rtol);
    return tg_steps_count(s, r.passed);
}

/* tg_gradcheck on every element of every input, as one line and one check. */
static inline int tg_steps_gradcheck(tg_steps *s, const char *name, tg_gradcheck_fn f, void *ctx,
                                     tg_tensor *const *inputs, int n)
{
    tg_gradcheck_report r = tg_gradcheck(f, ctx, inputs, n, NULL);
    printf("  gradcheck %-28s %s  max rel err %.1e  (%zu checked, %zu skipped at a kink)\n", name,
           r.passed ? "PASS" : "FAIL", r.max_rel_err, r.checked, r.skipped);
    return tg_steps_count(s, r.passed);
}

/* The last line, and the exit status: 0 only if every check passed. */
static inline int tg_steps_finish(const tg_steps *s)
{
    printf("\n%d check%s, %d failed: %s\n", s->checks, s->checks == 1 ? "" : "s", s->failed,
           s->failed ? "FAIL" : "all passed");
    return s->failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif
