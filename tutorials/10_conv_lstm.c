/* Tutorial 10: the ConvLSTM, the document's LSTM (section 3.3.1) with every
 * matrix product replaced by a convolution (Shi et al. 2015).
 *
 *     i_t = sigma(W_xi * x_t + W_hi * h_{t-1} + W_ci (.) c_{t-1} + b_i)   ... and f, ~c, o
 *
 * Two frames of 3 x 3 pixels, one channel, one filter, 3 x 3 kernels with
 * 'same' padding: small enough to print every map. The six equations are
 * evaluated by hand for one pixel, term by term, and in plain loops for
 * every pixel; the layer's output is held against them on both paths; the
 * gradients the tape derives are checked by finite differences; and the
 * size of a full peephole says why the peepholes are Hadamard products
 * here. docs/tutorial-10-conv-lstm.md is the page that goes with it. */
#include "tapegrad.h"
#include "tutorials/steps.h"

enum { T = 2, S = 3, K = 3, G = 4, P = S * S };

static const char gate_names[G] = {'i', 'f', 'c', 'o'};

static double sig(double z)
{
    return 1 / (1 + exp(-z));
}

/* The layer's kernels, one filter: W[k, l, 0, g] for gate g. */
static double kern(const tg_tensor *W, int k, int l, int g)
{
    return W->data[(k * K + l) * G + g];
}

/* (W_g * m)[r, q]: gate g's 3 x 3 kernel over the 3 x 3 map m, 'same'
 * (one pixel of zeros around), the project's cross-correlation. */
static double conv_at(const tg_tensor *W, int g, const double *m, int r, int q)
{
    double s = 0;
    for (int k = 0; k < K; k++)
        for (int l = 0; l < K; l++) {
            const int rr = r + k - 1, qq = q + l - 1;
            if (rr >= 0 && rr < S && qq >= 0 && qq < S)
                s += kern(W, k, l, g) * m[rr * S + qq];
        }
    return s;
}

/* The six equations in plain loops over the pixels: h[t][p], c[t][p]. */
static void by_hand(const tg_layer *cl, const tg_tensor *x, double h[T + 1][P], double c[T + 1][P])
{
    const tg_tensor *Wx = tg_layer_param(cl, "kernel"), *Wh = tg_layer_param(cl, "recurrent_kernel");
    const tg_tensor *b = tg_layer_param(cl, "bias");
    const tg_tensor *Wc[G] = {tg_layer_param(cl, "W_ci"), tg_layer_param(cl, "W_cf"),
                              tg_layer_param(cl, "W_cc"), tg_layer_param(cl, "W_co")};
    memset(h[0], 0, sizeof h[0]);
    memset(c[0], 0, sizeof c[0]);
    for (int t = 0; t < T; t++) {
        double xt[P];
        for (int p = 0; p < P; p++)
            xt[p] = x->data[t * P + p];
        for (int p = 0; p < P; p++) {
            const int r = p / S, q = p % S;
            double z[G];
            for (int g = 0; g < G; g++)
                z[g] = conv_at(Wx, g, xt, r, q) + conv_at(Wh, g, h[t], r, q) + b->data[g];
            const double i = sig(z[0] + Wc[0]->data[p] * c[t][p]);
            const double f = sig(z[1] + Wc[1]->data[p] * c[t][p]);
            const double c_tilde = tanh(z[2] + Wc[2]->data[p] * c[t][p]);
            c[t + 1][p] = f * c[t][p] + i * c_tilde;
            const double o = sig(z[3] + Wc[3]->data[p] * c[t + 1][p]);
            h[t + 1][p] = o * tanh(c[t + 1][p]);
        }
    }
}

/* L = sum(Gw (.) h_1..h_T), a fixed Gw: any pattern of dL/dh we like. */
typedef struct {
    tg_layer *cl;
    tg_tensor *Gw;
} loss_ctx;

static tg_tensor *conv_lstm_loss(tg_tape *tape, tg_tensor *const *in, void *vctx)
{
    loss_ctx *c = vctx;
    tg_tensor *y = tg_layer_forward(c->cl, tape, in[0], 1);
    return tg_sum(tape, tg_mul(tape, y, c->Gw));
}

static tg_layer *make_layer(tg_path path)
{
    tg_rng rng;
    tg_rng_seed(&rng, 10);
    tg_layer *cl = tg_conv_lstm2d((tg_conv_lstm2d_opts){
        .filters = 1, .kernel = {K, K}, .padding = TG_SAME, .return_sequences = 1});
    tg_layer_build(cl, TG_SHAPE(T, S, S, 1), &rng);
    /* Drawn weights, and peepholes away from their initial zeros so that
     * every term of the equations shows. */
    for (int k = 0; k < cl->n_params; k++)
        tg_init_uniform(cl->params[k], &rng, -0.6, 0.6);
    cl->path = path;
    return cl;
}

int main(int argc, char **argv)
{
    tg_steps s;
    tg_steps_start(&s, argc, argv, "Tutorial 10: the ConvLSTM, section 3.3.1 with convolutions");

    tg_steps_step(&s, "The document's equations, and the ConvLSTM's",
                  "LSTM (3.3.1)                                    ConvLSTM (Shi et al. 2015)\n"
                  "i_t  = sigma(W_xi x_t + W_hi h_{t-1} + W_ci c_{t-1} + b_i)    "
                  "sigma(W_xi * x_t + W_hi * h_{t-1} + W_ci (.) c_{t-1} + b_i)\n"
                  "f_t  = sigma(W_xf x_t + W_hf h_{t-1} + W_cf c_{t-1} + b_f)    "
                  "sigma(W_xf * x_t + W_hf * h_{t-1} + W_cf (.) c_{t-1} + b_f)\n"
                  "~c_t = tanh(W_xc x_t + W_hc h_{t-1} + W_cc c_{t-1} + b_c)     "
                  "tanh(W_xc * x_t + W_hc * h_{t-1} + W_cc (.) c_{t-1} + b_c)\n"
                  "c_t  = f_t (.) c_{t-1} + i_t (.) ~c_t                         (the same)\n"
                  "o_t  = sigma(W_xo x_t + W_ho h_{t-1} + W_co c_t + b_o)        "
                  "sigma(W_xo * x_t + W_ho * h_{t-1} + W_co (.) c_t + b_o)\n"
                  "h_t  = o_t (.) tanh(c_t)                                     (the same)");
    tg_steps_say("Term by term: a matrix times a vector becomes a kernel slid over a map.\n"
                 "  W_xi x_t     (D, H) matrix, x_t a vector     ->  W_xi * x_t     (kh, kw, C, F) "
                 "kernel, x_t a frame (H, W, C)\n"
                 "  W_hi h_{t-1} (H, H) matrix                   ->  W_hi * h_{t-1} (kh, kw, F, F) "
                 "kernel, 'same', stride 1\n"
                 "  W_ci c_{t-1} a vector (H), elementwise       ->  W_ci (.) c_{t-1}, a weight per "
                 "pixel and filter (H', W', F)\n"
                 "  b_i          (H)                             ->  b_i (F), added at every pixel");

    tg_layer *cl = make_layer(TG_PATH_REFERENCE);
    tg_rng rng;
    tg_rng_seed(&rng, 11);
    tg_tensor *x = tg_tensor_uniform(TG_SHAPE(1, T, S, S, 1), &rng, -1, 1);
    x->name = "x";

    tg_steps_step(&s, "Two frames, 3 x 3 pixels, one channel; one filter, 3 x 3 kernels, 'same'",
                  "kernel (3, 3, 1, 4) = [W_xi W_xf W_xc W_xo], recurrent_kernel (3, 3, 1, 4), "
                  "bias (4), W_ci W_cf W_cc W_co (3, 3, 1)");
    for (int t = 0; t < T; t++) {
        char label[16];
        snprintf(label, sizeof label, "x_%d", t + 1);
        tg_steps_values(label, x->data + t * P, TG_SHAPE(S, S));
    }
    const tg_tensor *Wx = tg_layer_param(cl, "kernel"), *Wh = tg_layer_param(cl, "recurrent_kernel");
    for (int g = 0; g < G; g++) {
        tg_real w[K * K];
        for (int k = 0; k < K * K; k++)
            w[k] = Wx->data[k * G + g];
        char label[16];
        snprintf(label, sizeof label, "W_x%c", gate_names[g]);
        tg_steps_values(label, w, TG_SHAPE(K, K));
    }
    tg_steps_tensor("bias", tg_layer_param(cl, "bias"));
    tg_steps_values("W_ci", tg_layer_param(cl, "W_ci")->data, TG_SHAPE(S, S));

    double h[T + 1][P], c[T + 1][P];
    by_hand(cl, x, h, c);

    tg_steps_step(&s, "Step t = 1 at the centre pixel (1, 1), term by term (h_0 = c_0 = 0)",
                  "(W_xi * x_1)[1, 1] = sum_{k,l} W_xi[k, l] x_1[k, l]   (the 3 x 3 window centred there)");
    const int r0 = 1, q0 = 1, p0 = r0 * S + q0;
    double sum = 0;
    for (int k = 0; k < K; k++) {
        printf("   ");
        for (int l = 0; l < K; l++) {
            const double w = kern(Wx, k, l, 0), xv = x->data[k * S + l];
            sum += w * xv;
            printf(" %s(%6.3f)(%6.3f)", k + l ? "+ " : "  ", w, xv);
        }
        printf("\n");
    }
    printf("    = %.6f\n", sum);
    double xt[P];
    for (int p = 0; p < P; p++)
        xt[p] = x->data[p];
    tg_steps_expect(&s, "(W_xi * x_1)[1, 1]", sum, conv_at(Wx, 0, xt, r0, q0), TG_STEPS_TOL);
    tg_steps_say("With h_0 = c_0 = 0 the recurrent and peephole terms are 0 at t = 1:");
    const tg_tensor *b = tg_layer_param(cl, "bias");
    const double z_i = sum + b->data[0];
    const double z_f = conv_at(Wx, 1, xt, r0, q0) + b->data[1];
    const double z_c = conv_at(Wx, 2, xt, r0, q0) + b->data[2];
    const double i1 = sig(z_i), f1 = sig(z_f), c_tilde1 = tanh(z_c);
    const double c1 = f1 * 0 + i1 * c_tilde1;
    const double W_co = tg_layer_param(cl, "W_co")->data[p0];
    const double o1 = sig(conv_at(Wx, 3, xt, r0, q0) + W_co * c1 + b->data[3]);
    const double h1 = o1 * tanh(c1);
    printf("    i_1 = sigma(%.6f) = %.6f\n", z_i, i1);
    printf("    f_1 = sigma(%.6f) = %.6f\n", z_f, f1);
    printf("   ~c_1 = tanh(%.6f)  = %.6f\n", z_c, c_tilde1);
    printf("    c_1 = f_1 (0) + i_1 ~c_1 = %.6f\n", c1);
    printf("    o_1 = sigma(W_xo * x_1 + W_co c_1 + b_o) = %.6f   (the new c_1: W_co = %.6f)\n", o1,
           W_co);
    printf("    h_1 = o_1 tanh(c_1) = %.6f\n", h1);

    tg_tape *tape = tg_tape_new();
    tg_tensor *y = tg_layer_forward(cl, tape, x, 1);
    tg_steps_expect(&s, "the layer's h_1[1, 1]", y->data[p0], h1, TG_STEPS_TOL);

    tg_steps_step(&s, "Step t = 2: now h_1 and c_1 are maps, and every term is there",
                  "i_2 = sigma(W_xi * x_2 + W_hi * h_1 + W_ci (.) c_1 + b_i)");
    tg_steps_values("h_1", h[1], TG_SHAPE(S, S));
    tg_steps_values("c_1", c[1], TG_SHAPE(S, S));
    double x2[P];
    for (int p = 0; p < P; p++)
        x2[p] = x->data[P + p];
    const double W_ci = tg_layer_param(cl, "W_ci")->data[p0];
    printf("  at (1, 1): W_xi * x_2 = %.6f, W_hi * h_1 = %.6f (the 3 x 3 window of h_1),\n"
           "             W_ci (.) c_1 = (%.6f)(%.6f) = %.6f, b_i = %.6f\n",
           conv_at(Wx, 0, x2, r0, q0), conv_at(Wh, 0, h[1], r0, q0), W_ci, c[1][p0],
           W_ci * c[1][p0], b->data[0]);
    tg_steps_say("The six equations in plain loops over all 9 pixels, against the layer:");
    tg_steps_values("h_2 by hand", h[2], TG_SHAPE(S, S));
    tg_steps_values("h_2 layer", y->data + P, TG_SHAPE(S, S));
    tg_real want[T * P];
    for (int t = 0; t < T; t++)
        for (int p = 0; p < P; p++)
            want[t * P + p] = (tg_real)h[t + 1][p];
    tg_steps_expect_all(&s, "reference path h_1, h_2", y->data, want, T * P);
    tg_tape_free(tape);

    tg_layer *fused = make_layer(TG_PATH_FUSED);
    tape = tg_tape_new();
    y = tg_layer_forward(fused, tape, x, 1);
    tg_steps_expect_all(&s, "fused path h_1, h_2", y->data, want, T * P);
    tg_tape_free(tape);

    tg_steps_step(&s, "The gradients the tape derives, checked by finite differences",
                  "L = sum(G (.) [h_1, h_2]),   dL/dx ~ (L(x + h) - L(x - h)) / (2h)");
    tg_tensor *Gw = tg_tensor_uniform(TG_SHAPE(1, T, S, S, 1), &rng, -1, 1);
    loss_ctx lc = {cl, Gw};
    tg_tensor *in[1 + TG_LAYER_MAX_PARAMS] = {x};
    for (int k = 0; k < cl->n_params; k++)
        in[1 + k] = cl->params[k];
    tg_steps_gradients(&s, "dL/dx (reference)", conv_lstm_loss, &lc, in, 1);
    tg_steps_say("Every parameter too (BPTT through both steps and both convolutions):");
    tg_steps_gradcheck(&s, "x + all params (reference)", conv_lstm_loss, &lc, in,
                       1 + cl->n_params);
    loss_ctx lf = {fused, Gw};
    tg_tensor *in_f[1 + TG_LAYER_MAX_PARAMS] = {x};
    for (int k = 0; k < fused->n_params; k++)
        in_f[1 + k] = fused->params[k];
    tg_steps_gradcheck(&s, "x + all params (fused)", conv_lstm_loss, &lf, in_f,
                       1 + fused->n_params);

    tg_steps_step(&s, "Why the peepholes are Hadamard products here",
                  "W_ci (.) c_{t-1}: one weight per element of the state map (H', W', F)");
    const double map = 40.0 * 40.0 * 16.0;
    printf("  For a 40 x 40 state of 16 filters, per gate:\n"
           "    diagonal (Hadamard) peephole  H' W' F     = %12.0f weights\n"
           "    full peephole matrix          (H' W' F)^2 = %12.0f weights\n"
           "    the input kernel 3 x 3 x 1 x 16           = %12d weights\n",
           map, map * map, 3 * 3 * 16);
    tg_steps_say("A full matrix would let every pixel of c_{t-1} act on every pixel of the gates:\n"
                 "the layer would no longer be local, and a pattern shifted by a pixel would no "
                 "longer\ngive the same maps shifted (translation equivariance, what the kernels "
                 "give).\nThe Hadamard peephole keeps each pixel to its own state: local, though "
                 "its weights,\none per pixel, are not shared across positions as a kernel's are "
                 "(Shi et al.'s choice).\ntg_conv_lstm2d refuses TG_PEEPHOLE_FULL; "
                 "TG_PEEPHOLE_NONE is Keras's ConvLSTM2D, the\ndefault TG_PEEPHOLE_DIAGONAL the "
                 "document's equations (no_candidate_peephole = 1: Shi et al.'s).");

    tg_tensor_free(Gw);
    tg_tensor_free(x);
    tg_layer_free(cl);
    tg_layer_free(fused);
    return tg_steps_finish(&s);
}
