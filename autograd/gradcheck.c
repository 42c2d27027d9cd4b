#include "autograd/autograd.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tensor/tensor.h"

tg_gradcheck_opts tg_gradcheck_defaults(void)
{
    tg_gradcheck_opts o;
    memset(&o, 0, sizeof o);
#ifdef TG_REAL_FLOAT
    o.step = 1e-2;
    o.rtol = 1e-2;
    o.tiny = 1e-2;
#else
    o.step = 1e-4;
    o.rtol = 1e-7;
    o.tiny = 1e-4;
#endif
    o.seed = 1;
    return o;
}

typedef struct {
    tg_gradcheck_fn f;
    void *ctx;
    tg_tensor *const *inputs;
    tg_tape *tape;
    const tg_real *w;
    size_t out_size;
} probe;

/* L = sum_i w_i out_i, evaluated without recording, in long double. */
static long double loss_at(probe *p)
{
    tg_tape_reset(p->tape);
    tg_tape_no_grad_begin(p->tape);
    tg_tensor *out = p->f(p->tape, p->inputs, p->ctx);
    tg_tape_no_grad_end(p->tape);
    if (out->size != p->out_size)
        tg_fatal("gradcheck: the function's output size changed from %zu to %zu", p->out_size,
                 out->size);
    long double L = 0;
    for (size_t i = 0; i < out->size; i++)
        L += (long double)p->w[i] * out->data[i];
    return L;
}

static size_t *sample_indices(size_t total, size_t want, tg_rng *rng)
{
    size_t *idx = tg_xmalloc(total * sizeof *idx, "gradcheck");
    for (size_t k = 0; k < total; k++)
        idx[k] = k;
    /* Partial Fisher-Yates: the first `want` entries are a uniform sample. */
    for (size_t k = 0; k < want; k++) {
        size_t j = k + (size_t)tg_rng_below(rng, total - k);
        size_t t = idx[k];
        idx[k] = idx[j];
        idx[j] = t;
    }
    return idx;
}

static void check_element(probe *p, const tg_gradcheck_opts *o, tg_tensor *x, size_t k,
                          tg_real analytic, long double L0, tg_gradcheck_input_report *r)
{
    const tg_real x0 = x->data[k];
    const double h = o->step * fmax(1.0, fabs((double)x0));
    long double L[5]; /* at x0 - 2h, x0 - h, -, x0 + h, x0 + 2h */
    for (int s = -2; s <= 2; s++) {
        if (s == 0)
            continue;
        x->data[k] = (tg_real)(x0 + s * h);
        L[s + 2] = loss_at(p);
    }
    x->data[k] = x0;
    /* Second differences centred at x0 - h, x0 and x0 + h: equal to O(h^3)
     * where L is smooth, apart by O(h) where a kink lies between the points.
     * The centred one is what sees a kink exactly at x0 (relu at 0). */
    long double d2p = L[4] - 2 * L[3] + L0, d2m = L0 - 2 * L[1] + L[0];
    long double d2c = L[3] - 2 * L0 + L[1];
    long double spread = fmaxl(fabsl(d2p - d2m), fmaxl(fabsl(d2c - d2p), fabsl(d2c - d2m)));
    long double noise = 64 * TG_REAL_EPSILON * (1 + fabsl(L0));
    /* A kink changes the slope by some J, so it moves a second difference
     * by about J h: demand that too (J of order max(|L'|, 1)), or a smooth
     * L near an inflection point (tiny second differences) looks kinked. */
    long double slope = fabsl(L[3] - L[1]) / (2 * (long double)h);
    long double kink_floor = 1e-6L * (long double)h * fmaxl(slope, 1);
    if (spread > 0.01L * (fabsl(d2p) + fabsl(d2c) + fabsl(d2m)) + noise && spread > kink_floor) {
        r->skipped++;
        return;
    }
    double numeric = (double)((8 * (L[3] - L[1]) - (L[4] - L[0])) / (12 * (long double)h));
    double abs_err = fabs((double)analytic - numeric);
    double rel_err = abs_err / fmax(fabs((double)analytic) + fabs(numeric), o->tiny);
    r->checked++;
    if (abs_err > r->max_abs_err)
        r->max_abs_err = abs_err;
    if (rel_err > r->max_rel_err || isnan(rel_err))
        r->max_rel_err = isnan(rel_err) ? INFINITY : rel_err;
}

tg_gradcheck_report tg_gradcheck(tg_gradcheck_fn f, void *ctx, tg_tensor *const *inputs,
                                 int n_inputs, const tg_gradcheck_opts *opts)
{
    tg_gradcheck_opts o = tg_gradcheck_defaults();
    if (opts) {
        o.max_per_input = opts->max_per_input;
        o.seed = opts->seed;
        if (opts->step > 0)
            o.step = opts->step;
        if (opts->rtol > 0)
            o.rtol = opts->rtol;
        if (opts->tiny > 0)
            o.tiny = opts->tiny;
    }
    if (n_inputs < 1 || n_inputs > TG_GRADCHECK_MAX_INPUTS)
        tg_fatal("gradcheck: %d inputs (1 to %d)", n_inputs, TG_GRADCHECK_MAX_INPUTS);
    tg_gradcheck_report rep;
    memset(&rep, 0, sizeof rep);
    rep.n_inputs = n_inputs;
    rep.rtol = o.rtol;
    tg_rng rng;
    tg_rng_seed(&rng, o.seed);

    /* The tape's gradient of L: seed the output's gradient with w. */
    tg_tape *tape = tg_tape_new();
    for (int i = 0; i < n_inputs; i++) {
        if (inputs[i]->in_arena)
            tg_fatal("gradcheck: input %d lives in an arena; pass heap tensors", i);
        tg_tensor_requires_grad(inputs[i]);
        tg_tensor_zero_grad(inputs[i]);
    }
    tg_tensor *out = f(tape, inputs, ctx);
    size_t out_size = out->size;
    tg_real *w = tg_xmalloc(out_size * sizeof *w, "gradcheck");
    for (size_t k = 0; k < out_size; k++)
        w[k] = (tg_real)(2 * tg_rng_uniform(&rng) - 1);
    tg_tape_backward_seeded(tape, out, w);
    tg_real **analytic = tg_xmalloc((size_t)n_inputs * sizeof *analytic, "gradcheck");
    for (int i = 0; i < n_inputs; i++) {
        analytic[i] = tg_xmalloc(inputs[i]->size * sizeof(tg_real), "gradcheck");
        memcpy(analytic[i], inputs[i]->grad, inputs[i]->size * sizeof(tg_real));
    }

    probe p = {f, ctx, inputs, tape, w, out_size};
    long double L0 = loss_at(&p);
    for (int i = 0; i < n_inputs; i++) {
        tg_tensor *x = inputs[i];
        tg_gradcheck_input_report *r = &rep.input[i];
        r->name = x->name;
        r->total = x->size;
        size_t want = x->size;
        size_t *idx = NULL;
        if (o.max_per_input && x->size > o.max_per_input) {
            want = o.max_per_input;
            idx = sample_indices(x->size, want, &rng);
            rep.sampled = 1;
        }
        for (size_t s = 0; s < want; s++) {
            size_t k = idx ? idx[s] : s;
            check_element(&p, &o, x, k, analytic[i][k], L0, r);
        }
        free(idx);
        rep.checked += r->checked;
        rep.skipped += r->skipped;
        rep.max_abs_err = fmax(rep.max_abs_err, r->max_abs_err);
        rep.max_rel_err = fmax(rep.max_rel_err, r->max_rel_err);
        free(analytic[i]);
    }
    rep.passed = rep.max_rel_err <= o.rtol && rep.checked > 0;
    free(analytic);
    free(w);
    tg_tape_free(tape);
    return rep;
}

void tg_gradcheck_print(FILE *out, const char *name, const tg_gradcheck_report *r)
{
    fprintf(out, "gradcheck %s%s\n", name, r->sampled ? " (some inputs sampled)" : "");
    for (int i = 0; i < r->n_inputs; i++) {
        const tg_gradcheck_input_report *in = &r->input[i];
        char label[32];
        snprintf(label, sizeof label, "%s", in->name ? in->name : "");
        if (!in->name)
            snprintf(label, sizeof label, "input %d", i);
        fprintf(out, "  %-12s max_abs_err %.3e  max_rel_err %.3e  checked %zu/%zu  skipped %zu\n",
                label, in->max_abs_err, in->max_rel_err, in->checked, in->total, in->skipped);
    }
    fprintf(out, "  %s  max_rel_err %.3e (rtol %.1e)\n", r->passed ? "PASS" : "FAIL",
            r->max_rel_err, r->rtol);
}
