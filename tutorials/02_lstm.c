/* Tutorial 2: the LSTM of the document (section 3.3.1), on paper first.
 *
 * One unit, one input, one step (H = D = N = 1) with parameters of one
 * decimal, so that every line can be checked with a pencil and a
 * calculator: the six equations forward, then the backward pass gate by
 * gate, each against what the tape derives. Then the same cell with
 * vectors (D = H = 2), backpropagation through two and three steps, the
 * peephole variants, and last what gradcheck cannot catch: a cell with a
 * wrong equation whose gradients are all correct.
 * docs/tutorial-02-lstm.md derives every formula printed here.
 *
 * The equations are written out here a second time on purpose: this file
 * is the by-hand side of every comparison, and layers/lstm_reference.c
 * must compute exactly the same. */
#include "tapegrad.h"
#include "tutorials/steps.h"

/* ---- the one-unit cell ---- */

/* The gates in the layer's order i, f, c (the candidate), o; per gate W_x*,
 * W_h*, W_c* (the peephole) and b_*. The same numbers are drawn in
 * docs/pictures/lstm_step.png (tapegrad graph lstm_step). */
enum { I, F, C, O, GATES };
static const char *const gate_name[GATES] = {"i", "f", "c", "o"};
static const double Wx[GATES] = {0.5, 0.3, 0.6, 0.4};
static const double Wh[GATES] = {0.4, 0.2, -0.4, 0.2};
static const double Wc[GATES] = {0.3, 0.4, 0.2, 0.5};
static const double b[GATES] = {-0.2, 1.0, 0.0, 0.1};
static const double x_1 = 1.0, h_0 = 0.5, c_0 = 1.0;

static double sigma(double z)
{
    return 1 / (1 + exp(-z));
}

/* What the one-unit cell computes, by hand. */
typedef struct {
    double z[GATES], g[GATES]; /* pre-activations z and gates i, f, ~c, o */
    double c_1, tanh_c, h_1;
} cell;

/* z = W_x x_t + W_h h_{t-1} + W_c c + b, c the state the gate peeks at. */
static double z_of(int g, double c)
{
    return Wx[g] * x_1 + Wh[g] * h_0 + Wc[g] * c + b[g];
}

static void print_z(int g, double c, const char *c_name, double z)
{
    printf("  z_%s = %4.1f*%.1f + %4.1f*%.1f + %.1f*%s + %4.1f = %9.6f\n", gate_name[g], Wx[g],
           x_1, Wh[g], h_0, Wc[g], c_name, b[g], z);
}

/* tg_layer params by name (the layer's own, as tg_layer keeps them). */
static tg_tensor *param(const tg_layer *l, const char *name)
{
    for (int k = 0; k < l->n_params; k++)
        if (!strcmp(l->params[k]->name, name))
            return l->params[k];
    tg_fatal("tutorial: %s has no parameter %s", l->name, name);
}

/* The library's one-unit LSTM with the numbers above. */
static tg_layer *one_unit_lstm(tg_path path)
{
    tg_rng rng;
    tg_rng_seed(&rng, 1);
    tg_layer *l = tg_lstm((tg_lstm_opts){.units = 1});
    l->path = path;
    tg_layer_build(l, TG_SHAPE(1, 1), &rng);
    for (int g = 0; g < GATES; g++) {
        char name[8];
        snprintf(name, sizeof name, "W_x%s", gate_name[g]);
        param(l, name)->data[0] = (tg_real)Wx[g];
        snprintf(name, sizeof name, "W_h%s", gate_name[g]);
        param(l, name)->data[0] = (tg_real)Wh[g];
        snprintf(name, sizeof name, "W_c%s", gate_name[g]);
        param(l, name)->data[0] = (tg_real)Wc[g];
        snprintf(name, sizeof name, "b_%s", gate_name[g]);
        param(l, name)->data[0] = (tg_real)b[g];
    }
    return l;
}

/* ---- what gradient checks differentiate ---- */

/* The library's LSTM: in = {x, h0, c0, every parameter}; returns L = sum(h_T). */
static tg_tensor *lstm_loss(tg_tape *tape, tg_tensor *const *in, void *ctx)
{
    tg_tensor *h_T;
    tg_lstm_run(ctx, tape, in[0], in[1], in[2], &h_T, NULL);
    return tg_sum(tape, h_T);
}

/* W_x x_t + W_h h_{t-1} + W_c (.) c + b for one unit: in = {x_t, h, c, W_x*(4), W_h*(4),
 * W_c*(4), b*(4)}, all of shape (1, 1) but the peepholes and biases (1). */
static tg_tensor *affine(tg_tape *tape, tg_tensor *const *in, int g, tg_tensor *c)
{
    tg_tensor *s = tg_matmul(tape, in[0], in[3 + g]);
    s = tg_add(tape, s, tg_matmul(tape, in[1], in[7 + g]));
    s = tg_add(tape, s, tg_mul(tape, c, in[11 + g]));
    return tg_add(tape, s, in[15 + g]);
}

/* A WRONG cell, for step 11: o_t peeks at c_{t-1}, not at c_t. Everything
 * else is the document's; L = h_1. */
static tg_tensor *wrong_cell(tg_tape *tape, tg_tensor *const *in, void *ctx)
{
    tg_tensor *c_prev = in[2];
    tg_tensor *i_t = tg_sigmoid(tape, affine(tape, in, I, c_prev));
    tg_tensor *f_t = tg_sigmoid(tape, affine(tape, in, F, c_prev));
    tg_tensor *c_tilde = tg_tanh(tape, affine(tape, in, C, c_prev));
    tg_tensor *f_c = tg_mul(tape, f_t, c_prev);
    tg_tensor *c_t = tg_add(tape, f_c, tg_mul(tape, i_t, c_tilde));
    /* WRONG: o_t = sigma(W_xo x_t + W_ho h_{t-1} + W_co c_{t-1} + b_o) */
    tg_tensor *o_t = tg_sigmoid(tape, affine(tape, in, O, c_prev));
    return tg_sum(tape, tg_mul(tape, o_t, tg_tanh(tape, c_t)));
}

/* x, h0, c0 then every parameter of l, as gradient-taking leaves. */
static int inputs_of(tg_layer *l, tg_tensor *x, tg_tensor *h0, tg_tensor *c0, tg_tensor **in)
{
    in[0] = x;
    in[1] = h0;
    in[2] = c0;
    for (int k = 0; k < l->n_params; k++)
        in[3 + k] = l->params[k];
    for (int k = 0; k < 3 + l->n_params; k++) {
        tg_tensor_requires_grad(in[k]);
        tg_tensor_zero_grad(in[k]);
    }
    return 3 + l->n_params;
}

/* ---- the small case ---- */

enum { D = 2, H = 2 };

/* A built LSTM of these options for (T, D), every parameter drawn
 * U(-0.5, 0.5), peepholes included: tapegrad starts peepholes at zero (in
 * the spirit of Keras, whose LSTM has none), which would hide them. */
static tg_layer *small_lstm(tg_lstm_opts o, int T)
{
    tg_layer *l = tg_lstm(o);
    tg_rng rng;
    tg_rng_seed(&rng, 7);
    tg_layer_build(l, TG_SHAPE(T, D), &rng);
    tg_rng_seed(&rng, 2024);
    for (int k = 0; k < l->n_params; k++)
        tg_init_uniform(l->params[k], &rng, -0.5, 0.5);
    l->path = TG_PATH_REFERENCE;
    return l;
}

/* One step of the six equations for D = H = 2 in plain loops (rows are
 * vectors: (x W)[j] = sum_d x[d] W[d, j]; the peepholes are elementwise). */
static void small_step_by_hand(const tg_layer *l, const double *x, const double *h,
                               const double *c, double *h_out, double *c_out)
{
    double gate[GATES][H];
    for (int g = 0; g < GATES; g++) {
        char n[8];
        snprintf(n, sizeof n, "W_x%s", gate_name[g]);
        const tg_tensor *W_x = param(l, n);
        snprintf(n, sizeof n, "W_h%s", gate_name[g]);
        const tg_tensor *W_h = param(l, n);
        snprintf(n, sizeof n, "W_c%s", gate_name[g]);
        const tg_tensor *W_c = param(l, n);
        snprintf(n, sizeof n, "b_%s", gate_name[g]);
        const tg_tensor *bias = param(l, n);
        if (g == O) /* o_t peeks at the new state c_t */
            for (int j = 0; j < H; j++)
                c_out[j] = gate[F][j] * c[j] + gate[I][j] * gate[C][j];
        for (int j = 0; j < H; j++) {
            double z = (double)bias->data[j] + (double)W_c->data[j] * (g == O ? c_out[j] : c[j]);
            for (int d = 0; d < D; d++)
                z += x[d] * (double)TG_AT(W_x, d, j);
            for (int k = 0; k < H; k++)
                z += h[k] * (double)TG_AT(W_h, k, j);
            gate[g][j] = g == C ? tanh(z) : sigma(z);
        }
    }
    for (int j = 0; j < H; j++)
        h_out[j] = gate[O][j] * tanh(c_out[j]);
}

int main(int argc, char **argv)
{
    tg_steps s;
    tg_steps_start(&s, argc, argv, "Tutorial 2: the LSTM of the document, section 3.3.1");

    tg_steps_step(&s, "One unit, one input, one step: numbers to check on paper",
                  "H = D = N = 1: every W is a single number, every state too");
    printf("  gate        W_x*   W_h*   W_c*    b_*\n");
    static const char *const gate_title[GATES] = {"i (input)", "f (forget)", "~c (cand.)",
                                                  "o (output)"};
    for (int g = 0; g < GATES; g++)
        printf("  %-10s %5.1f  %5.1f  %5.1f  %5.1f\n", gate_title[g], Wx[g], Wh[g], Wc[g], b[g]);
    printf("  x_1 = %.1f,  h_0 = %.1f,  c_0 = %.1f\n", x_1, h_0, c_0);
    tg_steps_say("  W_c* are the peepholes: the gate looks at the cell state. The document gives\n"
                 "  the candidate one too (W_cc), which the usual peephole LSTM does not have.\n"
                 "  Write z for a gate's argument, its pre-activation: i_t = sigma(z_i).");

    cell k;
    tg_steps_step(&s, "The three gates that look at c_{t-1}",
                  "i_t = sigma(W_xi x_t + W_hi h_{t-1} + W_ci c_{t-1} + b_i)\n"
                  "f_t = sigma(W_xf x_t + W_hf h_{t-1} + W_cf c_{t-1} + b_f)\n"
                  "~c_t = tanh(W_xc x_t + W_hc h_{t-1} + W_cc c_{t-1} + b_c)");
    for (int g = I; g <= C; g++) {
        k.z[g] = z_of(g, c_0);
        k.g[g] = g == C ? tanh(k.z[g]) : sigma(k.z[g]);
        print_z(g, c_0, "c_0", k.z[g]);
    }
    printf("  i_1 = sigma(%.1f) = %.6f,  f_1 = sigma(%.1f) = %.6f,  ~c_1 = tanh(%.1f) = %.6f\n",
           k.z[I], k.g[I], k.z[F], k.g[F], k.z[C], k.g[C]);
    printf("  (sigma(z) = 1 / (1 + e^-z): sigma(%.1f) = 1 / (1 + %.6f) = %.6f)\n", k.z[I],
           exp(-k.z[I]), k.g[I]);

    tg_steps_step(&s, "The new cell state", "c_t = f_t (.) c_{t-1} + i_t (.) ~c_t");
    k.c_1 = k.g[F] * c_0 + k.g[I] * k.g[C];
    printf("  c_1 = %.6f * %.1f + %.6f * %.6f = %.6f + %.6f = %.6f\n", k.g[F], c_0, k.g[I],
           k.g[C], k.g[F] * c_0, k.g[I] * k.g[C], k.c_1);
    printf("  f_1 keeps %.0f%% of the old state, i_1 lets in %.0f%% of the candidate.\n",
           100 * k.g[F], 100 * k.g[I]);

    tg_steps_step(&s, "The output gate looks at the NEW state c_t; then h_t",
                  "o_t = sigma(W_xo x_t + W_ho h_{t-1} + W_co c_t + b_o)\n"
                  "h_t = o_t (.) tanh(c_t)");
    k.z[O] = z_of(O, k.c_1);
    k.g[O] = sigma(k.z[O]);
    print_z(O, k.c_1, "c_1", k.z[O]);
    k.tanh_c = tanh(k.c_1);
    k.h_1 = k.g[O] * k.tanh_c;
    printf("  o_1 = sigma(%.6f) = %.6f\n  h_1 = %.6f * tanh(%.6f) = %.6f * %.6f = %.6f\n",
           k.z[O], k.g[O], k.g[O], k.c_1, k.g[O], k.tanh_c, k.h_1);

    tg_steps_step(&s, "The library computes the same: tg_lstm_run, both paths",
                  "reference: layers/lstm_reference.c (the six equations as tape ops);  "
                  "fused: layers/lstm_fused.c");
    tg_tensor *x = tg_tensor_from(TG_SHAPE(1, 1, 1), (const tg_real[]){(tg_real)x_1});
    tg_tensor *h0 = tg_tensor_from(TG_SHAPE(1, 1), (const tg_real[]){(tg_real)h_0});
    tg_tensor *c0 = tg_tensor_from(TG_SHAPE(1, 1), (const tg_real[]){(tg_real)c_0});
    x->name = "x";
    h0->name = "h_0";
    c0->name = "c_0";
    for (int p = 0; p < 2; p++) {
        tg_layer *l = one_unit_lstm(p ? TG_PATH_FUSED : TG_PATH_REFERENCE);
        tg_tape *tape = tg_tape_new();
        tg_tensor *h_T, *c_T;
        tg_lstm_run(l, tape, x, h0, c0, &h_T, &c_T);
        tg_steps_expect(&s, p ? "fused h_1" : "reference h_1", h_T->data[0], k.h_1, TG_STEPS_TOL);
        tg_steps_expect(&s, p ? "fused c_1" : "reference c_1", c_T->data[0], k.c_1, TG_STEPS_TOL);
        tg_tape_free(tape);
        tg_layer_free(l);
    }
    tg_steps_say("  The reference path's tape, drawn with these numbers and its gradients:\n"
                 "  docs/pictures/lstm_step.png (tapegrad graph lstm_step).");

    tg_steps_step(&s, "Backward by hand, gate by gate. The loss: L = h_1",
                  "dL/dh_1 = 1;  dz_g stands for dL/dz_g, the gradient of gate g's pre-activation");
    const double i1 = k.g[I], f1 = k.g[F], c1t = k.g[C], o1 = k.g[O], th = k.tanh_c;
    /* dz_o = dL/dh_t tanh(c_t) o_t (1 - o_t) */
    const double dz_o = 1 * th * o1 * (1 - o1);
    /* dL/dc_t = dL/dh_t o_t (1 - tanh^2 c_t) + dz_o W_co (o_t peeks at c_t) */
    const double dc_1 = 1 * o1 * (1 - th * th) + dz_o * Wc[O];
    const double dz_i = dc_1 * c1t * i1 * (1 - i1);
    const double dz_f = dc_1 * c_0 * f1 * (1 - f1);
    const double dz_c = dc_1 * i1 * (1 - c1t * c1t);
    const double dz[GATES] = {dz_i, dz_f, dz_c, dz_o};
    printf("  dz_o    = dL/dh_1 tanh(c_1) o_1 (1 - o_1)  = 1 * %.6f * %.6f * %.6f = %9.6f\n", th,
           o1, 1 - o1, dz_o);
    printf("  dL/dc_1 = dL/dh_1 o_1 (1 - tanh^2 c_1) + dz_o W_co\n"
           "          = %.6f * %.6f + %.6f * %.1f = %9.6f\n",
           o1, 1 - th * th, dz_o, Wc[O], dc_1);
    printf("  dz_i    = dL/dc_1 ~c_1 i_1 (1 - i_1)       = %9.6f\n", dz_i);
    printf("  dz_f    = dL/dc_1 c_0 f_1 (1 - f_1)        = %9.6f\n", dz_f);
    printf("  dz_c    = dL/dc_1 i_1 (1 - ~c_1^2)         = %9.6f\n", dz_c);
    double dc_0 = dc_1 * f1, dh_0 = 0, dx = 0;
    for (int g = 0; g < GATES; g++) {
        if (g != O)
            dc_0 += dz[g] * Wc[g];
        dh_0 += dz[g] * Wh[g];
        dx += dz[g] * Wx[g];
    }
    printf("  dL/dc_0 = dL/dc_1 f_1 + dz_i W_ci + dz_f W_cf + dz_c W_cc = %9.6f\n", dc_0);
    printf("  dL/dh_0 = sum_g dz_g W_hg = %9.6f      dL/dx_1 = sum_g dz_g W_xg = %9.6f\n", dh_0,
           dx);
    tg_steps_say("  and for each gate g:  dL/db_g = dz_g,  dL/dW_xg = x_1 dz_g,  dL/dW_hg = h_0 dz_g,\n"
                 "  dL/dW_cg = c_0 dz_g (i, f, ~c) but dL/dW_co = c_1 dz_o.");

    tg_steps_step(&s, "Every gradient: by hand, the tape, finite differences (L = h_1 still)",
                  "numeric: (L(w + h) - L(w - h)) / (2h)");
    tg_layer *lstm = one_unit_lstm(TG_PATH_REFERENCE);
    tg_tensor *in[3 + TG_LAYER_MAX_PARAMS];
    const int n_in = inputs_of(lstm, x, h0, c0, in);
    tg_tape *tape = tg_tape_new();
    tg_tape_backward(tape, lstm_loss(tape, in, lstm));
    tg_tape_free(tape);
    printf("  %-10s %10s %10s %10s\n", "dL/d", "by hand", "tape", "numeric");
    for (int q = 0; q < n_in; q++) {
        const char *name = in[q]->name;
        double want;
        if (q == 0)
            want = dx;
        else if (q == 1)
            want = dh_0;
        else if (q == 2)
            want = dc_0;
        else {
            const int g = (q - 3) % GATES, kind = (q - 3) / GATES; /* W_x W_h W_c b */
            const double c_peek = g == O ? k.c_1 : c_0;
            const double factor[4] = {x_1, h_0, c_peek, 1};
            want = factor[kind] * dz[g];
        }
        const double numeric = tg_steps_numeric(lstm_loss, lstm, in, q, 0);
        const int ok = fabs(in[q]->grad[0] - want) <= TG_STEPS_TOL * fmax(1, fabs(want));
        printf("  %-10s %10.6f %10.6f %10.6f  %s\n", name, want, (double)in[q]->grad[0], numeric,
               ok ? "ok" : "FAIL");
        tg_steps_count(&s, ok);
    }
    tg_steps_gradcheck(&s, "one unit, every input", lstm_loss, lstm, in, n_in);

    tg_steps_step(&s, "The same with vectors: D = 2 inputs, H = 2 units",
                  "x_t W_x* is a (1, 2) x (2, 2) product; the peepholes stay elementwise");
    tg_steps_say("  The loss changes: L = h_1[0] + h_1[1], the sum over the two units.\n"
                 "  Every parameter is drawn U(-0.5, 0.5) (seeded), the peepholes too.");
    tg_layer *small = small_lstm((tg_lstm_opts){.units = H}, 1);
    const double xs[D] = {0.8, -0.4}, hs[H] = {0.3, -0.2}, cs[H] = {0.5, -0.6};
    double h_hand[H], c_hand[H];
    small_step_by_hand(small, xs, hs, cs, h_hand, c_hand);
    tg_tensor *x2 = tg_tensor_from(TG_SHAPE(1, 1, D), (const tg_real[]){0.8, -0.4});
    tg_tensor *h2 = tg_tensor_from(TG_SHAPE(1, H), (const tg_real[]){0.3, -0.2});
    tg_tensor *c2 = tg_tensor_from(TG_SHAPE(1, H), (const tg_real[]){0.5, -0.6});
    x2->name = "x";
    h2->name = "h_0";
    c2->name = "c_0";
    printf("  x_1 = (0.8, -0.4),  h_0 = (0.3, -0.2),  c_0 = (0.5, -0.6)\n");
    for (int p = 0; p < 2; p++) {
        small->path = p ? TG_PATH_FUSED : TG_PATH_REFERENCE;
        tg_tape *t2 = tg_tape_new();
        tg_tensor *h_T, *c_T;
        tg_lstm_run(small, t2, x2, h2, c2, &h_T, &c_T);
        char what[48];
        for (int j = 0; j < H; j++) {
            snprintf(what, sizeof what, "%s h_1[%d]", p ? "fused" : "reference", j);
            tg_steps_expect(&s, what, h_T->data[j], h_hand[j], TG_STEPS_TOL);
        }
        tg_tape_free(t2);
    }
    small->path = TG_PATH_REFERENCE;
    tg_tensor *in2[3 + TG_LAYER_MAX_PARAMS];
    const int n_in2 = inputs_of(small, x2, h2, c2, in2);
    tg_steps_gradcheck(&s, "D = H = 2, every input", lstm_loss, small, in2, n_in2);
    tg_layer_free(small);

    tg_steps_step(&s, "Backpropagation through time: 1, 2 and 3 steps",
                  "dL/dc_{t-1} = dL/dc_t (.) f_t + dz_i (.) W_ci + dz_f (.) W_cf + dz_c (.) W_cc");
    tg_steps_say("  The loss changes with T: L = sum(h_T), the units of the LAST state only.\n"
                 "  The same weights run T steps; the gradient that reaches c_0 has passed\n"
                 "  every f_t (.) on the way back.");
    const tg_real xs3[] = {0.8, -0.4, 0.1, 0.9, -0.7, 0.2};
    for (int T = 1; T <= 3; T++) {
        tg_layer *l = small_lstm((tg_lstm_opts){.units = H}, T);
        tg_tensor *xT = tg_tensor_from(TG_SHAPE(1, T, D), xs3);
        xT->name = "x";
        tg_tensor *inT[3 + TG_LAYER_MAX_PARAMS];
        const int n_inT = inputs_of(l, xT, h2, c2, inT);
        tg_tape *tt = tg_tape_new();
        tg_tape_backward(tt, lstm_loss(tt, inT, l));
        printf("  T = %d:  dL/dc_0 = (%9.6f, %9.6f)   dL/dh_0 = (%9.6f, %9.6f)\n", T,
               (double)c2->grad[0], (double)c2->grad[1], (double)h2->grad[0],
               (double)h2->grad[1]);
        tg_tape_free(tt);
        char name[48];
        snprintf(name, sizeof name, "T = %d, x, h_0, c_0, %d params", T, l->n_params);
        tg_steps_gradcheck(&s, name, lstm_loss, l, inT, n_inT);
        tg_tensor_free(xT);
        tg_layer_free(l);
    }

    tg_steps_step(&s, "The peephole variants side by side (T = 3, both paths)",
                  "none: no W_c*  |  diagonal: W_c* (H)  |  full: W_c* (H, H)  |  "
                  "with or without W_cc");
    tg_steps_say("  The loss of tg_lstm_gradcheck: a weighted sum of every h_t and c_T.");
    const struct {
        const char *name;
        tg_lstm_opts o;
    } variants[] = {
        {"none (Keras, PyTorch)", {.units = H, .peephole = TG_PEEPHOLE_NONE}},
        {"diagonal, no W_cc", {.units = H, .no_candidate_peephole = 1}},
        {"diagonal + W_cc (default)", {.units = H}},
        {"full + W_cc (as written)", {.units = H, .peephole = TG_PEEPHOLE_FULL}},
    };
    printf("  %-26s %7s  %s\n", "variant", "params", "gradcheck (reference, fused)");
    for (size_t v = 0; v < sizeof variants / sizeof variants[0]; v++) {
        tg_layer *l = small_lstm(variants[v].o, 3);
        printf("  %-26s %7zu ", variants[v].name, tg_layer_param_count(l));
        for (int path = 0; path < 2; path++) {
            tg_gradcheck_report r = tg_lstm_gradcheck(
                variants[v].o, path == 0 ? TG_PATH_REFERENCE : TG_PATH_FUSED, 2, 3, D, 11);
            printf("  %s %.1e", r.passed ? "PASS" : "FAIL", r.max_rel_err);
            tg_steps_count(&s, r.passed);
        }
        printf("\n");
        tg_layer_free(l);
    }
    tg_steps_say("  Only 'none' matches Keras's LSTM weight for weight (see docs/errata.md).");

    tg_steps_step(&s, "What gradcheck cannot catch: a wrong equation",
                  "WRONG: o_t = sigma(W_xo x_t + W_ho h_{t-1} + W_co c_{t-1} + b_o)   (c_{t-1}, not c_t)");
    tg_steps_say("  The loss: L = h_1 of the one-unit cell again. wrong_cell (in this file) is\n"
                 "  the document's cell with one slip: o_t peeks at the old state. Its tape\n"
                 "  differentiates exactly what it computes, so every gradient is right:");
    tg_tensor *win[19];
    win[0] = tg_tensor_from(TG_SHAPE(1, 1), (const tg_real[]){(tg_real)x_1});
    win[1] = h0;
    win[2] = c0;
    win[0]->name = "x";
    for (int q = 3; q < 19; q++)
        win[q] = in[q];
    tg_steps_gradcheck(&s, "wrong cell, 19 inputs", wrong_cell, NULL, win, 19);
    tg_tape *tw = tg_tape_new();
    const double wrong_h = wrong_cell(tw, win, NULL)->data[0];
    tg_tape_free(tw);
    printf("  h_1 of the wrong cell %.6f, by hand (step 4) %.6f:\n", wrong_h, k.h_1);
    tg_steps_expect_true(&s, "the values differ: the comparison catches it",
                         fabs(wrong_h - k.h_1) > 1e-3);
    tg_steps_say("  Finite differences check the derivative of whatever function was written;\n"
                 "  only a value computed another way (by hand, or the other path: the fused\n"
                 "  op is held to the reference one in tests/test_lstm.c) checks the function.");
    tg_tensor_free(win[0]);
    tg_layer_free(lstm);

    tg_tensor_free(x);
    tg_tensor_free(h0);
    tg_tensor_free(c0);
    tg_tensor_free(x2);
    tg_tensor_free(h2);
    tg_tensor_free(c2);
    return tg_steps_finish(&s);
}
