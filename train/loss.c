/* The losses as compositions of tape ops. Each formula is written above
 * the line that computes it; N is the number of averaged terms (elements,
 * or rows for the categorical losses). */
#include "train/train.h"

#include <string.h>

#include "autograd/autograd.h"
#include "tensor/tensor.h"
#include "train/internal/gradcheck_cases.h"

/* A constant of the given shape on the tape (it takes no gradient). */
static tg_tensor *constant(tg_tape *tape, tg_shape shape, tg_real value)
{
    tg_tensor *c = tg_tape_tensor(tape, shape);
    tg_tensor_fill(c, value);
    return c;
}

/* clip(p, lo, hi) = min(max(p, lo), hi), with min(a, b) = -max(-a, -b): the
 * gradient passes inside [lo, hi] and is zero outside, as in Keras. */
static tg_tensor *clip(tg_tape *tape, tg_tensor *p, tg_real lo, tg_real hi)
{
    tg_tensor *above_lo = tg_maximum(tape, p, constant(tape, p->shape, lo));
    return tg_neg(tape, tg_maximum(tape, tg_neg(tape, above_lo), constant(tape, p->shape, -hi)));
}

/* Rows of a (..., K) tensor: every index but the last. */
static size_t rows_of(const tg_tensor *t)
{
    return t->size / (size_t)t->shape.dim[t->shape.ndim - 1];
}

tg_tensor *tg_loss_mse(tg_tape *tape, tg_tensor *pred, tg_tensor *target)
{
    tg_tensor_expect_shape("mse (target vs prediction)", target, pred->shape);
    tg_tensor *d = tg_sub(tape, pred, target);
    /* L = (1/N) sum (p - y)^2 */
    return tg_mean(tape, tg_mul(tape, d, d));
}

tg_tensor *tg_loss_bce(tg_tape *tape, tg_tensor *prob, tg_tensor *target)
{
    tg_tensor_expect_shape("binary_crossentropy (target vs prediction)", target, prob->shape);
    const tg_real eps = (tg_real)TG_LOSS_EPSILON;
    /* \hat p = clip(p, eps, 1 - eps) keeps log away from 0 */
    tg_tensor *p = clip(tape, prob, eps, 1 - eps);
    tg_tensor *one_minus_p = tg_add_scalar(tape, tg_neg(tape, p), 1);
    tg_tensor *one_minus_y = tg_add_scalar(tape, tg_neg(tape, target), 1);
    /* L = -(1/N) sum [ y log \hat p + (1 - y) log(1 - \hat p) ] */
    return tg_neg(tape, tg_mean(tape, tg_add(tape, tg_mul(tape, target, tg_log(tape, p)),
                                             tg_mul(tape, one_minus_y, tg_log(tape, one_minus_p)))));
}

tg_tensor *tg_loss_bce_logits(tg_tape *tape, tg_tensor *logits, tg_tensor *target)
{
    tg_tensor_expect_shape("binary_crossentropy_from_logits (target vs prediction)",
                           target, logits->shape);
    tg_tensor *z = logits;
    /* log(1 + e^{-|z|}): the exponent is never positive, so nothing overflows */
    tg_tensor *softplus_neg_abs = tg_log(tape, tg_add_scalar(tape, tg_exp(tape, tg_neg(tape, tg_abs(tape, z))), 1));
    /* L = (1/N) sum [ max(z, 0) - z y + log(1 + e^{-|z|}) ] */
    return tg_mean(tape, tg_add(tape, tg_sub(tape, tg_relu(tape, z), tg_mul(tape, z, target)),
                                softplus_neg_abs));
}

tg_tensor *tg_loss_cce(tg_tape *tape, tg_tensor *prob, tg_tensor *target)
{
    tg_tensor_expect_shape("categorical_crossentropy (target vs prediction)", target, prob->shape);
    const int k = prob->shape.dim[prob->shape.ndim - 1];
    const tg_real eps = (tg_real)TG_LOSS_EPSILON;
    /* Each entry of p @ 1_{KxK} is its row's sum s = sum_k p_k. */
    tg_tensor *ones = constant(tape, TG_SHAPE(k, k), 1);
    tg_tensor *row_sum = tg_matmul(tape, prob, ones);
    /* \hat p = clip(p / s, eps, 1 - eps), with p / s = p e^{-log s}, as Keras renormalises */
    tg_tensor *p = clip(tape, tg_mul(tape, prob, tg_exp(tape, tg_neg(tape, tg_log(tape, row_sum)))),
                        eps, 1 - eps);
    /* L = -(1/N) sum_rows sum_k y_k log \hat p_k */
    return tg_scale(tape, tg_sum(tape, tg_mul(tape, target, tg_log(tape, p))),
                    -(tg_real)1 / (tg_real)rows_of(prob));
}

tg_tensor *tg_loss_cce_logits(tg_tape *tape, tg_tensor *logits, tg_tensor *target)
{
    tg_tensor_expect_shape("categorical_crossentropy_from_logits (target vs prediction)",
                           target, logits->shape);
    /* L = -(1/N) sum_rows sum_k y_k log softmax(z)_k */
    return tg_scale(tape, tg_sum(tape, tg_mul(tape, target, tg_log_softmax(tape, logits))),
                    -(tg_real)1 / (tg_real)rows_of(logits));
}

tg_tensor *tg_loss_compute(tg_tape *tape, tg_loss loss, tg_tensor *pred, tg_tensor *target)
{
    switch (loss) {
    case TG_LOSS_MSE:
        return tg_loss_mse(tape, pred, target);
    case TG_LOSS_BCE:
        return tg_loss_bce(tape, pred, target);
    case TG_LOSS_BCE_LOGITS:
        return tg_loss_bce_logits(tape, pred, target);
    case TG_LOSS_CCE:
        return tg_loss_cce(tape, pred, target);
    case TG_LOSS_CCE_LOGITS:
        return tg_loss_cce_logits(tape, pred, target);
    }
    tg_fatal("loss: unknown loss %d", (int)loss);
}

static const char *const names[] = {
    "mse", "binary_crossentropy", "binary_crossentropy_from_logits", "categorical_crossentropy",
    "categorical_crossentropy_from_logits",
};

const char *tg_loss_name(tg_loss loss)
{
    if ((int)loss < 0 || (int)loss >= (int)(sizeof names / sizeof names[0]))
        tg_fatal("loss: unknown loss %d", (int)loss);
    return names[loss];
}

int tg_loss_parse(const char *name, tg_loss *loss)
{
    for (int i = 0; i < (int)(sizeof names / sizeof names[0]); i++) {
        if (strcmp(name, names[i]) == 0) {
            *loss = (tg_loss)i;
            return 0;
        }
    }
    return -1;
}

int tg_loss_from_logits(tg_loss loss)
{
    return loss == TG_LOSS_BCE_LOGITS || loss == TG_LOSS_CCE_LOGITS;
}

/* ---- gradient checks: the prediction is the input, the target a fixed
 * constant of the kind the loss expects (one-hot rows, 0/1 labels) ---- */

typedef struct {
    tg_loss loss;
    tg_tensor *target;
} loss_case;

static tg_tensor *loss_fn(tg_tape *tape, tg_tensor *const *x, void *ctx)
{
    const loss_case *c = ctx;
    return tg_loss_compute(tape, c->loss, x[0], c->target);
}

typedef enum { TARGET_REAL, TARGET_BITS, TARGET_ONE_HOT } target_kind;

static tg_gradcheck_report run_loss(tg_loss loss, tg_shape shape, double lo, double hi,
                                    target_kind kind, uint64_t seed)
{
    tg_rng rng;
    tg_rng_seed(&rng, seed);
    tg_tensor *pred = tg_tensor_uniform(shape, &rng, lo, hi);
    tg_tensor *target = tg_tensor_uniform(shape, &rng, lo, hi);
    const int k = shape.dim[shape.ndim - 1];
    for (size_t i = 0; i < target->size; i++) {
        if (kind == TARGET_BITS)
            target->data[i] = (tg_real)(tg_rng_below(&rng, 2));
        else if (kind == TARGET_ONE_HOT)
            target->data[i] = 0;
    }
    if (kind == TARGET_ONE_HOT)
        for (size_t r = 0; r < target->size / (size_t)k; r++)
            target->data[r * (size_t)k + tg_rng_below(&rng, (uint64_t)k)] = 1;
    loss_case c = {loss, target};
    tg_gradcheck_opts o = tg_gradcheck_defaults();
    o.seed = seed;
    tg_gradcheck_report r = tg_gradcheck(loss_fn, &c, &pred, 1, &o);
    tg_tensor_free(pred);
    tg_tensor_free(target);
    return r;
}

/* Probabilities stay well inside (eps, 1 - eps): clip is the identity there. */
static tg_gradcheck_report case_mse(uint64_t seed)
{
    return run_loss(TG_LOSS_MSE, TG_SHAPE(2, 5, 1), -1, 1, TARGET_REAL, seed);
}
static tg_gradcheck_report case_bce(uint64_t seed)
{
    return run_loss(TG_LOSS_BCE, TG_SHAPE(2, 5, 1), 0.05, 0.95, TARGET_BITS, seed);
}
static tg_gradcheck_report case_bce_logits(uint64_t seed)
{
    return run_loss(TG_LOSS_BCE_LOGITS, TG_SHAPE(3, 4), -3, 3, TARGET_BITS, seed);
}
static tg_gradcheck_report case_cce(uint64_t seed)
{
    return run_loss(TG_LOSS_CCE, TG_SHAPE(3, 5), 0.1, 1, TARGET_ONE_HOT, seed);
}
static tg_gradcheck_report case_cce_logits(uint64_t seed)
{
    return run_loss(TG_LOSS_CCE_LOGITS, TG_SHAPE(2, 3, 5), -2, 2, TARGET_ONE_HOT, seed);
}

static const tg_gradcheck_case cases[] = {
    {"mse", case_mse},         {"bce", case_bce},
    {"bce_logits", case_bce_logits}, {"cce", case_cce},
    {"cce_logits", case_cce_logits},
};

const tg_gradcheck_case *tg_loss_gradcheck_cases(int *n)
{
    *n = (int)(sizeof cases / sizeof cases[0]);
    return cases;
}
