/* The data-parallel step: a batch cut into micro-batches, each run on a tape
 * of its own by whichever thread is free, their gradients summed in a fixed
 * order. Why the bits do not depend on the thread count: which thread runs
 * micro-batch k changes nothing in what k computes (its own tape, arena and
 * gradient buffers, and products that split their outputs, never a sum,
 * between threads), and the sums over k are taken by one loop in the order
 * k = 0, 1, ..., M - 1 once every micro-batch is done. */
#include "train/internal/micro_batches.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "autograd/autograd.h"
#include "kernels/kernels.h"
#include "train/internal/finite.h"

/* Parameter k's gradient buffer starts on a 64-byte boundary in a block. */
#define GRAD_ALIGN (64 / sizeof(tg_real))

typedef struct micro_batch {
    tg_tape *tape;
    tg_real *grad_block; /* every parameter's gradient, back to back */
    tg_real *grads[TG_MODEL_MAX_PARAMS];
    tg_tensor *outputs[TG_MODEL_MAX_LAYERS];
    int start, count; /* samples start .. start + count - 1 of the batch */
    double loss;      /* the mean loss over its samples */
} micro_batch;

struct tg_micro_batches {
    micro_batch b[TG_MAX_MICRO_BATCHES];
    int made;          /* b[0 .. made) have a tape and gradient buffers */
    int n_params;      /* the parameters the buffers were made for */
    size_t grad_size;  /* elements of each grad_block */
};

void tg_micro_batches_free(tg_micro_batches *mb)
{
    if (!mb)
        return;
    for (int k = 0; k < mb->made; k++) {
        tg_tape_free(mb->b[k].tape);
        free(mb->b[k].grad_block);
    }
    free(mb);
}

size_t tg_micro_batches_blocks(const tg_micro_batches *mb)
{
    size_t n = 0;
    for (int k = 0; k < mb->made; k++)
        n += mb->b[k].tape->arena.mallocs;
    return n;
}

static int micro_batch_count(const tg_model *m, int n)
{
    if (m->micro_batches < 1 || m->micro_batches > TG_MAX_MICRO_BATCHES)
        tg_fatal("train step: micro_batches %d (must be 1 .. %d)", m->micro_batches,
                 TG_MAX_MICRO_BATCHES);
    return m->micro_batches < n ? m->micro_batches : n;
}

/* t is (N, per_sample...) with N = n. */
static int fits(const tg_tensor *t, int n, tg_shape per_sample)
{
    if (t->shape.ndim != per_sample.ndim + 1 || t->shape.dim[0] != n)
        return 0;
    for (int i = 0; i < per_sample.ndim; i++)
        if (t->shape.dim[i + 1] != per_sample.dim[i])
            return 0;
    return 1;
}

/* At least two micro-batches of x, which fits the model, and no layer keeps state. */
static int splits(const tg_model *m, const tg_tensor *x)
{
    const int n = x->shape.ndim > 0 ? x->shape.dim[0] : 0;
    if (micro_batch_count(m, n) < 2 || !fits(x, n, m->input_shape))
        return 0;
    for (int i = 0; i < m->n_layers; i++)
        if (tg_layer_keeps_state(m->layers[i]))
            return 0;
    return 1;
}

int tg_micro_batches_split(const tg_model *m, const tg_tensor *x, const tg_tensor *y)
{
    return splits(m, x) && fits(y, x->shape.dim[0], m->output_shape);
}

/* Tapes and gradient buffers for M micro-batches, made once and kept: the
 * steady state allocates nothing (a change of the parameters remakes them). */
static tg_micro_batches *prepare(tg_model *m, int M)
{
    size_t size = 0;
    for (int i = 0; i < m->n_params; i++)
        size += (m->params[i]->size + GRAD_ALIGN - 1) / GRAD_ALIGN * GRAD_ALIGN;
    tg_micro_batches *mb = m->micro;
    if (mb && (mb->n_params != m->n_params || mb->grad_size != size)) {
        tg_micro_batches_free(mb);
        mb = m->micro = NULL;
    }
    if (!mb) {
        mb = m->micro = tg_xcalloc(1, sizeof *mb, "micro-batches");
        mb->n_params = m->n_params;
        mb->grad_size = size;
    }
    for (; mb->made < M; mb->made++) {
        micro_batch *b = &mb->b[mb->made];
        b->tape = tg_tape_new();
        b->grad_block = tg_xmalloc((size ? size : 1) * sizeof(tg_real), "micro-batch gradients");
        size_t at = 0;
        for (int i = 0; i < m->n_params; i++) {
            b->grads[i] = b->grad_block + at;
            at += (m->params[i]->size + GRAD_ALIGN - 1) / GRAD_ALIGN * GRAD_ALIGN;
        }
        tg_tape_grads_into(b->tape, m->params, b->grads, m->n_params);
    }
    return mb;
}

/* Rows start .. start + count - 1 of t, copied onto tape (no gradient). */
static tg_tensor *rows_of(tg_tape *tape, const tg_tensor *t, int start, int count)
{
    tg_shape shape = t->shape;
    shape.dim[0] = count;
    tg_tensor *r = tg_tape_tensor(tape, shape);
    const size_t row = t->size / (size_t)t->shape.dim[0];
    memcpy(r->data, t->data + (size_t)start * row, r->size * sizeof(tg_real));
    return r;
}

typedef struct step_job {
    tg_model *m;
    tg_micro_batches *mb;
    const tg_tensor *x, *y; /* y: NULL for inference */
    int n; /* samples in the batch */
    int M; /* micro-batches */
} step_job;

/* n = q M + r samples: the first r micro-batches take q + 1, the rest q. */
static step_job job_for(tg_model *m, const tg_tensor *x, const tg_tensor *y)
{
    const int n = x->shape.dim[0], M = micro_batch_count(m, n);
    step_job j = {m, prepare(m, M), x, y, n, M};
    const int q = n / M, r = n % M;
    for (int k = 0, start = 0; k < M; k++) {
        j.mb->b[k].start = start;
        j.mb->b[k].count = q + (k < r);
        start += j.mb->b[k].count;
    }
    return j;
}

/* Forward of micro-batch k without gradients, on its own tape. */
static void infer_micro_batch(void *ctx, int k)
{
    const step_job *j = ctx;
    micro_batch *b = &j->mb->b[k];
    tg_tape_reset(b->tape);
    tg_tape_no_grad_begin(b->tape);
    tg_layers_forward(j->m, b->tape, rows_of(b->tape, j->x, b->start, b->count), 0, b->outputs);
    tg_tape_no_grad_end(b->tape);
}

/* Forward, loss and backward of micro-batch k, on its own tape. */
static void run_micro_batch(void *ctx, int k)
{
    const step_job *j = ctx;
    const tg_model *m = j->m;
    micro_batch *b = &j->mb->b[k];
    tg_tape_reset(b->tape);
    memset(b->grad_block, 0, j->mb->grad_size * sizeof(tg_real));
    tg_tensor *x = rows_of(b->tape, j->x, b->start, b->count);
    tg_tensor *y = rows_of(b->tape, j->y, b->start, b->count);
    tg_tensor *pred = tg_layers_forward(m, b->tape, x, 1, b->outputs);
    tg_tensor *l = tg_loss_compute(b->tape, m->loss, pred, y);
    b->loss = (double)l->data[0];
    if (!isfinite(b->loss))
        return;
    /* L = sum_k (n_k / N) L_k, so dL/dL_k = n_k / N: the seed of k's backward */
    const tg_real share = (tg_real)((double)b->count / (double)j->n);
    tg_tape_backward_seeded(b->tape, l, &share);
}

/* dL/dtheta_i = sum_k dL_k/dtheta_i, k = 0, 1, ..., M - 1 in that order. */
static void sum_gradient(void *ctx, int i)
{
    const step_job *j = ctx;
    tg_tensor *p = j->m->params[i];
    const micro_batch *b = j->mb->b;
    memcpy(p->grad, b[0].grads[i], p->size * sizeof(tg_real));
    for (int k = 1; k < j->M; k++) {
        const tg_real *g = b[k].grads[i];
        tg_real *sum = p->grad;
#pragma omp simd
        for (size_t e = 0; e < p->size; e++)
            sum[e] += g[e];
    }
}

/* The micro-batches' predictions, in order, as the batch's on m->tape. */
static tg_tensor *prediction(const step_job *j)
{
    const tg_model *m = j->m;
    tg_shape shape = {m->output_shape.ndim + 1, {j->n}};
    for (int i = 0; i < m->output_shape.ndim; i++)
        shape.dim[i + 1] = m->output_shape.dim[i];
    tg_tensor *pred = tg_tape_tensor(m->tape, shape);
    const size_t row = pred->size / (size_t)j->n;
    for (int k = 0; k < j->M; k++) {
        const micro_batch *b = &j->mb->b[k];
        memcpy(pred->data + (size_t)b->start * row, b->outputs[m->n_layers - 1]->data,
               (size_t)b->count * row * sizeof(tg_real));
    }
    return pred;
}

/* Every layer's penalty, on m->tape, its gradient added into the
 * parameters'; returns its value (0 without a regularizer). */
static double penalties(tg_model *m)
{
    tg_tensor *total = NULL;
    for (int i = 0; i < m->n_layers; i++) {
        tg_tensor *p = tg_regularizer_penalty(m->tape, m->layers[i], m->regularizer[i]);
        if (p)
            total = total ? tg_add(m->tape, total, p) : p;
    }
    if (!total)
        return 0;
    tg_tape_backward(m->tape, total);
    return (double)total->data[0];
}

/* The first micro-batch whose loss (grads 0) or gradients (grads 1) are not
 * all finite, or -1. */
static int first_bad(const step_job *j, int grads)
{
    for (int k = 0; k < j->M; k++) {
        const micro_batch *b = &j->mb->b[k];
        if (grads ? !tg_all_finite(b->grad_block, j->mb->grad_size) : !isfinite(b->loss))
            return k;
    }
    return -1;
}

/* The finite checks see micro-batch k's layer outputs (and the gradients
 * between them) as the model's, so they name the place as in a whole batch. */
static void outputs_of(tg_model *m, const micro_batch *b)
{
    memcpy(m->outputs, b->outputs, (size_t)m->n_layers * sizeof *m->outputs);
}

/* The batch's prediction in m->outputs: the last layer's, the others NULL. */
static tg_tensor *keep_prediction(const step_job *j)
{
    tg_model *m = j->m;
    for (int i = 0; i < m->n_layers; i++)
        m->outputs[i] = NULL;
    return m->outputs[m->n_layers - 1] = prediction(j);
}

tg_tensor *tg_micro_batches_infer(tg_model *m, tg_tensor *x)
{
    if (!splits(m, x))
        return tg_layers_forward(m, m->tape, x, 0, m->outputs);
    step_job j = job_for(m, x, NULL);
    tg_parallel_for(j.M, infer_micro_batch, &j);
    return keep_prediction(&j);
}

tg_status tg_micro_batches_gradient(tg_model *m, tg_tensor *x, tg_tensor *y, double *loss)
{
    step_job j = job_for(m, x, y);
    const int n = j.n, M = j.M;
    tg_parallel_for(M, run_micro_batch, &j);
    /* L = sum_k (n_k / N) L_k, k in order */
    double total = 0;
    for (int k = 0; k < M; k++)
        total += (double)j.mb->b[k].count / (double)n * j.mb->b[k].loss;
    *loss = total;
    int bad = first_bad(&j, 0);
    outputs_of(m, &j.mb->b[bad >= 0 ? bad : 0]);
    if (bad >= 0)
        return tg_model_check_forward(m, j.mb->b[bad].loss);
    tg_parallel_for(m->n_params, sum_gradient, &j);
    *loss = total + penalties(m);
    tg_status st = tg_model_check_forward(m, *loss);
    if (tg_is_ok(&st)) {
        int finite = 1;
        for (int i = 0; i < m->n_params && finite; i++)
            finite = tg_all_finite(m->params[i]->grad, m->params[i]->size);
        if (!finite) {
            bad = first_bad(&j, 1);
            outputs_of(m, &j.mb->b[bad >= 0 ? bad : 0]);
            return tg_model_check_gradients(m);
        }
    }
    keep_prediction(&j);
    return st;
}
