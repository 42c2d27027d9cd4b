/* Tutorial 2: the LSTM of the document (section 3.3.1), equation by equation.
 *
 * One time step with D = 2 inputs and H = 2 units, each of the six equations
 * evaluated with its concrete numbers; the library's LSTM (both paths) held
 * against them; the gradient of every parameter from the tape, by hand and
 * numerically; then two and three steps to watch backpropagation through
 * time carry dL/dc across steps; and the peephole variants side by side.
 * docs/tutorial-02-lstm.md derives every gradient printed here.
 *
 * The six equations are written out here a second time on purpose: this
 * file is the by-hand side of the comparison, and step 8 checks that
 * layers/lstm_reference.c computes exactly the same. */
#include "tapegrad.h"
#include "tutorials/steps.h"

enum { D = 2, H = 2 };

/* The parameters of the default LSTM (diagonal peepholes, with W_cc), by
 * their names in the document. */
typedef struct {
    tg_tensor *W_xi, *W_xf, *W_xc, *W_xo;
    tg_tensor *W_hi, *W_hf, *W_hc, *W_ho;
    tg_tensor *W_ci, *W_cf, *W_cc, *W_co;
    tg_tensor *b_i, *b_f, *b_c, *b_o;
} params;

static params params_of(const tg_layer *l)
{
    params p = {
        tg_layer_param(l, "W_xi"), tg_layer_param(l, "W_xf"), tg_layer_param(l, "W_xc"),
        tg_layer_param(l, "W_xo"), tg_layer_param(l, "W_hi"), tg_layer_param(l, "W_hf"),
        tg_layer_param(l, "W_hc"), tg_layer_param(l, "W_ho"), tg_layer_param(l, "W_ci"),
        tg_layer_param(l, "W_cf"), tg_layer_param(l, "W_cc"), tg_layer_param(l, "W_co"),
        tg_layer_param(l, "b_i"),  tg_layer_param(l, "b_f"),  tg_layer_param(l, "b_c"),
        tg_layer_param(l, "b_o"),
    };
    return p;
}

/* A built LSTM of these options for (T, D) with every parameter drawn
 * U(-0.5, 0.5) from one seed (Keras would start peepholes at zero, which
 * would hide them). */
static tg_layer *make_lstm(tg_lstm_opts o, int T, tg_path path)
{
    tg_layer *l = tg_lstm(o);
    tg_rng rng;
    tg_rng_seed(&rng, 7);
    tg_layer_build(l, TG_SHAPE(T, D), &rng);
    tg_rng_seed(&rng, 2024);
    for (int k = 0; k < l->n_params; k++)
        tg_init_uniform(l->params[k], &rng, -0.5, 0.5);
    l->path = path;
    return l;
}

/* One gate's argument, printed term by term, then its value:
 *     gate = act(W_x x_t + W_h h_{t-1} + W_c c + b)
 * (the peephole W_c c is elementwise: W_c is a diagonal, stored as a vector). */
static tg_tensor *gate(tg_tape *tape, const char *names[5], tg_tensor *W_x, tg_tensor *x_t,
                       tg_tensor *W_h, tg_tensor *h_prev, tg_tensor *W_c, tg_tensor *c,
                       tg_tensor *b, tg_tensor *(*act)(tg_tape *, tg_tensor *))
{
    tg_tensor *Wx_x = tg_matmul(tape, x_t, W_x);
    tg_tensor *Wh_h = tg_matmul(tape, h_prev, W_h);
    tg_tensor *Wc_c = tg_mul(tape, c, W_c);
    tg_tensor *a = tg_add(tape, tg_add(tape, tg_add(tape, Wx_x, Wh_h), Wc_c), b);
    tg_tensor *g = act(tape, a);
    tg_steps_tensor(names[0], Wx_x);
    tg_steps_tensor(names[1], Wh_h);
    tg_steps_tensor(names[2], Wc_c);
    tg_steps_tensor(names[3], b);
    tg_steps_tensor("sum", a);
    tg_steps_tensor(names[4], g);
    return g;
}

/* What the gradient checks differentiate: L = sum(h_T) + sum(c_T) of the
 * library's LSTM. Inputs: x, h0, c0, then every parameter. */
typedef struct {
    tg_layer *lstm;
} run_ctx;

static tg_tensor *lstm_loss(tg_tape *tape, tg_tensor *const *in, void *vctx)
{
    run_ctx *ctx = vctx;
    tg_tensor *h_T, *c_T;
    tg_lstm_run(ctx->lstm, tape, in[0], in[1], in[2], &h_T, &c_T);
    return tg_add(tape, tg_sum(tape, h_T), tg_sum(tape, c_T));
}

/* L = sum(h_T) only: the loss of the by-hand derivation in step 9. */
static tg_tensor *lstm_h_loss(tg_tape *tape, tg_tensor *const *in, void *vctx)
{
    run_ctx *ctx = vctx;
    tg_tensor *h_T;
    tg_lstm_run(ctx->lstm, tape, in[0], in[1], in[2], &h_T, NULL);
    return tg_sum(tape, h_T);
}

static double sigma_prime(double s) { return s * (1 - s); }

int main(int argc, char **argv)
{
    tg_steps s;
    tg_steps_start(&s, argc, argv, "Tutorial 2: the LSTM of the document, section 3.3.1");

    tg_layer *lstm = make_lstm((tg_lstm_opts){.units = H}, 1, TG_PATH_REFERENCE);
    params p = params_of(lstm);
    tg_tensor *x = tg_tensor_from(TG_SHAPE(1, 1, D), (const tg_real[]){0.8, -0.4});
    tg_tensor *h0 = tg_tensor_from(TG_SHAPE(1, H), (const tg_real[]){0.3, -0.2});
    tg_tensor *c0 = tg_tensor_from(TG_SHAPE(1, H), (const tg_real[]){0.5, -0.6});
    x->name = "x";
    h0->name = "h_0";
    c0->name = "c_0";
    tg_tensor *x_1 = tg_tensor_from(TG_SHAPE(1, D), x->data);
    tg_tape *tape = tg_tape_new();

    tg_steps_step(&s, "The inputs and the parameters (D = 2 inputs, H = 2 units)",
                  "x_t: (D)   h_{t-1}, c_{t-1}: (H)   W_x*: (D, H)   W_h*: (H, H)   "
                  "W_c*: (H) diagonal   b_*: (H)");
    tg_steps_say("Rows are vectors, so the document's W_xi x_t is computed as x_t W_xi (Keras's "
                 "layout).\nPeepholes are diagonal here: W_ci c_{t-1} is elementwise.");
    tg_steps_tensor("x_1", x_1);
    tg_steps_tensor("h_0", h0);
    tg_steps_tensor("c_0", c0);
    for (int k = 0; k < lstm->n_params; k++)
        tg_steps_tensor(lstm->params[k]->name, lstm->params[k]);

    tg_steps_step(&s, "The input gate", "i_t = sigma(W_xi x_t + W_hi h_{t-1} + W_ci c_{t-1} + b_i)");
    tg_tensor *i_t = gate(tape, (const char *[]){"W_xi x_t", "W_hi h_0", "W_ci c_0", "b_i", "i_1"},
                          p.W_xi, x_1, p.W_hi, h0, p.W_ci, c0, p.b_i, tg_sigmoid);

    tg_steps_step(&s, "The forget gate", "f_t = sigma(W_xf x_t + W_hf h_{t-1} + W_cf c_{t-1} + b_f)");
    tg_tensor *f_t = gate(tape, (const char *[]){"W_xf x_t", "W_hf h_0", "W_cf c_0", "b_f", "f_1"},
                          p.W_xf, x_1, p.W_hf, h0, p.W_cf, c0, p.b_f, tg_sigmoid);

    tg_steps_step(&s, "The candidate (note the document's peephole W_cc c_{t-1})",
                  "~c_t = tanh(W_xc x_t + W_hc h_{t-1} + W_cc c_{t-1} + b_c)");
    tg_tensor *c_tilde_t =
        gate(tape, (const char *[]){"W_xc x_t", "W_hc h_0", "W_cc c_0", "b_c", "~c_1"}, p.W_xc,
             x_1, p.W_hc, h0, p.W_cc, c0, p.b_c, tg_tanh);

    tg_steps_step(&s, "The new cell state", "c_t = f_t (.) c_{t-1} + i_t (.) ~c_t");
    tg_tensor *kept = tg_mul(tape, f_t, c0), *written = tg_mul(tape, i_t, c_tilde_t);
    tg_tensor *c_t = tg_add(tape, kept, written);
    tg_steps_tensor("f_1 (.) c_0", kept);
    tg_steps_tensor("i_1 (.) ~c_1", written);
    tg_steps_tensor("c_1", c_t);

    tg_steps_step(&s, "The output gate (its peephole looks at the NEW state c_t)",
                  "o_t = sigma(W_xo x_t + W_ho h_{t-1} + W_co c_t + b_o)");
    tg_tensor *o_t = gate(tape, (const char *[]){"W_xo x_t", "W_ho h_0", "W_co c_1", "b_o", "o_1"},
                          p.W_xo, x_1, p.W_ho, h0, p.W_co, c_t, p.b_o, tg_sigmoid);

    tg_steps_step(&s, "The hidden state", "h_t = o_t (.) tanh(c_t)");
    tg_tensor *tanh_c = tg_tanh(tape, c_t);
    tg_tensor *h_t = tg_mul(tape, o_t, tanh_c);
    tg_steps_tensor("tanh(c_1)", tanh_c);
    tg_steps_tensor("h_1", h_t);

    tg_steps_step(&s, "The library computes the same: tg_lstm_run, both paths",
                  "layers/lstm_reference.c (the six equations as tape ops) and the fused op");
    for (int path = 0; path < 2; path++) {
        tg_tape *t2 = tg_tape_new();
        lstm->path = path == 0 ? TG_PATH_REFERENCE : TG_PATH_FUSED;
        tg_tensor *lib_h, *lib_c;
        tg_lstm_run(lstm, t2, x, h0, c0, &lib_h, &lib_c);
        const char *name = path == 0 ? "reference" : "fused";
        for (int j = 0; j < H; j++) {
            char what[48];
            snprintf(what, sizeof what, "%s h_1[%d]", name, j);
            tg_steps_expect(&s, what, lib_h->data[j], h_t->data[j], TG_STEPS_TOL);
            snprintf(what, sizeof what, "%s c_1[%d]", name, j);
            tg_steps_expect(&s, what, lib_c->data[j], c_t->data[j], TG_STEPS_TOL);
        }
        tg_tape_free(t2);
    }
    lstm->path = TG_PATH_REFERENCE;

    tg_steps_step(&s, "Backward by hand for L = sum(h_1), gate by gate",
                  "dL/do   = dL/dh (.) tanh(c_t)            dL/da_o = dL/do (.) o (1 - o)\n"
                  "dL/dc_t = dL/dh (.) o (1 - tanh^2 c_t) + dL/da_o (.) W_co   (two paths)\n"
                  "dL/da_f = dL/dc_t (.) c_{t-1} (.) f (1 - f)\n"
                  "dL/da_i = dL/dc_t (.) ~c_t (.) i (1 - i)\n"
                  "dL/da_c = dL/dc_t (.) i (.) (1 - ~c_t^2)\n"
                  "dL/db_* = dL/da_*\n"
                  "dL/dc_{t-1} = dL/dc_t (.) f + dL/da_i (.) W_ci + dL/da_f (.) W_cf + dL/da_c (.) W_cc");
    tg_tensor *inputs[3 + TG_LAYER_MAX_PARAMS] = {x, h0, c0};
    for (int k = 0; k < lstm->n_params; k++)
        inputs[3 + k] = lstm->params[k];
    const int n_inputs = 3 + lstm->n_params;
    run_ctx ctx = {lstm};
    for (int k = 0; k < n_inputs; k++) {
        tg_tensor_requires_grad(inputs[k]);
        tg_tensor_zero_grad(inputs[k]);
    }
    tg_tape *t3 = tg_tape_new();
    tg_tape_backward(t3, lstm_h_loss(t3, inputs, &ctx));
    for (int j = 0; j < H; j++) {
        const double o = o_t->data[j], i = i_t->data[j], f = f_t->data[j];
        const double ct = c_t->data[j], cp = c0->data[j], cand = c_tilde_t->data[j];
        const double th = tg_real_tanh((tg_real)ct);
        const double dh = 1;
        const double d_o = dh * th, da_o = d_o * sigma_prime(o);
        const double dc = dh * o * (1 - th * th) + da_o * p.W_co->data[j];
        const double da_f = dc * cp * sigma_prime(f);
        const double da_i = dc * cand * sigma_prime(i);
        const double da_c = dc * i * (1 - cand * cand);
        const double dc_prev = dc * f + da_i * p.W_ci->data[j] + da_f * p.W_cf->data[j] +
                               da_c * p.W_cc->data[j];
        char what[48];
        snprintf(what, sizeof what, "dL/db_i[%d]", j);
        tg_steps_expect(&s, what, p.b_i->grad[j], da_i, TG_STEPS_TOL);
        snprintf(what, sizeof what, "dL/db_f[%d]", j);
        tg_steps_expect(&s, what, p.b_f->grad[j], da_f, TG_STEPS_TOL);
        snprintf(what, sizeof what, "dL/db_c[%d]", j);
        tg_steps_expect(&s, what, p.b_c->grad[j], da_c, TG_STEPS_TOL);
        snprintf(what, sizeof what, "dL/db_o[%d]", j);
        tg_steps_expect(&s, what, p.b_o->grad[j], da_o, TG_STEPS_TOL);
        snprintf(what, sizeof what, "dL/dc_0[%d]", j);
        tg_steps_expect(&s, what, c0->grad[j], dc_prev, TG_STEPS_TOL);
    }
    tg_tape_free(t3);

    tg_steps_step(&s, "Every parameter's gradient: tape vs numerical",
                  "L = sum(h_1) + sum(c_1);   dL/dW ~ (L(W + h) - L(W - h)) / (2h)");
    tg_steps_gradients(&s, "lstm one step", lstm_loss, &ctx, inputs, n_inputs);
    tg_layer_free(lstm);

    tg_steps_step(&s, "Backpropagation through time: 1, 2 and 3 steps",
                  "dL/dc_{t-1} = dL/dc_t (.) f_t + (peephole and h_{t-1} paths)   L = sum(h_T)");
    tg_steps_say("The same weights run over T steps; the gradient reaching the initial state\n"
                 "c_0 has travelled back through every f_t (.) on the way.");
    const tg_real xs[] = {0.8, -0.4, 0.1, 0.9, -0.7, 0.2};
    for (int T = 1; T <= 3; T++) {
        tg_layer *l = make_lstm((tg_lstm_opts){.units = H}, T, TG_PATH_REFERENCE);
        tg_tensor *xT = tg_tensor_from(TG_SHAPE(1, T, D), xs);
        xT->name = "x";
        tg_tensor *in[3 + TG_LAYER_MAX_PARAMS] = {xT, h0, c0};
        for (int k = 0; k < l->n_params; k++)
            in[3 + k] = l->params[k];
        run_ctx c = {l};
        for (int k = 0; k < 3 + l->n_params; k++) {
            tg_tensor_requires_grad(in[k]);
            tg_tensor_zero_grad(in[k]);
        }
        tg_tape *tt = tg_tape_new();
        tg_tape_backward(tt, lstm_h_loss(tt, in, &c));
        printf("  T = %d:\n", T);
        tg_steps_values("  dL/dc_0", c0->grad, c0->shape);
        tg_steps_values("  dL/dh_0", h0->grad, h0->shape);
        tg_tape_free(tt);
        char name[48];
        snprintf(name, sizeof name, "x, h_0, c_0, %d params", l->n_params);
        tg_steps_gradcheck(&s, name, lstm_h_loss, &c, in, 3 + l->n_params);
        tg_tensor_free(xT);
        tg_layer_free(l);
    }

    tg_steps_step(&s, "The peephole variants side by side (T = 3, both paths)",
                  "none: no W_c*  |  diagonal: W_c* (H)  |  full: W_c* (H, H)  |  "
                  "with or without W_cc");
    const struct {
        const char *name;
        tg_lstm_opts o;
    } variants[] = {
        {"none (Keras, PyTorch)", {.units = H, .peephole = TG_PEEPHOLE_NONE}},
        {"diagonal, no W_cc", {.units = H, .no_candidate_peephole = 1}},
        {"diagonal + W_cc (default)", {.units = H}},
        {"full + W_cc (as written)", {.units = H, .peephole = TG_PEEPHOLE_FULL}},
    };
    tg_tensor *x3 = tg_tensor_from(TG_SHAPE(1, 3, D), xs);
    printf("  %-26s %7s  %-24s  %s\n", "variant", "params", "h_3", "gradcheck (ref, fused)");
    for (size_t v = 0; v < sizeof variants / sizeof variants[0]; v++) {
        tg_layer *l = make_lstm(variants[v].o, 3, TG_PATH_REFERENCE);
        tg_tape *tv = tg_tape_new();
        tg_tensor *h3 = tg_layer_forward(l, tv, x3, 0);
        printf("  %-26s %7zu  [", variants[v].name, tg_layer_param_count(l));
        for (int j = 0; j < H; j++)
            tg_steps_num(h3->data[j]);
        printf(" ]");
        for (int path = 0; path < 2; path++) {
            tg_gradcheck_report r = tg_lstm_gradcheck(
                variants[v].o, path == 0 ? TG_PATH_REFERENCE : TG_PATH_FUSED, 2, 3, D, 11);
            printf("  %s %.1e", r.passed ? "PASS" : "FAIL", r.max_rel_err);
            tg_steps_count(&s, r.passed);
        }
        printf("\n");
        tg_tape_free(tv);
        tg_layer_free(l);
    }
    tg_steps_say("Only 'none' matches Keras's LSTM weight for weight (see docs/errata.md).");

    tg_tensor_free(x3);
    tg_tape_free(tape);
    tg_tensor_free(x);
    tg_tensor_free(x_1);
    tg_tensor_free(h0);
    tg_tensor_free(c0);
    return tg_steps_finish(&s);
}
