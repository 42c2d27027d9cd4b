/* The grader of the exercises: a program linked from one exercise file,
 * its grading file (exercises/grader/<name>.c) and the library.
 *
 * An exercise is graded op by op and case by case. An op is a formula with
 * its forward and backward as the exercise file computes them, next to the
 * library's implementation of the same formula as tape ops. For each case
 * (inputs drawn from a seed, or made by hand to hold ties) the grader
 *
 *   1. compares the forward values with the library's (a wrong forward
 *      equation passes a gradient check, so values are checked first);
 *   2. seeds the output's gradient with fixed random weights G, so that
 *      L = sum(G (.) out), and compares each gradient the exercise computed
 *      with the one the tape derives through the library: element by
 *      element, naming the worst element and both values;
 *   3. holds the same gradients against finite differences (tg_gradcheck:
 *      five-point differences, points at a kink skipped and counted).
 *
 * The last line is the verdict: "PASS: ..." or "FAIL: " and the list of
 * what was wrong, "<op>:<value or gradient> (case k, ...)" -- the line the
 * tests of the grader read. The exit status is 0 for PASS and 1 for FAIL;
 * a tg_fatal in the exercise's code (an index out of range) is reported as
 * "<op>:stopped" and grading goes on with the next case. */
#ifndef TG_EXERCISE_GRADER_H
#define TG_EXERCISE_GRADER_H

#include "tapegrad.h"

/* What exercises/grader/<name>.c defines: the exercise and its grading. */
typedef struct ex_exercise {
    const char *file;  /* "exercises/01_activations.c" */
    const char *title; /* "sigmoid and tanh backward" */
    void (*grade)(void);
} ex_exercise;

extern const ex_exercise ex_graded;

typedef struct ex_op ex_op;

/* One formula. Inputs are heap tensors with names ("x", "W_ci"); the
 * gradient of input k is reported as "d" + its name. The output may be a
 * stack of parts along its first axis (the LSTM's h and c): then each part
 * is compared and reported by its own name. */
struct ex_op {
    const char *name;                /* prefixes everything reported: "tanh" */
    const char *const *parts;        /* names of the parts, or NULL: one output "y" */
    int n_parts;
    /* The exercise's forward into out (of the library's output shape),
     * given in the exercise file ... */
    void (*forward)(const ex_op *op, tg_tensor *const *in, tg_tensor *out);
    /* ... and the backward written there: din[k] (zeroed) gets dL/d in[k]. */
    void (*backward)(const ex_op *op, tg_tensor *const *in, const tg_tensor *out,
                     const tg_tensor *dout, tg_tensor *const *din);
    /* Or, for a forward exercise, the exercise's forward as tape ops (then
     * forward and backward are NULL: the tape derives the gradient). */
    tg_tensor *(*tape_forward)(const ex_op *op, tg_tape *tape, tg_tensor *const *in);
    /* The library's implementation, as tape ops. */
    tg_tensor *(*library)(const ex_op *op, tg_tape *tape, tg_tensor *const *in);
    const void *ctx; /* what the functions above share (a pool size, labels) */
};

/* Begins case k (1, 2, ...): prints "Case k: title". What fails from now
 * on is recorded under this case. */
void ex_case(const char *title);

/* Grades op on n_in inputs in the current case. Returns 1 when everything
 * agrees. */
int ex_grade_op(const ex_op *op, tg_tensor *const *in, int n_in);

/* Runs fn(arg), code of the exercise file, so that a tg_fatal in it (an
 * index out of range) is reported as "<op>:stopped" in the current case
 * instead of ending the program. Returns 0 when it stopped. */
int ex_run_guarded(const char *op, const char *what, void (*fn)(void *arg), void *arg);

/* Compares n values with the library's, prints one row and records a
 * failure as "<op>:<name>" in the current case: for values an exercise
 * computes outside an op (the LSTM's gates). Returns 1 when they agree. */
int ex_expect_values(const char *op, const char *name, const char *role, const tg_real *got,
                     const tg_real *want, tg_shape shape);

/* A line of advice under the current case. */
void ex_hint(const char *text);

/* Heap tensor of that shape filled U(lo, hi) from rng, named name. */
tg_tensor *ex_random(const char *name, tg_shape shape, tg_rng *rng, double lo, double hi);

/* A tensor struct over someone else's data (a part of a stacked output):
 * never freed, never a gradient of its own. */
tg_tensor ex_view(tg_real *data, tg_shape shape);

/* ---- What the LSTM exercises (5, 6, 8) share (lstm_support.c) ---- */

#include "exercises/exercises.h"

/* A built LSTM of the document's default variant (diagonal peepholes, W_cc
 * included) for (steps, D) with H units, on the reference path, every
 * parameter drawn U(-0.5, 0.5) from the seed (Keras would start the
 * peepholes at zero, which would hide them). Its 16 parameters, in the order
 * of ex_lstm_params, are the ones the exercises read and get gradients for. */
tg_layer *ex_lstm_layer(int steps, int D, int H, int return_sequences, uint64_t seed);

/* A case's inputs for one or two steps, N samples: x (N, D) -- x_1 and x_2
 * for two --, then h_prev and c_prev (h_0, c_0) (N, H), all U(-1, 1) from
 * the seed, then the 16 parameters of a fresh ex_lstm_layer (with
 * return_sequences for two). Returns how many (19 or 20) and the layer;
 * ex_lstm_inputs_free frees both. */
int ex_lstm_inputs(int steps, int N, int D, int H, uint64_t seed, tg_layer **lstm,
                   tg_tensor **in);
void ex_lstm_inputs_free(int steps, tg_layer *lstm, tg_tensor **in);

/* The 16 tensors t[0..15] (a layer's parameters, or their gradients) by name. */
ex_lstm_params ex_lstm_params_of(tg_tensor *const *t);

/* A step's outputs, (N, H) heap tensors, zeroed; x, h_prev, c_prev unset. */
ex_lstm_step ex_lstm_step_new(int N, int H);
void ex_lstm_step_free(ex_lstm_step *s);

/* The library's gates of step t, read off the tape of a reference-path run
 * (tg_lstm_run records sigma(i), sigma(f), tanh(c~), sigma(o), tanh(c) for
 * each step in the order of the equations): gates[5 t + 0..4] = i, f,
 * c_tilde, o, tanh_c. Stops if the tape does not hold `steps` steps. */
void ex_lstm_library_gates(const tg_tape *tape, int steps, tg_tensor **gates);

/* The library's two steps for inputs {x_1, x_2, h_0, c_0, parameters...}:
 * h_1, h_2 and c_2 stacked, (3, N, H). lstm has return_sequences. */
tg_tensor *ex_lstm_library_two_steps(tg_layer *lstm, tg_tape *tape, tg_tensor *const *in);

#endif
