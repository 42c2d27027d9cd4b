/* Tutorial 8: the GRU as Keras computes it, and the Bidirectional wrapper.
 *
 * One GRU step with D = 2 inputs and H = 2 units, each of Keras's four
 * equations evaluated with its concrete numbers from the packed weights
 * (kernel, recurrent_kernel, bias with its two rows); the library's GRU
 * (both paths) held against them; the backward pass of the step by hand
 * and every parameter's gradient from the tape next to the numerical one;
 * the variant with the reset gate before the product. Then Bidirectional:
 * the forward copy reads x_1 x_2 x_3, the backward copy x_3 x_2 x_1, its
 * sequence is flipped back into time order and the two are merged; without
 * return_sequences the backward copy gives its state after reading the
 * whole reversed sequence. docs/tutorial-08-gru-bidirectional.md derives
 * every gradient printed here.
 *
 * The equations are written out here a second time on purpose: this file
 * is the by-hand side of the comparison, and step 6 checks that
 * layers/gru_reference.c and layers/gru_fused.c compute the same. */
#include "tapegrad.h"
#include "tutorials/steps.h"

enum { D = 2, H = 2, G = 3 * H };

/* A built GRU for (T, D) with every parameter drawn U(-0.5, 0.5) from one
 * seed (Keras would start the bias at zero, which would hide it). */
static tg_layer *make_gru(tg_gru_opts o, int T, uint64_t seed)
{
    tg_layer *l = tg_gru(o);
    tg_rng rng;
    tg_rng_seed(&rng, 7);
    tg_layer_build(l, TG_SHAPE(T, D), &rng);
    tg_rng_seed(&rng, seed);
    for (int k = 0; k < l->n_params; k++)
        tg_init_uniform(l->params[k], &rng, -0.5, 0.5);
    return l;
}

/* Gate block g of Keras's [z | r | h]: columns g H .. g H + H - 1 of a
 * packed (rows, 3H) matrix, a vector (H) when rows is 1 (a bias row). */
static tg_tensor *block(const tg_real *packed, int rows, int g)
{
    tg_tensor *b = tg_tensor_new(rows == 1 ? TG_SHAPE(H) : TG_SHAPE(rows, H));
    for (int r = 0; r < rows; r++)
        for (int j = 0; j < H; j++)
            b->data[r * H + j] = packed[(size_t)r * G + (size_t)(g * H + j)];
    return b;
}

/* One gate's argument, printed term by term, then its value:
 *     gate = sigma(x_t W + b + h_{t-1} U + br) */
static tg_tensor *gate(tg_tape *tape, const char *names[6], tg_tensor *x_t, tg_tensor *W,
                       tg_tensor *b, tg_tensor *h_prev, tg_tensor *U, tg_tensor *br)
{
    tg_tensor *xW = tg_matmul(tape, x_t, W);
    tg_tensor *hU = tg_matmul(tape, h_prev, U);
    tg_tensor *a = tg_add(tape, tg_add(tape, tg_add(tape, xW, b), hU), br);
    tg_tensor *g = tg_sigmoid(tape, a);
    tg_steps_tensor(names[0], xW);
    tg_steps_tensor(names[1], b);
    tg_steps_tensor(names[2], hU);
    tg_steps_tensor(names[3], br);
    tg_steps_tensor(names[4], a);
    tg_steps_tensor(names[5], g);
    return g;
}

/* L = sum(h_T) of the library's GRU; inputs x, h0, then the parameters. */
static tg_tensor *gru_loss(tg_tape *tape, tg_tensor *const *in, void *ctx)
{
    tg_tensor *h_T;
    tg_gru_run(ctx, tape, in[0], in[1], &h_T);
    return tg_sum(tape, h_T);
}

/* L = sum of the wrapper's output; inputs x, then the parameters. */
static tg_tensor *bidirectional_loss(tg_tape *tape, tg_tensor *const *in, void *ctx)
{
    return tg_sum(tape, tg_layer_forward(ctx, tape, in[0], 1));
}

static double sigma_prime(double s) { return s * (1 - s); }

/* Steps 2 to 8: one GRU step by hand, the library, the backward pass. */
static void gru_step(tg_steps *s, tg_tensor *x, tg_tensor *h0)
{
    tg_layer *gru = make_gru((tg_gru_opts){.units = H}, 1, 2024);
    tg_tensor *K = gru->params[0], *R = gru->params[1], *B = gru->params[2];
    tg_tensor *W_z = block(K->data, D, 0), *W_r = block(K->data, D, 1);
    tg_tensor *W_h = block(K->data, D, 2);
    tg_tensor *U_z = block(R->data, H, 0), *U_r = block(R->data, H, 1);
    tg_tensor *U_h = block(R->data, H, 2);
    tg_tensor *b_z = block(B->data, 1, 0), *b_r = block(B->data, 1, 1);
    tg_tensor *b_h = block(B->data, 1, 2);
    tg_tensor *br_z = block(B->data + G, 1, 0), *br_r = block(B->data + G, 1, 1);
    tg_tensor *br_h = block(B->data + G, 1, 2);
    tg_tensor *x_1 = tg_tensor_from(TG_SHAPE(1, D), x->data);
    tg_tape *tape = tg_tape_new();

    tg_steps_step(s, "Keras's GRU weights (D = 2 inputs, H = 2 units, reset_after = True)",
                  "kernel (D, 3H) = [W_z | W_r | W_h]   recurrent_kernel (H, 3H) = [U_z | U_r | "
                  "U_h]\nbias (2, 3H) = [[b_z | b_r | b_h], [br_z | br_r | br_h]]   (input row, "
                  "recurrent row)");
    tg_steps_say("Keras's gate order is z, r, h (PyTorch's is r, z, n). Rows are vectors:\n"
                 "x_t W_z is x_t @ W_z. The blocks are columns of the packed matrices:");
    tg_steps_tensor("kernel", K);
    tg_steps_tensor("recur_kernel", R);
    tg_steps_tensor("bias", B);
    tg_steps_tensor("x_1", x_1);
    tg_steps_tensor("h_0", h0);

    tg_steps_step(s, "The update gate", "z_t = sigma(x_t W_z + b_z + h_{t-1} U_z + br_z)");
    tg_tensor *z = gate(tape, (const char *[]){"x_1 W_z", "b_z", "h_0 U_z", "br_z", "sum", "z_1"},
                        x_1, W_z, b_z, h0, U_z, br_z);

    tg_steps_step(s, "The reset gate", "r_t = sigma(x_t W_r + b_r + h_{t-1} U_r + br_r)");
    tg_tensor *r = gate(tape, (const char *[]){"x_1 W_r", "b_r", "h_0 U_r", "br_r", "sum", "r_1"},
                        x_1, W_r, b_r, h0, U_r, br_r);

    tg_steps_step(s, "The candidate: the reset gate scales the recurrent part AFTER the product",
                  "~h_t = tanh(x_t W_h + b_h + r_t (.) (h_{t-1} U_h + br_h))");
    tg_tensor *xW = tg_matmul(tape, x_1, W_h);
    tg_tensor *q = tg_add(tape, tg_matmul(tape, h0, U_h), br_h);
    tg_tensor *rq = tg_mul(tape, r, q);
    tg_tensor *h_tilde = tg_tanh(tape, tg_add(tape, tg_add(tape, xW, b_h), rq));
    tg_steps_say("q_1 = h_0 U_h + br_h is the whole recurrent part; r_1 scales it:");
    tg_steps_tensor("x_1 W_h", xW);
    tg_steps_tensor("b_h", b_h);
    tg_steps_tensor("q_1", q);
    tg_steps_tensor("r_1 (.) q_1", rq);
    tg_steps_tensor("~h_1", h_tilde);

    tg_steps_step(s, "The new state: z keeps the old one (Keras's and PyTorch's convention)",
                  "h_t = z_t (.) h_{t-1} + (1 - z_t) (.) ~h_t");
    tg_tensor *kept = tg_mul(tape, z, h0);
    tg_tensor *one_minus_z = tg_add_scalar(tape, tg_neg(tape, z), 1);
    tg_tensor *written = tg_mul(tape, one_minus_z, h_tilde);
    tg_tensor *h_1 = tg_add(tape, kept, written);
    tg_steps_tensor("z_1 (.) h_0", kept);
    tg_steps_tensor("(1-z)(.)~h_1", written);
    tg_steps_tensor("h_1", h_1);

    tg_steps_step(s, "The library computes the same: tg_gru_run, both paths",
                  "layers/gru_reference.c (the equations as tape ops) and the fused op");
    for (int path = 0; path < 2; path++) {
        tg_tape *t2 = tg_tape_new();
        gru->path = path ? TG_PATH_FUSED : TG_PATH_REFERENCE;
        tg_tensor *lib = tg_gru_run(gru, t2, x, h0, NULL);
        for (int j = 0; j < H; j++) {
            char what[48];
            snprintf(what, sizeof what, "%s h_1[%d]", path ? "fused" : "reference", j);
            tg_steps_expect(s, what, lib->data[j], h_1->data[j], TG_STEPS_TOL);
        }
        tg_tape_free(t2);
    }
    gru->path = TG_PATH_REFERENCE;

    tg_steps_step(s, "Backward by hand for L = sum(h_1)",
                  "da_z = dL/dh (.) (h_{t-1} - ~h_t) (.) z (1 - z)      (dh_t/dz = h_{t-1} - ~h_t)\n"
                  "da_h = dL/dh (.) (1 - z) (.) (1 - ~h_t^2)\n"
                  "da_r = da_h (.) q_t (.) r (1 - r)                   (q_t = h_{t-1} U_h + br_h)\n"
                  "bias row 0 = [da_z | da_r | da_h]   row 1 = [da_z | da_r | da_h (.) r]\n"
                  "dL/dh_{t-1} = dL/dh (.) z + [da_z | da_r | da_h (.) r] [U_z | U_r | U_h]^T");
    tg_tensor *inputs[2 + 3] = {x, h0, K, R, B};
    for (int k = 0; k < 5; k++) {
        tg_tensor_requires_grad(inputs[k]);
        tg_tensor_zero_grad(inputs[k]);
    }
    tg_tape *t3 = tg_tape_new();
    tg_tape_backward(t3, gru_loss(t3, inputs, gru));
    for (int j = 0; j < H; j++) {
        const double zj = z->data[j], rj = r->data[j], hh = h_tilde->data[j];
        const double da_z = (h0->data[j] - hh) * sigma_prime(zj);
        const double da_h = (1 - zj) * (1 - hh * hh);
        const double da_r = da_h * q->data[j] * sigma_prime(rj);
        char what[48];
        snprintf(what, sizeof what, "dL/db_z[%d]", j);
        tg_steps_expect(s, what, B->grad[j], da_z, TG_STEPS_TOL);
        snprintf(what, sizeof what, "dL/db_r[%d]", j);
        tg_steps_expect(s, what, B->grad[H + j], da_r, TG_STEPS_TOL);
        snprintf(what, sizeof what, "dL/db_h[%d]", j);
        tg_steps_expect(s, what, B->grad[2 * H + j], da_h, TG_STEPS_TOL);
        snprintf(what, sizeof what, "dL/dbr_h[%d]", j);
        tg_steps_expect(s, what, B->grad[G + 2 * H + j], da_h * rj, TG_STEPS_TOL);
    }
    for (int i = 0; i < H; i++) {
        double dh0 = z->data[i];
        for (int j = 0; j < H; j++) {
            const double zj = z->data[j], rj = r->data[j], hh = h_tilde->data[j];
            const double da_z = (h0->data[j] - hh) * sigma_prime(zj);
            const double da_h = (1 - zj) * (1 - hh * hh);
            const double da_r = da_h * q->data[j] * sigma_prime(rj);
            dh0 += da_z * TG_AT(U_z, i, j) + da_r * TG_AT(U_r, i, j) + da_h * rj * TG_AT(U_h, i, j);
        }
        char what[48];
        snprintf(what, sizeof what, "dL/dh_0[%d]", i);
        tg_steps_expect(s, what, h0->grad[i], dh0, TG_STEPS_TOL);
    }
    tg_tape_free(t3);

    tg_steps_step(s, "Every parameter's gradient: tape vs numerical",
                  "L = sum(h_1);   dL/dW ~ (L(W + h) - L(W - h)) / (2h)");
    tg_steps_gradients(s, "gru one step", gru_loss, gru, inputs, 5);

    tg_tensor *blocks[] = {W_z, W_r, W_h, U_z, U_r, U_h, b_z, b_r, b_h, br_z, br_r, br_h, x_1};
    for (size_t k = 0; k < sizeof blocks / sizeof blocks[0]; k++)
        tg_tensor_free(blocks[k]);
    tg_tape_free(tape);
    tg_layer_free(gru);
}

/* Step 9: reset_after = False, and both variants over three steps. */
static void gru_variants(tg_steps *s, tg_tensor *h0)
{
    tg_steps_step(s, "reset_after = False: the reset gate scales h_{t-1} BEFORE the product",
                  "~h_t = tanh(x_t W_h + b_h + (r_t (.) h_{t-1}) U_h)   bias (3H), no br");
    const tg_real xs[] = {0.8, -0.4, 0.1, 0.9, -0.7, 0.2};
    tg_tensor *x3 = tg_tensor_from(TG_SHAPE(1, 3, D), xs);
    x3->name = "x";
    printf("  %-22s %7s  %-24s  %s\n", "variant (T = 3)", "params", "h_3",
           "gradcheck (ref, fused)");
    for (int before = 0; before < 2; before++) {
        tg_layer *gru = make_gru((tg_gru_opts){.units = H, .reset_before = before}, 3, 99);
        tg_tape *tape = tg_tape_new();
        tg_tensor *h3 = tg_gru_run(gru, tape, x3, h0, NULL);
        printf("  %-22s %7zu  [", before ? "reset_after = False" : "reset_after = True",
               tg_layer_param_count(gru));
        for (int j = 0; j < H; j++)
            tg_steps_num(h3->data[j]);
        printf(" ]");
        for (int path = 0; path < 2; path++) {
            tg_gradcheck_report r = tg_gru_gradcheck((tg_gru_opts){.units = H, .reset_before = before},
                                                     path ? TG_PATH_FUSED : TG_PATH_REFERENCE, 2,
                                                     3, D, 11);
            printf("  %s %.1e", r.passed ? "PASS" : "FAIL", r.max_rel_err);
            tg_steps_count(s, r.passed);
        }
        printf("\n");
        tg_tape_free(tape);
        tg_layer_free(gru);
    }
    tg_steps_say("Keras's counts: 3 (D H + H H + 2 H) = 36 with two bias rows, 3 (D H + H H + H) "
                 "= 30 with one.");
    tg_tensor_free(x3);
}

/* Steps 10 to 12: the wrapper. */
static void bidirectional(tg_steps *s)
{
    enum { T = 3 };
    const tg_real xs[] = {0.8, -0.4, 0.1, 0.9, -0.7, 0.2};
    tg_tensor *x = tg_tensor_from(TG_SHAPE(1, T, D), xs);
    x->name = "x";
    tg_tensor *x_rev = tg_tensor_new(x->shape);
    for (int t = 0; t < T; t++)
        for (int d = 0; d < D; d++)
            TG_AT(x_rev, 0, t, d) = TG_AT(x, 0, T - 1 - t, d);

    tg_steps_step(s, "Bidirectional: two copies with their own weights, one reads backwards",
                  "y_f = forward(x_1, x_2, x_3)        y_b = backward(x_3, x_2, x_1)");
    tg_gru_opts o = {.units = H, .return_sequences = 1};
    tg_layer *bi = tg_bidirectional(tg_gru(o), tg_gru(o), TG_MERGE_CONCAT);
    tg_rng rng;
    tg_rng_seed(&rng, 5);
    tg_layer_build(bi, TG_SHAPE(T, D), &rng);
    for (int k = 0; k < bi->n_params; k++)
        tg_init_uniform(bi->params[k], &rng, -0.5, 0.5);
    tg_layer *f = tg_bidirectional_layer(bi, 0), *b = tg_bidirectional_layer(bi, 1);
    printf("  the copies: %s and %s; the wrapper's %d parameters are theirs: %s, ..., %s\n",
           f->name, b->name, bi->n_params, bi->params[0]->name, bi->params[bi->n_params - 1]->name);
    tg_tape *tape = tg_tape_new();
    tg_tensor *y_f = tg_layer_forward(f, tape, x, 0);
    tg_tensor *y_b = tg_layer_forward(b, tape, x_rev, 0);
    tg_steps_tensor("x", x);
    tg_steps_tensor("x reversed", x_rev);
    tg_steps_tensor("y_f", y_f);
    tg_steps_say("y_b's row 1 has read x_3 only, its row 3 all of x_3, x_2, x_1:");
    tg_steps_tensor("y_b", y_b);

    tg_steps_step(s, "Flip y_b back into time order, then merge (Keras's concat, sum, mul, ave)",
                  "y_t = [y_f,t | y_b,T+1-t]   so that step t of both copies stands for x_t");
    tg_tensor *flipped = tg_tensor_new(y_b->shape);
    for (int t = 0; t < T; t++)
        for (int j = 0; j < H; j++)
            TG_AT(flipped, 0, t, j) = TG_AT(y_b, 0, T - 1 - t, j);
    tg_steps_tensor("y_b flipped", flipped);
    tg_tensor *y = tg_layer_forward(bi, tape, x, 0);
    tg_steps_tensor("concat", y);
    tg_real want[T * 2 * H];
    for (int t = 0; t < T; t++)
        for (int j = 0; j < H; j++) {
            want[t * 2 * H + j] = TG_AT(y_f, 0, t, j);
            want[t * 2 * H + H + j] = TG_AT(flipped, 0, t, j);
        }
    tg_steps_expect_all(s, "wrapper == [y_f | y_b flipped]", y->data, want, y->size);
    const tg_merge_mode modes[] = {TG_MERGE_SUM, TG_MERGE_MUL, TG_MERGE_AVE};
    for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++) {
        /* the same seed: the same weights as the concat wrapper's */
        tg_layer *bm = tg_bidirectional(tg_gru(o), tg_gru(o), modes[m]);
        tg_rng_seed(&rng, 5);
        tg_layer_build(bm, TG_SHAPE(T, D), &rng);
        for (int k = 0; k < bm->n_params; k++)
            tg_init_uniform(bm->params[k], &rng, -0.5, 0.5);
        tg_tensor *ym = tg_layer_forward(bm, tape, x, 0);
        tg_real w[T * H];
        for (size_t k = 0; k < (size_t)T * H; k++) {
            const double a = y_f->data[k], c = flipped->data[k];
            w[k] = (tg_real)(modes[m] == TG_MERGE_SUM   ? a + c
                             : modes[m] == TG_MERGE_MUL ? a * c
                                                        : (a + c) / 2);
        }
        char what[64];
        snprintf(what, sizeof what, "merge %s == by hand", tg_merge_mode_name(modes[m]));
        tg_steps_expect_all(s, what, ym->data, w, ym->size);
        tg_layer_free(bm);
    }

    tg_steps_step(s, "Without return_sequences: the backward copy's state after reading x_3 x_2 x_1",
                  "y = [h_f after x_1..x_3 | h_b after x_3..x_1]   (= row 3 of y_f, row 3 of y_b)");
    tg_layer *last = tg_bidirectional(tg_gru((tg_gru_opts){.units = H}),
                                      tg_gru((tg_gru_opts){.units = H}), TG_MERGE_CONCAT);
    tg_rng_seed(&rng, 5);
    tg_layer_build(last, TG_SHAPE(T, D), &rng);
    for (int k = 0; k < last->n_params; k++)
        tg_init_uniform(last->params[k], &rng, -0.5, 0.5);
    tg_tensor *yl = tg_layer_forward(last, tape, x, 0);
    tg_steps_tensor("y", yl);
    tg_real ends[2 * H];
    for (int j = 0; j < H; j++) {
        ends[j] = TG_AT(y_f, 0, T - 1, j);
        ends[H + j] = TG_AT(y_b, 0, T - 1, j);
    }
    tg_steps_expect_all(s, "y == [y_f,3 | y_b,3]", yl->data, ends, yl->size);

    tg_steps_step(s, "The gradient through the wrapper (slices, concat, both copies)",
                  "L = sum(y);   every element of x and of both copies' weights");
    tg_tensor *in[1 + TG_LAYER_MAX_PARAMS] = {x};
    for (int k = 0; k < bi->n_params; k++)
        in[1 + k] = bi->params[k];
    for (int path = 0; path < 2; path++) {
        bi->path = path ? TG_PATH_FUSED : TG_PATH_REFERENCE;
        tg_steps_gradcheck(s, path ? "Bidirectional(GRU) fused" : "Bidirectional(GRU) reference",
                           bidirectional_loss, bi, in, 1 + bi->n_params);
    }
    tg_layer *bl = tg_bidirectional(
        tg_lstm((tg_lstm_opts){.units = H, .return_sequences = 1}),
        tg_lstm((tg_lstm_opts){.units = H, .return_sequences = 1}), TG_MERGE_AVE);
    tg_rng_seed(&rng, 6);
    tg_layer_build(bl, TG_SHAPE(T, D), &rng);
    for (int k = 0; k < bl->n_params; k++) {
        tg_init_uniform(bl->params[k], &rng, -0.5, 0.5);
        in[1 + k] = bl->params[k];
    }
    tg_steps_gradcheck(s, "Bidirectional(LSTM) ave", bidirectional_loss, bl, in, 1 + bl->n_params);

    tg_layer_free(bl);
    tg_layer_free(last);
    tg_tensor_free(flipped);
    tg_tape_free(tape);
    tg_layer_free(bi);
    tg_tensor_free(x);
    tg_tensor_free(x_rev);
}

int main(int argc, char **argv)
{
    tg_steps s;
    tg_steps_start(&s, argc, argv, "Tutorial 8: the GRU (Keras's) and the Bidirectional wrapper");
    tg_tensor *x = tg_tensor_from(TG_SHAPE(1, 1, D), (const tg_real[]){0.8, -0.4});
    tg_tensor *h0 = tg_tensor_from(TG_SHAPE(1, H), (const tg_real[]){0.3, -0.2});
    x->name = "x";
    h0->name = "h_0";
    gru_step(&s, x, h0);
    gru_variants(&s, h0);
    bidirectional(&s);
    tg_tensor_free(x);
    tg_tensor_free(h0);
    return tg_steps_finish(&s);
}
