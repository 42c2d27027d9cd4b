/* The grader's engine and main(): see grader.h for what it checks. */
#include "exercises/grader/grader.h"

#include <math.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Two computations of one value in this build's precision, the library's
 * and the exercise's, differ by rounding only: relative to max(1, |a|, |b|),
 * 3e-16 in double and 2e-7 in float at most over the tests' correct
 * answers. A mistake is off by far more (the smallest planted one, 4e-5). */
#ifdef TG_REAL_FLOAT
#define EX_TOL 5e-6
#else
#define EX_TOL 1e-9
#endif

/* ---- what went wrong, for the verdict ---- */

#define EX_MAX_WRONG 64
#define EX_NAME_LEN 64

typedef struct {
    char op[EX_NAME_LEN], what[EX_NAME_LEN];
    int cases[16];
    int n_cases;
} wrong_item;

static wrong_item wrong[EX_MAX_WRONG];
static int n_wrong, case_no;
static long n_records; /* failures recorded so far, repeats included */

static void record_wrong(const char *op, const char *what)
{
    n_records++;
    int k = 0;
    while (k < n_wrong && (strcmp(wrong[k].op, op) || strcmp(wrong[k].what, what)))
        k++;
    if (k == n_wrong) {
        if (n_wrong == EX_MAX_WRONG)
            return;
        snprintf(wrong[k].op, EX_NAME_LEN, "%s", op);
        snprintf(wrong[k].what, EX_NAME_LEN, "%s", what);
        n_wrong++;
    }
    wrong_item *w = &wrong[k];
    if ((!w->n_cases || w->cases[w->n_cases - 1] != case_no) &&
        w->n_cases < (int)(sizeof w->cases / sizeof w->cases[0]))
        w->cases[w->n_cases++] = case_no;
}

/* ---- stops in the exercise's code ---- */

static jmp_buf stop_jump;
static int guarded;
static char stop_message[512];

static void on_fatal(const char *message)
{
    if (!guarded) {
        /* The grader's own mistake, not the exercise's. */
        fprintf(stderr, "%s\n", message);
        exit(TG_FATAL_EXIT);
    }
    snprintf(stop_message, sizeof stop_message, "%s", message);
    longjmp(stop_jump, 1);
}

int ex_run_guarded(const char *op, const char *what, void (*fn)(void *arg), void *arg)
{
    guarded = 1;
    if (setjmp(stop_jump)) {
        guarded = 0;
        printf("  STOPPED in %s: %s\n", what, stop_message);
        record_wrong(op, "stopped");
        return 0;
    }
    fn(arg);
    guarded = 0;
    return 1;
}

/* ---- printing ---- */

void ex_case(const char *title)
{
    case_no++;
    printf("\nCase %d: %s\n", case_no, title);
}

void ex_hint(const char *text)
{
    printf("  hint: %s\n", text);
}

/* "[0, 2, 1]" for the flat index k of shape s ("" for a scalar). */
static void index_str(tg_shape s, size_t k, char *buf, size_t len)
{
    int idx[TG_MAX_DIMS] = {0};
    for (int d = s.ndim - 1; d >= 0; d--) {
        idx[d] = (int)(k % (size_t)s.dim[d]);
        k /= (size_t)s.dim[d];
    }
    size_t at = 0;
    buf[0] = '\0';
    for (int d = 0; d < s.ndim && at < len; d++)
        at += (size_t)snprintf(buf + at, len - at, "%s%d%s", d ? ", " : "[", idx[d],
                               d == s.ndim - 1 ? "]" : "");
}

static void row(const char *name, const char *role, const char *verdict)
{
    printf("  %-9s %-22s %s\n", name, role, verdict);
}

/* ---- comparisons ---- */

/* got against want, element by element: 1 when they agree; else verdict
 * names the worst element and both values. */
static int compare(const char *name, const tg_real *got, const tg_real *want, tg_shape shape,
                   char *verdict, size_t len)
{
    const size_t n = tg_shape_size(shape);
    double worst = 0;
    size_t at = 0;
    for (size_t k = 0; k < n; k++) {
        const double a = got[k], b = want[k];
        double err = fabs(a - b) / fmax(1.0, fmax(fabs(a), fabs(b)));
        if (isnan(err))
            err = INFINITY;
        if (err > worst) {
            worst = err;
            at = k;
        }
    }
    if (worst <= EX_TOL) {
        snprintf(verdict, len, "ok");
        return 1;
    }
    char idx[48];
    index_str(shape, at, idx, sizeof idx);
    snprintf(verdict, len, "WRONG at %s%s: yours %.6f, the library's %.6f", name, idx,
             (double)got[at], (double)want[at]);
    return 0;
}

int ex_expect_values(const char *op, const char *name, const char *role, const tg_real *got,
                     const tg_real *want, tg_shape shape)
{
    char verdict[256];
    const int ok = compare(name, got, want, shape, verdict, sizeof verdict);
    row(name, role, verdict);
    if (!ok)
        record_wrong(op, name);
    return ok;
}

tg_tensor *ex_random(const char *name, tg_shape shape, tg_rng *rng, double lo, double hi)
{
    tg_tensor *t = tg_tensor_uniform(shape, rng, lo, hi);
    t->name = name;
    return t;
}

tg_tensor ex_view(tg_real *data, tg_shape shape)
{
    tg_tensor t;
    memset(&t, 0, sizeof t);
    t.shape = shape;
    t.size = tg_shape_size(shape);
    t.data = data;
    t.in_arena = 1;
    return t;
}

/* The name of part p of an op's output, and its shape and size. */
static const char *part_name(const ex_op *op, int p)
{
    return op->parts ? op->parts[p] : "y";
}

static tg_shape part_shape(const ex_op *op, tg_shape out)
{
    if (!op->parts || op->n_parts == 1)
        return out;
    tg_shape s = {out.ndim - 1, {0}};
    for (int d = 1; d < out.ndim; d++)
        s.dim[d - 1] = out.dim[d];
    return s;
}

static int expect_output(const ex_op *op, const char *role, const tg_real *got,
                         const tg_real *want, tg_shape out)
{
    const int parts = op->parts ? op->n_parts : 1;
    const tg_shape ps = part_shape(op, out);
    const size_t size = tg_shape_size(ps);
    int ok = 1;
    for (int p = 0; p < parts; p++)
        ok &= ex_expect_values(op->name, part_name(op, p), role, got + (size_t)p * size,
                               want + (size_t)p * size, ps);
    return ok;
}

/* ---- the exercise's op on a tape, for gradcheck ---- */

typedef struct {
    const ex_op *op;
    tg_shape out_shape;
    int n_in;
} graded_op;

/* The exercise's backward as the node's: din handed over zeroed, then added
 * into the inputs' gradients. */
static void exercise_node_backward(tg_tape *tape, tg_node *node)
{
    const graded_op *g = node->ctx;
    tg_tensor dout = ex_view(node->out->grad, node->out->shape);
    tg_tensor *din[TG_GRADCHECK_MAX_INPUTS];
    for (int k = 0; k < node->n_in; k++)
        din[k] = tg_tensor_zeros(node->in[k]->shape);
    g->op->backward(g->op, node->in, node->out, &dout, din);
    for (int k = 0; k < node->n_in; k++) {
        tg_real *acc = tg_node_in_grad(tape, node, k);
        for (size_t e = 0; acc && e < din[k]->size; e++)
            acc[e] += din[k]->data[e];
        tg_tensor_free(din[k]);
    }
}

static tg_tensor *exercise_fn(tg_tape *tape, tg_tensor *const *in, void *ctx)
{
    graded_op *g = ctx;
    if (g->op->tape_forward)
        return g->op->tape_forward(g->op, tape, in);
    tg_tensor *out = tg_tape_tensor(tape, g->out_shape);
    memset(out->data, 0, out->size * sizeof *out->data);
    g->op->forward(g->op, in, out);
    tg_node *node = tg_tape_record(tape, g->op->name, out, in, g->n_in, exercise_node_backward);
    if (node)
        node->ctx = g;
    return out;
}

/* ---- the calls into the exercise's code, guarded ---- */

typedef struct {
    const ex_op *op;
    tg_tensor *const *in;
    int n_in;
    tg_tensor *out, *dout, **din;
    tg_tape *tape;
    tg_tensor *tape_out;
    const tg_real *seed;
} call;

static void call_forward(void *arg)
{
    call *c = arg;
    c->op->forward(c->op, c->in, c->out);
}

static void call_backward(void *arg)
{
    call *c = arg;
    c->op->backward(c->op, c->in, c->out, c->dout, c->din);
}

static void call_tape_forward(void *arg)
{
    call *c = arg;
    c->tape_out = c->op->tape_forward(c->op, c->tape, c->in);
}

static void call_tape_backward(void *arg)
{
    call *c = arg;
    tg_tape_backward_seeded(c->tape, c->tape_out, c->seed);
}

typedef struct {
    graded_op g;
    tg_tensor *const *in;
    tg_gradcheck_report report;
} gradcheck_call;

static void call_gradcheck(void *arg)
{
    gradcheck_call *c = arg;
    c->report = tg_gradcheck(exercise_fn, &c->g, c->in, c->g.n_in, NULL);
}

static void zero_grads(tg_tensor *const *in, int n)
{
    for (int k = 0; k < n; k++) {
        tg_tensor_requires_grad(in[k]);
        tg_tensor_zero_grad(in[k]);
    }
}

static tg_real *copy_of(const tg_real *v, size_t n)
{
    tg_real *c = tg_xmalloc(n * sizeof *c, "grader");
    memcpy(c, v, n * sizeof *c);
    return c;
}

/* The library's output for the case and its gradients for L = sum(G (.) out). */
typedef struct {
    tg_shape shape;
    tg_real *G, *out;
    tg_real *grad[TG_GRADCHECK_MAX_INPUTS];
} expected;

static expected library_answer(const ex_op *op, tg_tensor *const *in, int n_in)
{
    expected e;
    zero_grads(in, n_in);
    tg_tape *tape = tg_tape_new();
    tg_tensor *lib = op->library(op, tape, in);
    e.shape = lib->shape;
    tg_rng rng;
    tg_rng_seed(&rng, 1000 + (uint64_t)case_no);
    e.G = tg_xmalloc(lib->size * sizeof *e.G, "grader");
    for (size_t k = 0; k < lib->size; k++)
        e.G[k] = (tg_real)(2 * tg_rng_uniform(&rng) - 1);
    tg_tape_backward_seeded(tape, lib, e.G);
    e.out = copy_of(lib->data, lib->size);
    for (int k = 0; k < n_in; k++)
        e.grad[k] = copy_of(in[k]->grad, in[k]->size);
    tg_tape_free(tape);
    return e;
}

/* The exercise's gradients against the library's, printed later next to
 * the gradient check's verdicts. */
typedef struct {
    int compared; /* 0: the values were wrong, so the gradients were not compared */
    int ok[TG_GRADCHECK_MAX_INPUTS];
    char verdict[TG_GRADCHECK_MAX_INPUTS][256];
} gradient_rows;

static void compare_gradients(tg_tensor *const *in, int n_in, tg_real *const *got,
                              const expected *e, gradient_rows *g)
{
    g->compared = 1;
    for (int k = 0; k < n_in; k++) {
        char name[EX_NAME_LEN];
        snprintf(name, sizeof name, "d%s", in[k]->name);
        g->ok[k] = compare(name, got[k], e->grad[k], in[k]->shape, g->verdict[k],
                           sizeof g->verdict[k]);
    }
}

/* Forward and backward as the exercise file wrote them; 0 when it stopped. */
static int grade_given_forward(const ex_op *op, tg_tensor *const *in, int n_in,
                               const expected *e, gradient_rows *g)
{
    call c = {op, in, n_in, tg_tensor_zeros(e->shape), tg_tensor_from(e->shape, e->G), NULL,
              NULL, NULL, NULL};
    tg_tensor *din[TG_GRADCHECK_MAX_INPUTS];
    for (int k = 0; k < n_in; k++)
        din[k] = tg_tensor_zeros(in[k]->shape);
    c.din = din;
    int ran = ex_run_guarded(op->name, "the forward", call_forward, &c);
    if (ran) {
        expect_output(op, "forward (given)", c.out->data, e->out, e->shape);
        ran = ex_run_guarded(op->name, "your backward", call_backward, &c);
    }
    if (ran) {
        tg_real *got[TG_GRADCHECK_MAX_INPUTS];
        for (int k = 0; k < n_in; k++)
            got[k] = din[k]->data;
        compare_gradients(in, n_in, got, e, g);
    }
    for (int k = 0; k < n_in; k++)
        tg_tensor_free(din[k]);
    tg_tensor_free(c.out);
    tg_tensor_free(c.dout);
    return ran;
}

/* A forward exercise: the values its tape ops computed, then the gradients
 * the tape derived from them. 0 when it stopped or gave the gradient check
 * nothing to check. */
static int grade_tape_forward(const ex_op *op, tg_tensor *const *in, int n_in,
                              const expected *e, gradient_rows *g)
{
    zero_grads(in, n_in);
    call c = {op, in, n_in, NULL, NULL, NULL, tg_tape_new(), NULL, e->G};
    int ran = ex_run_guarded(op->name, "your forward", call_tape_forward, &c);
    if (ran && !tg_shape_equal(c.tape_out->shape, e->shape)) {
        char got[TG_SHAPE_STR_LEN], want[TG_SHAPE_STR_LEN];
        printf("  STOPPED: your output has shape %s, expected %s\n",
               tg_shape_str(c.tape_out->shape, got, sizeof got),
               tg_shape_str(e->shape, want, sizeof want));
        record_wrong(op->name, "stopped");
        ran = 0;
    }
    int values_ok = 0;
    if (ran)
        values_ok = expect_output(op, "forward (yours)", c.tape_out->data, e->out, e->shape);
    if (ran && !c.tape_out->requires_grad) {
        row("d*", "", "no gradient: nothing you return depends on the inputs through tape ops");
        record_wrong(op->name, "no gradient");
        ran = 0;
    }
    if (ran)
        ran = ex_run_guarded(op->name, "the tape's backward", call_tape_backward, &c);
    /* The tape derives the gradient of whatever was computed: with wrong
     * values the gradients differ because the values do, so they are
     * compared only once the values are right. */
    if (ran && values_ok) {
        tg_real *got[TG_GRADCHECK_MAX_INPUTS];
        for (int k = 0; k < n_in; k++)
            got[k] = in[k]->grad;
        compare_gradients(in, n_in, got, e, g);
    }
    tg_tape_free(c.tape);
    return ran;
}

int ex_grade_op(const ex_op *op, tg_tensor *const *in, int n_in)
{
    if (n_in < 1 || n_in > TG_GRADCHECK_MAX_INPUTS)
        tg_fatal("grader: %s has %d inputs (1 to %d)", op->name, n_in, TG_GRADCHECK_MAX_INPUTS);
    const long before = n_records;
    expected e = library_answer(op, in, n_in);
    gradient_rows g;
    memset(&g, 0, sizeof g);
    const int ran = op->tape_forward ? grade_tape_forward(op, in, n_in, &e, &g)
                                     : grade_given_forward(op, in, n_in, &e, &g);
    gradcheck_call c = {{op, e.shape, n_in}, in, {0}};
    if (ran && ex_run_guarded(op->name, "the gradient check", call_gradcheck, &c)) {
        if (!g.compared)
            row("d*", "vs the library", "not compared: fix the values above first");
        int fd_wrong = 0;
        for (int k = 0; k < n_in; k++) {
            const tg_gradcheck_input_report *r = &c.report.input[k];
            char name[EX_NAME_LEN], verdict[256];
            snprintf(name, sizeof name, "d%s", in[k]->name);
            if (g.compared) {
                row(name, "vs the library", g.verdict[k]);
                if (!g.ok[k])
                    record_wrong(op->name, name);
            }
            const int passed = r->max_rel_err <= c.report.rtol;
            snprintf(verdict, sizeof verdict, "%s max rel err %.1e (%zu checked", passed ? "ok   " : "WRONG",
                     r->max_rel_err, r->checked);
            if (r->skipped)
                snprintf(verdict + strlen(verdict), sizeof verdict - strlen(verdict),
                         ", %zu skipped at a kink", r->skipped);
            snprintf(verdict + strlen(verdict), sizeof verdict - strlen(verdict), ")");
            row(g.compared ? "" : name, "vs finite differences", verdict);
            if (!passed) {
                record_wrong(op->name, name);
                fd_wrong = 1;
            } else if (g.compared && !g.ok[k] && r->skipped) {
                row("", "", "(finite differences skip the points at a kink, here a tie:");
                row("", "", " only the comparison with the library sees them)");
            }
        }
        if (!g.compared && !fd_wrong)
            printf("  (the gradient check passes on a wrong forward: the tape differentiates "
                   "whatever you wrote)\n");
    }
    for (int k = 0; k < n_in; k++)
        free(e.grad[k]);
    free(e.out);
    free(e.G);
    return n_records == before;
}

/* Two wrong things of one op in the same cases. */
static int same_group(const wrong_item *a, const wrong_item *b)
{
    return !strcmp(a->op, b->op) && a->n_cases == b->n_cases &&
           !memcmp(a->cases, b->cases, (size_t)a->n_cases * sizeof a->cases[0]);
}

int main(void)
{
    /* Line by line, so that what was graded before a crash is on record. */
    setvbuf(stdout, NULL, _IOLBF, 0);
    tg_set_fatal_handler(on_fatal);
    printf("Exercise: %s (%s)\n", ex_graded.title, ex_graded.file);
    ex_graded.grade();
    printf("\n");
    if (!n_wrong) {
        printf("PASS: %d case%s, every value and gradient agrees with the library and with "
               "finite differences\n", case_no, case_no == 1 ? "" : "s");
        return EXIT_SUCCESS;
    }
    /* "FAIL: op: a, b (cases 1, 2); op: c (case 2)": the names of one op
     * wrong in the same cases go together. */
    printf("FAIL: ");
    for (int k = 0; k < n_wrong; k++) {
        const wrong_item *w = &wrong[k], *prev = k ? &wrong[k - 1] : NULL;
        if (prev && same_group(prev, w))
            printf(", %s", w->what);
        else
            printf("%s%s: %s", k ? "; " : "", w->op, w->what);
        const wrong_item *next = k + 1 < n_wrong ? &wrong[k + 1] : NULL;
        if (!next || !same_group(w, next)) {
            printf(" (case%s", w->n_cases > 1 ? "s" : "");
            for (int c = 0; c < w->n_cases; c++)
                printf("%s%d", c ? ", " : " ", w->cases[c]);
            printf(")");
        }
    }
    printf("\n");
    return EXIT_FAILURE;
}
