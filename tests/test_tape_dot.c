/* The tape as a DOT graph: tutorial 1's expression drawn node for node
 * (kinds, values and gradients worked out by hand, one arrow per input),
 * parameters and constants told apart, one frame per equation of the
 * LSTM's reference path in the order of the equations, names that cannot
 * break out of a DOT string, and the same text for the same tape. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autograd/autograd.h"
#include "layers/layers.h"
#include "tensor/tensor.h"
#include "tests/support.h"

/* The DOT text of a tape, malloc'd. */
static char *dot_of(const tg_tape *tape, const tg_tape_dot_opts *o)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    ck_assert_ptr_nonnull(f);
    tg_tape_write_dot(tape, f, o);
    ck_assert_int_eq(fclose(f), 0);
    return text;
}

static int count(const char *text, const char *what)
{
    int n = 0;
    for (const char *p = strstr(text, what); p; p = strstr(p + 1, what))
        n++;
    return n;
}

/* The line that declares node `id` ("  t3 [...]"), copied into buf. */
static const char *node_line(const char *text, int id, char *buf, size_t len)
{
    char key[16];
    snprintf(key, sizeof key, "t%d [", id);
    const char *p = strstr(text, key);
    ck_assert_msg(p != NULL, "no node %s in\n%s", key, text);
    size_t n = strcspn(p, "\n");
    snprintf(buf, len, "%.*s", (int)(n < len ? n : len - 1), p);
    return buf;
}

static tg_tensor *scalar_leaf(double v, const char *name)
{
    tg_tensor *t = tg_tensor_from(TG_SCALAR, (const tg_real[]){(tg_real)v});
    t->name = name;
    tg_tensor_requires_grad(t);
    return t;
}

/* L = a * tanh(a * b + c) at a = 0.5, b = -1.5, c = 2 (tutorial 1). By hand:
 * u = -0.75, v = 1.25, w = tanh(1.25) = 0.8483, L = 0.4241; dL/dw = a = 0.5,
 * dL/dv = 0.5 (1 - w^2) = 0.1402 = dL/du = dL/dc, dL/db = 0.0701,
 * dL/da = w + dL/du b = 0.638. */
START_TEST(test_dot_tutorial_one)
{
    tg_tensor *a = scalar_leaf(0.5, "a"), *b = scalar_leaf(-1.5, "b"), *c = scalar_leaf(2, "c");
    tg_tape *tape = tg_tape_new();
    tg_tensor *u = tg_mul(tape, a, b), *v = tg_add(tape, u, c), *w = tg_tanh(tape, v);
    tg_tensor *L = tg_mul(tape, a, w);
    u->name = "u";
    v->name = "v";
    w->name = "w";
    L->name = "L";
    tg_tape_backward(tape, L);
    char *text = dot_of(tape, NULL);
    char line[512];
    ck_assert(strncmp(text, "digraph tape {\n", 15) == 0);
    ck_assert_int_eq(count(text, "shape=box"), 3);
    ck_assert_int_eq(count(text, "shape=ellipse"), 4);
    ck_assert_int_eq(count(text, " -> "), 7); /* mul 2, add 2, tanh 1, mul 2 */
    ck_assert_int_eq(count(text, "peripheries=2"), 1);
    /* Ids in order of appearance: a, b, u, c, v, w, L. */
    ck_assert_ptr_nonnull(strstr(node_line(text, 0, line, sizeof line),
                                 "fillcolor=\"#cfe2f3\", label=\"a ()\\n= 0.5\\ngrad 0.638\""));
    ck_assert_ptr_nonnull(strstr(node_line(text, 1, line, sizeof line), "b ()\\n= -1.5\\ngrad 0.0701"));
    ck_assert_ptr_nonnull(strstr(node_line(text, 2, line, sizeof line), "u\\nmul ()\\n= -0.75\\ngrad 0.1402"));
    ck_assert_ptr_nonnull(strstr(node_line(text, 3, line, sizeof line), "c ()\\n= 2\\ngrad 0.1402"));
    ck_assert_ptr_nonnull(strstr(node_line(text, 4, line, sizeof line), "v\\nadd ()\\n= 1.25\\ngrad 0.1402"));
    ck_assert_ptr_nonnull(strstr(node_line(text, 5, line, sizeof line), "w\\ntanh ()\\n= 0.8483\\ngrad 0.5"));
    node_line(text, 6, line, sizeof line);
    ck_assert_ptr_nonnull(strstr(line, "peripheries=2"));
    ck_assert_ptr_nonnull(strstr(line, "L\\nmul ()\\n= 0.4241\\ngrad 1\""));
    /* a reaches L along two paths: two arrows leave it. */
    ck_assert_ptr_nonnull(strstr(text, "  t0 -> t2;\n  t1 -> t2;\n"));
    ck_assert_ptr_nonnull(strstr(text, "  t0 -> t6;\n  t5 -> t6;\n"));
    /* One op per named result: no frames. */
    ck_assert_int_eq(count(text, "subgraph"), 0);
    /* The same tape, the same text. */
    char *again = dot_of(tape, NULL);
    ck_assert_str_eq(again, text);
    free(again);
    free(text);
    tg_tape_free(tape);
    tg_tensor_free(a);
    tg_tensor_free(b);
    tg_tensor_free(c);
}
END_TEST

/* Leaves listed as parameters are orange, leaves that take no gradient are
 * grey constants; big tensors show no values; the title goes first. */
START_TEST(test_dot_kinds_and_sizes)
{
    tg_tensor *x = tg_tensor_zeros(TG_SHAPE(1, 5));
    tg_tensor *W = tg_tensor_ones(TG_SHAPE(5, 2));
    tg_tensor *k = tg_tensor_full(TG_SHAPE(2), 3);
    tg_tensor_requires_grad(x);
    tg_tensor_requires_grad(W);
    tg_tape *tape = tg_tape_new();
    tg_tensor *y = tg_add(tape, tg_matmul(tape, x, W), k);
    tg_tape_backward_seeded(tape, y, (const tg_real[]){1, 1});
    tg_tape_dot_opts o = tg_tape_dot_defaults();
    o.params = &W;
    o.n_params = 1;
    o.title = "y = x W + k";
    char *text = dot_of(tape, &o);
    char line[512];
    /* x (5 values > 4): no values */
    ck_assert_ptr_nonnull(strstr(node_line(text, 0, line, sizeof line), "label=\"input (1, 5)\"]"));
    ck_assert_ptr_nonnull(strstr(node_line(text, 1, line, sizeof line),
                                 "style=\"filled,rounded\", fillcolor=\"#fce5cd\", "
                                 "label=\"parameter (5, 2)\"]"));
    ck_assert_ptr_nonnull(strstr(node_line(text, 3, line, sizeof line),
                                 "style=\"filled,dashed\", fillcolor=\"#eeeeee\", "
                                 "label=\"constant (2,)\\n= [3, 3]\"]"));
    /* the sum's gradient is the seed */
    ck_assert_ptr_nonnull(strstr(node_line(text, 4, line, sizeof line), "= [3, 3]\\ngrad [1, 1]"));
    ck_assert_ptr_nonnull(strstr(text, "label=\"y = x W + k\\nblue: inputs   orange: parameters   "
                                       "grey: constants   ellipses: ops   double: the last op\""));
    free(text);
    tg_tape_free(tape);
    tg_tensor_free(x);
    tg_tensor_free(W);
    tg_tensor_free(k);
}
END_TEST

/* Every '"' in the text that is not escaped opens or closes a string: on
 * every line they pair up. */
static void assert_strings_closed(const char *text)
{
    int open = 0;
    for (const char *p = text; *p; p++) {
        if (*p == '\\' && p[1]) {
            p++;
            continue;
        }
        if (*p == '"')
            open = !open;
        if (*p == '\n')
            ck_assert_msg(!open, "a string runs over a line end in\n%s", text);
    }
    ck_assert(!open);
}

START_TEST(test_dot_names_escaped)
{
    tg_tensor *a = scalar_leaf(1, "a\"]; evil [label=\"x\\");
    tg_tape *tape = tg_tape_new();
    tg_tensor *y = tg_tanh(tape, a);
    y->name = "line\nbreak\x01\xff";
    tg_tape_dot_caption cap = {"line\nbreak\x01\xff", "cap\"tion"};
    tg_tape_dot_opts o = tg_tape_dot_defaults();
    o.title = "ti\"tle\\";
    o.captions = &cap;
    o.n_captions = 1;
    char *text = dot_of(tape, &o);
    assert_strings_closed(text);
    ck_assert_ptr_nonnull(strstr(text, "a\\\"]; evil [label=\\\"x\\\\ ()"));
    ck_assert_ptr_nonnull(strstr(text, "line?break??\\ntanh"));
    ck_assert_ptr_nonnull(strstr(text, "label=\"cap\\\"tion\""));
    ck_assert_ptr_nonnull(strstr(text, "ti\\\"tle\\\\\\n"));
    ck_assert_int_eq(count(text, "evil [label"), 1); /* inside the label, nowhere else */
    free(text);
    tg_tape_free(tape);
    tg_tensor_free(a);
}
END_TEST

/* One step of the document's LSTM on the reference path: a frame per
 * equation, in the order of the equations, each with its ops in the
 * order the terms are written, and the four peepholes among the
 * parameters (W_cc too). */
START_TEST(test_dot_lstm_frames)
{
    tg_rng rng;
    tg_rng_seed(&rng, 3);
    tg_layer *lstm = tg_lstm((tg_lstm_opts){.units = 1});
    lstm->path = TG_PATH_REFERENCE;
    tg_layer_build(lstm, TG_SHAPE(1, 1), &rng);
    tg_tensor *x = tg_tensor_full(TG_SHAPE(1, 1, 1), 1);
    tg_tensor *h0 = tg_tensor_full(TG_SHAPE(1, 1), 0.5), *c0 = tg_tensor_full(TG_SHAPE(1, 1), 0.5);
    tg_tensor_requires_grad(x);
    tg_tensor_requires_grad(h0);
    tg_tensor_requires_grad(c0);
    tg_tape *tape = tg_tape_new();
    tg_tensor *h_T;
    tg_lstm_run(lstm, tape, x, h0, c0, &h_T, NULL);
    tg_tape_backward(tape, tg_sum(tape, h_T));
    tg_tape_dot_opts o = tg_tape_dot_defaults();
    o.params = lstm->params;
    o.n_params = lstm->n_params;
    char *text = dot_of(tape, &o);
    assert_strings_closed(text);
    static const char *const frames[] = {"x_t", "i_t", "f_t", "~c_t", "c_t", "o_t", "h_t"};
    const char *at = text;
    for (int k = 0; k < 7; k++) {
        char label[32];
        snprintf(label, sizeof label, "label=\"%s\";", frames[k]);
        const char *p = strstr(text, label);
        ck_assert_msg(p != NULL && p > at, "frame %s missing or out of order", frames[k]);
        at = p;
    }
    ck_assert_int_eq(count(text, "subgraph cluster_"), 7);
    /* i_t's frame: W_xi x_t, W_hi h_{t-1}, W_ci c_{t-1}, b_i, then sigma, in that order */
    const char *i_frame = strstr(text, "label=\"i_t\";");
    const char *f_frame = strstr(text, "label=\"f_t\";");
    static const char *const i_ops[] = {"matmul (1, 1)", "matmul (1, 1)", "add (1, 1)",
                                        "mul (1, 1)", "add (1, 1)", "add (1, 1)",
                                        "i_t\\nsigmoid (1, 1)"};
    at = i_frame;
    for (int k = 0; k < 7; k++) {
        const char *p = strstr(at + 1, i_ops[k]);
        ck_assert_msg(p && p < f_frame, "op %d of i_t (%s) not in order", k, i_ops[k]);
        at = p;
    }
    /* W_xi is read in i_t's equation only: drawn in its frame */
    const char *w_xi = strstr(text, "label=\"W_xi (1, 1)");
    ck_assert(w_xi > i_frame && w_xi < f_frame);
    static const char *const peepholes[] = {"W_ci (1,)", "W_cf (1,)", "W_cc (1,)", "W_co (1,)"};
    for (int k = 0; k < 4; k++) {
        char want[64];
        snprintf(want, sizeof want, "fillcolor=\"#fce5cd\", label=\"%s", peepholes[k]);
        ck_assert_msg(strstr(text, want), "%s not drawn as a parameter", peepholes[k]);
    }
    /* x, h_0 and c_0 feed several equations: inputs drawn outside the frames */
    ck_assert_int_eq(count(text, "fillcolor=\"#cfe2f3\""), 3);
    free(text);
    tg_tape_free(tape);
    tg_tensor_free(x);
    tg_tensor_free(h0);
    tg_tensor_free(c0);
    tg_layer_free(lstm);
}
END_TEST

START_TEST(test_dot_empty_tape)
{
    tg_tape *tape = tg_tape_new();
    char *text = dot_of(tape, NULL);
    ck_assert_int_eq(count(text, " -> "), 0);
    ck_assert_int_eq(count(text, "shape="), 0);
    ck_assert(strstr(text, "}\n") != NULL);
    free(text);
    tg_tape_free(tape);
}
END_TEST

Suite *tg_test_suite(void)
{
    Suite *s = suite_create("tape_dot");
    TCase *tc = tcase_create("dot");
    tcase_add_test(tc, test_dot_tutorial_one);
    tcase_add_test(tc, test_dot_kinds_and_sizes);
    tcase_add_test(tc, test_dot_names_escaped);
    tcase_add_test(tc, test_dot_lstm_frames);
    tcase_add_test(tc, test_dot_empty_tape);
    suite_add_tcase(s, tc);
    return s;
}
