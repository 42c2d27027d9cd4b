/* The tapes drawn in the tutorials' pages: each built here with numbers a
 * student can follow on paper, run backward, and written as DOT
 * (tg_tape_write_dot) for Graphviz. */
#include "apps/internal/pictures.h"

#include <string.h>

#include "autograd/autograd.h"
#include "layers/layers.h"

/* Tutorial 1: L = a tanh(a b + c) at a = 0.5, b = -1.5, c = 2. */
static void tape_of_tutorial_one(tg_tape *tape, tg_tensor *leaf[3])
{
    static const char *const names[3] = {"a", "b", "c"};
    static const tg_real values[3] = {0.5, -1.5, 2.0};
    for (int k = 0; k < 3; k++) {
        leaf[k] = tg_tensor_from(TG_SCALAR, &values[k]);
        leaf[k]->name = names[k];
        tg_tensor_requires_grad(leaf[k]);
    }
    tg_tensor *a = leaf[0], *b = leaf[1], *c = leaf[2];
    tg_tensor *u = tg_mul(tape, a, b);
    tg_tensor *v = tg_add(tape, u, c);
    tg_tensor *w = tg_tanh(tape, v);
    tg_tensor *L = tg_mul(tape, a, w);
    u->name = "u";
    v->name = "v";
    w->name = "w";
    L->name = "L";
    tg_tape_backward(tape, L);
}

/* Tutorial 2's cell, worked by hand there: H = D = N = 1, the document's
 * LSTM (diagonal peepholes, W_cc included), in the layer's parameter
 * order W_x* W_h* W_c* b_* (gates i, f, c, o). */
static const tg_real lstm_by_hand[16] = {
    0.5, 0.3, 0.6, 0.4,   /* W_xi W_xf W_xc W_xo */
    0.4, 0.2, -0.4, 0.2,  /* W_hi W_hf W_hc W_ho */
    0.3, 0.4, 0.2, 0.5,   /* W_ci W_cf W_cc W_co */
    -0.2, 1.0, 0.0, 0.1,  /* b_i b_f b_c b_o */
};

static const tg_tape_dot_caption lstm_captions[] = {
    {"x_t", "x_t"},
    {"i_t", "i_t = sigma(W_xi x_t + W_hi h_{t-1} + W_ci c_{t-1} + b_i)"},
    {"f_t", "f_t = sigma(W_xf x_t + W_hf h_{t-1} + W_cf c_{t-1} + b_f)"},
    {"~c_t", "~c_t = tanh(W_xc x_t + W_hc h_{t-1} + W_cc c_{t-1} + b_c)"},
    {"c_t", "c_t = f_t (.) c_{t-1} + i_t (.) ~c_t"},
    {"o_t", "o_t = sigma(W_xo x_t + W_ho h_{t-1} + W_co c_t + b_o)"},
    {"h_t", "h_t = o_t (.) tanh(c_t)"},
};

static const tg_tape_dot_caption rnn_captions[] = {
    {"x_t", "x_t"},
    {"h_t", "h_t = tanh(x_t W + h_{t-1} U + b)"},
};

/* x (1, T, 1) of the given values, a leaf named "x". */
static tg_tensor *sequence(int T, const tg_real *values)
{
    tg_tensor *x = tg_tensor_from(TG_SHAPE(1, T, 1), values);
    x->name = "x";
    tg_tensor_requires_grad(x);
    return x;
}

static tg_tensor *state(tg_real v, const char *name)
{
    tg_tensor *s = tg_tensor_from(TG_SHAPE(1, 1), &v);
    s->name = name;
    tg_tensor_requires_grad(s);
    return s;
}

/* L = sum(h_T), named, then backward: what every tape here is drawn after. */
static void backward_from(tg_tape *tape, tg_tensor *h_T)
{
    tg_tensor *L = tg_sum(tape, h_T);
    L->name = "L";
    tg_tape_backward(tape, L);
}

tg_status tg_picture_tape(const char *name, tg_picture_files *files)
{
    tg_tape *tape = tg_tape_new();
    tg_tape_dot_opts o = tg_tape_dot_defaults();
    tg_tensor *leaf[3] = {NULL, NULL, NULL};
    tg_layer *layer = NULL;
    tg_rng rng;
    tg_rng_seed(&rng, 1);
    if (!strcmp(name, "tape")) {
        tape_of_tutorial_one(tape, leaf);
        o.title = "L = a tanh(a b + c), after tg_tape_backward (tutorial 1)";
    } else if (!strcmp(name, "lstm_step")) {
        layer = tg_lstm((tg_lstm_opts){.units = 1});
        layer->path = TG_PATH_REFERENCE;
        tg_layer_build(layer, TG_SHAPE(1, 1), &rng);
        for (int k = 0; k < layer->n_params; k++)
            layer->params[k]->data[0] = lstm_by_hand[k];
        leaf[0] = sequence(1, (const tg_real[]){1.0});
        leaf[1] = state(0.5, "h_0");
        leaf[2] = state(1.0, "c_0");
        tg_tensor *h_T;
        tg_lstm_run(layer, tape, leaf[0], leaf[1], leaf[2], &h_T, NULL);
        backward_from(tape, h_T);
        o.title = "One step of the document's LSTM (section 3.3.1), L = h_1, the reference "
                  "path after tg_tape_backward (tutorial 2)";
        o.captions = lstm_captions;
        o.n_captions = (int)(sizeof lstm_captions / sizeof lstm_captions[0]);
    } else {
        layer = tg_simple_rnn((tg_simple_rnn_opts){.units = 1});
        layer->path = TG_PATH_REFERENCE;
        tg_layer_build(layer, TG_SHAPE(3, 1), &rng);
        static const tg_real w_u_b[3] = {0.8, 0.5, 0.1};
        for (int k = 0; k < 3; k++)
            layer->params[k]->data[0] = w_u_b[k];
        leaf[0] = sequence(3, (const tg_real[]){1.0, -0.5, 0.25});
        tg_tensor *h_T;
        tg_simple_rnn_run(layer, tape, leaf[0], NULL, &h_T);
        backward_from(tape, h_T);
        o.title = "Three steps of SimpleRNN from h_0 = 0, L = h_3, the reference path after "
                  "tg_tape_backward (tutorial 9)";
        o.captions = rnn_captions;
        o.n_captions = (int)(sizeof rnn_captions / sizeof rnn_captions[0]);
    }
    if (layer) {
        o.params = layer->params;
        o.n_params = layer->n_params;
    }
    tg_status st = tg_status_ok();
    tg_picture_out out;
    FILE *f = tg_picture_open(&out, files->data, &st);
    if (f) {
        tg_tape_write_dot(tape, f, &o);
        st = tg_picture_close(&out);
    }
    tg_tape_free(tape);
    tg_layer_free(layer);
    for (int k = 0; k < 3; k++)
        tg_tensor_free(leaf[k]);
    return st;
}
