/* Tutorial 3: the convolution of the document (section 3.3.2), corrected.
 *
 * The document writes y_ij = sum_k sum_l W_ijkl x_kl + b_i, with indices that
 * do not describe a convolution: every output reads the same fixed K x L
 * patch x_kl with weights of its own, a fully connected layer from one
 * patch (docs/errata.md). The formula computed here, channels-last with
 * stride s and no padding, is
 *
 *     y[n, i, j, o] = b[o] + sum_k sum_l sum_c W[k, l, c, o] x[n, i s + k, j s + l, c]
 *
 * A 1-D and a 2-D example small enough to print, the double sum evaluated
 * term by term for one output element, the gradients w.r.t. the kernel and
 * the input derived by hand (both are correlations themselves) next to the
 * tape's for both paths, and the numerical check. docs/tutorial-03-conv.md
 * is the page that goes with it. */
#include "tapegrad.h"
#include "tutorials/steps.h"

/* L = sum(G (.) conv(x, W, b)): a fixed G makes dL/dy = G, any pattern we like. */
typedef struct {
    tg_tensor *G;
    int fused;
} conv_ctx;

static tg_tensor *conv2d_loss(tg_tape *tape, tg_tensor *const *in, void *vctx)
{
    conv_ctx *c = vctx;
    const int strides[2] = {1, 1};
    tg_tensor *y = c->fused ? tg_conv2d_fused(tape, in[0], in[1], in[2], strides, TG_VALID)
                            : tg_conv2d_reference(tape, in[0], in[1], in[2], strides, TG_VALID);
    return tg_sum(tape, tg_mul(tape, y, c->G));
}

static tg_tensor *conv1d_loss(tg_tape *tape, tg_tensor *const *in, void *vctx)
{
    conv_ctx *c = vctx;
    tg_tensor *y = c->fused ? tg_conv1d_fused(tape, in[0], in[1], in[2], 1, TG_VALID)
                            : tg_conv1d_reference(tape, in[0], in[1], in[2], 1, TG_VALID);
    return tg_sum(tape, tg_mul(tape, y, c->G));
}

/* Stride 2 and 'same' padding, for the last check. */
static tg_tensor *conv2d_same_loss(tg_tape *tape, tg_tensor *const *in, void *vctx)
{
    conv_ctx *c = vctx;
    const int strides[2] = {2, 2};
    tg_tensor *y = c->fused ? tg_conv2d_fused(tape, in[0], in[1], in[2], strides, TG_SAME)
                            : tg_conv2d_reference(tape, in[0], in[1], in[2], strides, TG_SAME);
    return tg_sum(tape, y);
}

/* Runs L on a fresh tape and leaves the gradients in the inputs. */
static void tape_gradients(tg_gradcheck_fn f, conv_ctx *c, tg_tensor *const *in, int n)
{
    for (int k = 0; k < n; k++) {
        tg_tensor_requires_grad(in[k]);
        tg_tensor_zero_grad(in[k]);
    }
    tg_tape *tape = tg_tape_new();
    tg_tape_backward(tape, f(tape, in, c));
    tg_tape_free(tape);
}

int main(int argc, char **argv)
{
    tg_steps s;
    tg_steps_start(&s, argc, argv, "Tutorial 3: the convolution of the document, section 3.3.2");

    /* ---- 1-D: a sequence of T = 6 steps, one channel in, one out, k = 3 ---- */
    enum { T = 6, K = 3, T_OUT = T - K + 1 };
    tg_tensor *x1 = tg_tensor_from(TG_SHAPE(1, T, 1), (const tg_real[]){1, 2, 0, -1, 3, 1});
    tg_tensor *W1 = tg_tensor_from(TG_SHAPE(K, 1, 1), (const tg_real[]){0.5, -1, 0.25});
    tg_tensor *b1 = tg_tensor_from(TG_SHAPE(1), (const tg_real[]){0.1});
    x1->name = "x";
    W1->name = "W";
    b1->name = "b";

    tg_steps_step(&s, "Conv1D: slide the kernel along the sequence",
                  "y[t] = b + sum_{k=0}^{K-1} W[k] x[t + k]     (valid: T_out = T - K + 1)");
    tg_tensor *x1v = tg_tensor_from(TG_SHAPE(T), x1->data);
    tg_tensor *W1v = tg_tensor_from(TG_SHAPE(K), W1->data);
    tg_steps_tensor("x", x1v);
    tg_steps_tensor("W", W1v);
    tg_steps_tensor("b", b1);
    tg_tape *tape = tg_tape_new();
    tg_tensor *y1 = tg_conv1d_fused(tape, x1, W1, b1, 1, TG_VALID);
    tg_tensor *y1v = tg_tensor_from(TG_SHAPE(T_OUT), y1->data);
    tg_steps_tensor("y", y1v);
    tg_steps_say("y[2], term by term:");
    double y2 = b1->data[0];
    printf("    y[2] = b");
    for (int k = 0; k < K; k++)
        printf(" + W[%d] x[%d]", k, 2 + k);
    printf("\n         = %.2f", b1->data[0]);
    for (int k = 0; k < K; k++) {
        printf(" + (%.2f)(%.2f)", W1->data[k], x1->data[2 + k]);
        y2 += W1->data[k] * x1->data[2 + k];
    }
    printf("\n");
    tg_steps_expect(&s, "y[2]", y1->data[2], y2, TG_STEPS_TOL);
    tg_steps_say("No flip of the kernel: this is a cross-correlation, as in Keras and PyTorch.");

    /* ---- 2-D: a 4x4 image, one channel in, 2x2 kernel to two channels out ---- */
    enum { HH = 4, WW = 4, KH = 2, KW = 2, CO = 2, HO = HH - KH + 1, WO = WW - KW + 1 };
    tg_tensor *x2 = tg_tensor_from(TG_SHAPE(1, HH, WW, 1),
                                   (const tg_real[]){1, 0, 2, 1, 0, 1, 3, 0, 2, 1, 0, 1, 1, 3, 1, 2});
    /* W[k][l][0][o]: output channel 0 sees a diagonal edge, 1 an average. */
    tg_tensor *W2 = tg_tensor_from(TG_SHAPE(KH, KW, 1, CO),
                                   (const tg_real[]){1, 0.25, 0, 0.25, 0, 0.25, -1, 0.25});
    tg_tensor *b2 = tg_tensor_from(TG_SHAPE(CO), (const tg_real[]){0, 0.5});
    x2->name = "x";
    W2->name = "W";
    b2->name = "b";

    tg_steps_step(&s, "Conv2D, channels last: the corrected formula",
                  "y[i, j, o] = b[o] + sum_{k=0}^{KH-1} sum_{l=0}^{KW-1} sum_c W[k, l, c, o] "
                  "x[i + k, j + l, c]");
    const int one[2] = {1, 1};
    tg_tensor *y2d = tg_conv2d_fused(tape, x2, W2, b2, one, TG_VALID);
    tg_steps_say("x (one channel, 4 x 4):");
    tg_tensor *x2v = tg_tensor_from(TG_SHAPE(HH, WW), x2->data);
    tg_steps_tensor("x", x2v);
    tg_steps_say("The kernel for each output channel o, as a KH x KW matrix:");
    for (int o = 0; o < CO; o++) {
        tg_real w[KH * KW];
        for (int k = 0; k < KH * KW; k++)
            w[k] = W2->data[k * CO + o];
        char label[32];
        snprintf(label, sizeof label, "W[:,:,0,%d]", o);
        tg_steps_values(label, w, TG_SHAPE(KH, KW));
    }
    tg_steps_tensor("b", b2);
    tg_steps_say("y, one 3 x 3 map per output channel:");
    for (int o = 0; o < CO; o++) {
        tg_real m[HO * WO];
        for (int k = 0; k < HO * WO; k++)
            m[k] = y2d->data[k * CO + o];
        char label[32];
        snprintf(label, sizeof label, "y[:,:,%d]", o);
        tg_steps_values(label, m, TG_SHAPE(HO, WO));
    }

    tg_steps_step(&s, "The double sum for one output element, term by term",
                  "y[1, 2, 0] = b[0] + sum_k sum_l W[k, l, 0, 0] x[1 + k, 2 + l, 0]");
    double acc = b2->data[0];
    printf("    b[0]%30s = %9.4f\n", "", b2->data[0]);
    for (int k = 0; k < KH; k++)
        for (int l = 0; l < KW; l++) {
            double w = TG_AT(W2, k, l, 0, 0), xv = TG_AT(x2, 0, 1 + k, 2 + l, 0);
            acc += w * xv;
            printf("  + W[%d,%d,0,0] x[%d,%d,0] = (%5.2f)(%5.2f)    = %9.4f\n", k, l, 1 + k, 2 + l,
                   w, xv, w * xv);
        }
    printf("  %38s= %9.4f\n", "", acc);
    tg_steps_expect(&s, "y[1,2,0]", TG_AT(y2d, 0, 1, 2, 0), acc, TG_STEPS_TOL);
    tg_steps_say("The document's W_ijkl x_kl reads the same fixed K x L patch x_kl for every output\n"
                 "(i, j), with weights of its own for each: a fully connected layer from one patch,\n"
                 "neither a convolution (its window moves, its kernel is shared, as here) nor a\n"
                 "locally connected layer (its window moves too).");

    tg_steps_step(&s, "The gradients are correlations too (L = sum(G (.) y), so dL/dy = G)",
                  "dL/db[o]      = sum_{i,j} G[i, j, o]\n"
                  "dL/dW[k,l,c,o] = sum_{i,j} G[i, j, o] x[i + k, j + l, c]     (x correlated with G)\n"
                  "dL/dx[p,q,c]  = sum_{k,l,o} G[p - k, q - l, o] W[k, l, c, o] (G zero-padded,\n"
                  "                correlated with the kernel flipped: a 'full' convolution)");
    tg_tensor *G = tg_tensor_new(y2d->shape);
    for (size_t k = 0; k < G->size; k++)
        G->data[k] = (tg_real)((double)((k * 7) % 5) - 2) / 2;
    tg_real dW[KH * KW * CO] = {0}, dx[HH * WW] = {0}, db[CO] = {0};
    for (int i = 0; i < HO; i++)
        for (int j = 0; j < WO; j++)
            for (int o = 0; o < CO; o++) {
                const double g = TG_AT(G, 0, i, j, o);
                db[o] += g;
                for (int k = 0; k < KH; k++)
                    for (int l = 0; l < KW; l++) {
                        dW[(k * KW + l) * CO + o] += g * TG_AT(x2, 0, i + k, j + l, 0);
                        dx[(i + k) * WW + (j + l)] += g * TG_AT(W2, k, l, 0, o);
                    }
            }
    for (int o = 0; o < CO; o++) {
        tg_real m[HO * WO];
        for (int k = 0; k < HO * WO; k++)
            m[k] = G->data[k * CO + o];
        char label[32];
        snprintf(label, sizeof label, "G[:,:,%d]", o);
        tg_steps_values(label, m, TG_SHAPE(HO, WO));
    }
    tg_steps_say("By hand, from the three sums above:");
    tg_steps_values("dL/db", db, TG_SHAPE(CO));
    tg_steps_values("dL/dW", dW, TG_SHAPE(KH, KW, CO));
    tg_steps_values("dL/dx", dx, TG_SHAPE(HH, WW));
    tg_steps_say("What the tape derived, through each path:");
    conv_ctx cc = {G, 0};
    tg_tensor *in2[] = {x2, W2, b2};
    for (int fused = 0; fused < 2; fused++) {
        cc.fused = fused;
        tape_gradients(conv2d_loss, &cc, in2, 3);
        char what[48];
        const char *path = fused ? "fused (im2col + GEMM)" : "reference";
        snprintf(what, sizeof what, "%s dL/db", path);
        tg_steps_expect_all(&s, what, b2->grad, db, CO);
        snprintf(what, sizeof what, "%s dL/dW", path);
        tg_steps_expect_all(&s, what, W2->grad, dW, KH * KW * CO);
        snprintf(what, sizeof what, "%s dL/dx", path);
        tg_steps_expect_all(&s, what, x2->grad, dx, HH * WW);
    }

    tg_steps_step(&s, "The numerical gradient of the 1-D example",
                  "L = sum(G (.) y),  dL/dx ~ (L(x + h) - L(x - h)) / (2h)");
    tg_tensor *G1 = tg_tensor_from(TG_SHAPE(1, T_OUT, 1), (const tg_real[]){1, -1, 0.5, 2});
    tg_steps_values("G", G1->data, TG_SHAPE(T_OUT));
    conv_ctx c1 = {G1, 0};
    tg_tensor *in1[] = {x1, W1, b1};
    tg_steps_gradients(&s, "conv1d (reference)", conv1d_loss, &c1, in1, 3);
    c1.fused = 1;
    tg_steps_gradcheck(&s, "conv1d (fused)", conv1d_loss, &c1, in1, 3);

    tg_steps_step(&s, "Stride 2 and 'same' padding, both paths, checked numerically",
                  "y[i, j, o] = b[o] + sum W[k, l, c, o] x[2i + k - p_top, 2j + l - p_left, c]  "
                  "(zeros outside)");
    for (int fused = 0; fused < 2; fused++) {
        cc.fused = fused;
        tg_steps_gradcheck(&s, fused ? "conv2d same/2 (fused)" : "conv2d same/2 (reference)",
                           conv2d_same_loss, &cc, in2, 3);
    }

    tg_tape_free(tape);
    tg_tensor *owned[] = {x1, W1, b1, x1v, W1v, y1v, x2, W2, b2, x2v, G, G1};
    for (size_t k = 0; k < sizeof owned / sizeof owned[0]; k++)
        tg_tensor_free(owned[k]);
    return tg_steps_finish(&s);
}
