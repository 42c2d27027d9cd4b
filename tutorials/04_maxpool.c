/* Tutorial 4: the max-pool of the document (section 3.3.2).
 *
 * The document writes y_i = max(y_i1, y_i2, ..., y_iS): each output is the
 * largest of the S elements of its window. Here: a 1-D and a 2-D example,
 * the window maxima, where the gradient goes (only to the winner of each
 * window), and what a tie does (the first maximum in window order takes it
 * all, in both paths, and the numerical check skips the kink).
 * docs/tutorial-04-maxpool.md is the page that goes with it. */
#include "tapegrad.h"
#include "tutorials/steps.h"

/* L = sum(G (.) maxpool(x)), pool 2x2, stride 2. */
typedef struct {
    tg_tensor *G;
    int fused;
} pool_ctx;

static tg_tensor *pool2d_loss(tg_tape *tape, tg_tensor *const *in, void *vctx)
{
    pool_ctx *c = vctx;
    const int pool[2] = {2, 2}, strides[2] = {2, 2};
    tg_tensor *y = c->fused ? tg_maxpool2d_fused(tape, in[0], pool, strides, TG_VALID)
                            : tg_maxpool2d_reference(tape, in[0], pool, strides, TG_VALID);
    return tg_sum(tape, tg_mul(tape, y, c->G));
}

static tg_tensor *pool1d_loss(tg_tape *tape, tg_tensor *const *in, void *vctx)
{
    pool_ctx *c = vctx;
    tg_tensor *y = c->fused ? tg_maxpool1d_fused(tape, in[0], 2, 2, TG_VALID)
                            : tg_maxpool1d_reference(tape, in[0], 2, 2, TG_VALID);
    return tg_sum(tape, tg_mul(tape, y, c->G));
}

/* dL/dx by hand: each window's G goes to its first maximum (row-major). */
static void route_by_hand(const tg_tensor *x, const tg_tensor *G, tg_real *dx, int H, int W)
{
    memset(dx, 0, (size_t)H * (size_t)W * sizeof *dx);
    for (int i = 0; i < H / 2; i++)
        for (int j = 0; j < W / 2; j++) {
            int best_k = 0, best_l = 0;
            for (int k = 0; k < 2; k++)
                for (int l = 0; l < 2; l++)
                    if (TG_AT(x, 0, 2 * i + k, 2 * j + l, 0) >
                        TG_AT(x, 0, 2 * i + best_k, 2 * j + best_l, 0)) {
                        best_k = k;
                        best_l = l;
                    }
            dx[(2 * i + best_k) * W + 2 * j + best_l] += TG_AT(G, 0, i, j, 0);
        }
}

static void gradient_of(pool_ctx *c, tg_tensor *x)
{
    tg_tensor_requires_grad(x);
    tg_tensor_zero_grad(x);
    tg_tape *tape = tg_tape_new();
    tg_tape_backward(tape, pool2d_loss(tape, &x, c));
    tg_tape_free(tape);
}

int main(int argc, char **argv)
{
    tg_steps s;
    tg_steps_start(&s, argc, argv, "Tutorial 4: the max-pool of the document, section 3.3.2");

    tg_steps_step(&s, "MaxPooling1D, pool 2, stride 2",
                  "y[t] = max(x[2t], x[2t + 1])      (the document: y_i = max(y_i1, ..., y_iS), S = 2)");
    tg_tensor *x1 = tg_tensor_from(TG_SHAPE(1, 6, 1), (const tg_real[]){0.3, -1.2, 2.5, 0.7, -0.4, -0.1});
    x1->name = "x";
    tg_tape *tape = tg_tape_new();
    tg_tensor *y1 = tg_maxpool1d_fused(tape, x1, 2, 2, TG_VALID);
    tg_steps_tensor("x", x1);
    tg_steps_tensor("y", y1);
    for (int t = 0; t < 3; t++) {
        char what[48];
        snprintf(what, sizeof what, "y[%d] = max(%.1f, %.1f)", t, x1->data[2 * t], x1->data[2 * t + 1]);
        tg_steps_expect(&s, what, y1->data[t], fmax(x1->data[2 * t], x1->data[2 * t + 1]),
                        TG_STEPS_TOL);
    }

    tg_steps_step(&s, "Where the gradient goes",
                  "dL/dx[p] = dL/dy[t]  if p is the position of the max of window t, else 0");
    tg_tensor *G1 = tg_tensor_from(TG_SHAPE(1, 3, 1), (const tg_real[]){1, 2, 3});
    tg_steps_tensor("G = dL/dy", G1);
    pool_ctx c1 = {G1, 0};
    tg_steps_gradients(&s, "maxpool1d (reference)", pool1d_loss, &c1, &x1, 1);
    c1.fused = 1;
    tg_steps_gradcheck(&s, "maxpool1d (fused)", pool1d_loss, &c1, &x1, 1);
    tg_steps_say("Each window passes its gradient to one element; the losers get exactly 0.");

    tg_steps_step(&s, "MaxPooling2D, pool 2x2, stride 2, channels last",
                  "y[i, j, c] = max_{k<2, l<2} x[2i + k, 2j + l, c]");
    enum { H = 4, W = 4 };
    tg_tensor *x2 = tg_tensor_from(TG_SHAPE(1, H, W, 1),
                                   (const tg_real[]){1, 5, 2, 0, 3, 2, 1, 4, 0, 1, 6, 2, 7, 2, 3, 5});
    x2->name = "x";
    const int pool[2] = {2, 2}, strides[2] = {2, 2};
    tg_tensor *y2 = tg_maxpool2d_fused(tape, x2, pool, strides, TG_VALID);
    tg_steps_tensor("x", x2);
    tg_steps_tensor("y", y2);
    tg_steps_say("Window (0, 0) holds 1 5 / 3 2: its maximum is 5, at x[0, 1].");

    tg_steps_step(&s, "The gradient routed by hand vs the tape, both paths",
                  "dL/dx = G placed at each window's argmax, 0 elsewhere");
    tg_tensor *G2 = tg_tensor_from(TG_SHAPE(1, 2, 2, 1), (const tg_real[]){0.5, -1, 2, 1.5});
    tg_steps_tensor("G", G2);
    tg_real dx[H * W];
    route_by_hand(x2, G2, dx, H, W);
    tg_steps_values("by hand", dx, TG_SHAPE(H, W));
    pool_ctx c2 = {G2, 0};
    for (int fused = 0; fused < 2; fused++) {
        c2.fused = fused;
        gradient_of(&c2, x2);
        tg_steps_expect_all(&s, fused ? "fused dL/dx" : "reference dL/dx", x2->grad, dx,
                            H * W);
    }
    c2.fused = 0;
    tg_steps_gradcheck(&s, "maxpool2d (reference)", pool2d_loss, &c2, &x2, 1);
    c2.fused = 1;
    tg_steps_gradcheck(&s, "maxpool2d (fused)", pool2d_loss, &c2, &x2, 1);

    tg_steps_step(&s, "Ties: two elements share the maximum",
                  "y = max(a, b) with a = b: the derivative does not exist (a kink);\n"
                  "tapegrad gives it all to the FIRST in window order (row-major). TensorFlow and\n"
                  "PyTorch document no rule; their CPU kernels happen to keep the first as well");
    tg_tensor *xt = tg_tensor_from(TG_SHAPE(1, H, W, 1),
                                   (const tg_real[]){4, 4, 2, 0, 1, 2, 1, 2, 0, 1, 6, 2, 3, 3, 6, 5});
    xt->name = "x";
    tg_steps_tensor("x", xt);
    tg_steps_say("Window (0, 0): 4 4 / 1 2 -- a tie at x[0, 0] and x[0, 1].\n"
                 "Window (0, 1): 2 0 / 1 2 -- a tie at x[0, 2] and x[1, 3].\n"
                 "Window (1, 0): 0 1 / 3 3 -- a tie at x[3, 0] and x[3, 1].\n"
                 "Window (1, 1): 6 2 / 6 5 -- a tie at x[2, 2] and x[3, 2].");
    route_by_hand(xt, G2, dx, H, W);
    tg_steps_values("by hand", dx, TG_SHAPE(H, W));
    for (int fused = 0; fused < 2; fused++) {
        c2.fused = fused;
        gradient_of(&c2, xt);
        tg_steps_grad(fused ? "fused" : "reference", xt);
        tg_steps_expect_all(&s, fused ? "fused dL/dx (ties)" : "reference dL/dx (ties)",
                            xt->grad, dx, H * W);
    }
    tg_steps_say("The sum of each window's gradient is still G: nothing is lost or doubled.\n"
                 "Numerically, nudging a tied element up moves y, nudging it down does not:\n"
                 "gradcheck sees the kink and skips those elements, and says so.");
    c2.fused = 0;
    tg_steps_gradcheck(&s, "maxpool2d ties (reference)", pool2d_loss, &c2, &xt, 1);
    c2.fused = 1;
    tg_steps_gradcheck(&s, "maxpool2d ties (fused)", pool2d_loss, &c2, &xt, 1);

    tg_tape_free(tape);
    tg_tensor *owned[] = {x1, G1, x2, G2, xt};
    for (size_t k = 0; k < sizeof owned / sizeof owned[0]; k++)
        tg_tensor_free(owned[k]);
    return tg_steps_finish(&s);
}
