/* The Bidirectional wrapper, as Keras's: a forward copy reads x_1 .. x_T, a
 * backward copy reads x_T .. x_1, the backward output sequence is flipped
 * back into time order, and the two are merged. Composed from tape ops
 * (slice, concat, add, mul, scale, stack) and the inner layers' forward:
 * the tape derives the gradient, both inner paths included. */
#include "layers/internal/wrapper.h"

#include <stdio.h>
#include <string.h>

#include "autograd/autograd.h"
#include "tensor/tensor.h"

typedef struct {
    tg_layer base;
    tg_merge_mode merge;
    int sequences; /* the inner layers return sequences (T, ...) */
    tg_wrapper_param_names names;
} bidirectional_layer;

static const char *const merge_names[] = {"concat", "sum", "mul", "ave", "none"};
#define N_MERGE ((int)(sizeof merge_names / sizeof merge_names[0]))

const char *tg_merge_mode_name(tg_merge_mode mode)
{
    if ((int)mode < 0 || (int)mode >= N_MERGE)
        tg_fatal("bidirectional: unknown merge mode %d", (int)mode);
    return merge_names[mode];
}

int tg_merge_mode_parse(const char *name, tg_merge_mode *mode)
{
    for (int m = 0; m < N_MERGE; m++)
        if (strcmp(name, merge_names[m]) == 0) {
            *mode = (tg_merge_mode)m;
            return 0;
        }
    return -1;
}

static void fatal_outputs(const tg_layer *self, const char *why, tg_shape f, tg_shape b)
{
    char sf[TG_SHAPE_STR_LEN], sb[TG_SHAPE_STR_LEN];
    tg_fatal("%s: %s (forward %s gives %s, backward %s gives %s)", self->name, why,
             self->inner[0]->name, tg_shape_str(f, sf, sizeof sf), self->inner[1]->name,
             tg_shape_str(b, sb, sizeof sb));
}

static tg_shape bidirectional_build(tg_layer *self, tg_shape input, tg_rng *rng)
{
    bidirectional_layer *bi = (bidirectional_layer *)self;
    if (input.ndim < 2 || input.dim[0] < 1) {
        char s[TG_SHAPE_STR_LEN];
        tg_fatal("%s: Bidirectional needs a per-sample sequence (T, ...) with T >= 1, got %s",
                 self->name, tg_shape_str(input, s, sizeof s));
    }
    tg_layer *f = self->inner[0], *b = self->inner[1];
    const tg_shape out_f = tg_layer_build(f, input, rng);
    const tg_shape out_b = tg_layer_build(b, input, rng);
    tg_wrapper_adopt(self, f, bi->names, f->name);
    tg_wrapper_adopt(self, b, bi->names, b->name);

    /* A sequence out keeps the time axis (as many axes as the input, T
     * first); the last state has one axis fewer. */
    bi->sequences = out_f.ndim == input.ndim && out_f.dim[0] == input.dim[0];
    const int seq_b = out_b.ndim == input.ndim && out_b.dim[0] == input.dim[0];
    if (out_f.ndim < 1 || bi->sequences != seq_b)
        fatal_outputs(self, "the two copies must both return sequences or both not", out_f,
                      out_b);
    tg_shape out = out_f;
    const int last = out.ndim - 1;
    int fits = out_f.ndim == out_b.ndim;
    for (int i = 0; fits && i < out.ndim; i++)
        fits = out_f.dim[i] == out_b.dim[i] || (i == last && bi->merge == TG_MERGE_CONCAT);
    if (!fits)
        fatal_outputs(self, "the outputs do not fit each other for this merge mode", out_f,
                      out_b);
    if (bi->merge == TG_MERGE_CONCAT) {
        out.dim[last] = out_f.dim[last] + out_b.dim[last];
    } else if (bi->merge == TG_MERGE_NONE) {
        if (out.ndim + 1 > TG_MAX_DIMS - 1)
            fatal_outputs(self, "merge none stacks the two outputs, one axis too many", out_f,
                          out_b);
        out.ndim++;
        out.dim[0] = 2;
        for (int i = 1; i < out.ndim; i++)
            out.dim[i] = out_f.dim[i - 1];
    }
    return out;
}

/* a (N, T, ...) with its time axis reversed: step t is a's step T-1-t. T
 * slices and one concat, so the tape carries the gradient back. */
static tg_tensor *flip_time(tg_tape *tape, tg_tensor *a)
{
    const int T = a->shape.dim[1];
    if (T == 1)
        return a;
    tg_tensor **steps = tg_tape_alloc(tape, (size_t)T * sizeof *steps);
    for (int t = 0; t < T; t++)
        steps[t] = tg_slice(tape, a, 1, T - 1 - t, 1, 1);
    return tg_concat(tape, steps, T, 1);
}

static tg_tensor *merge(tg_tape *tape, tg_merge_mode mode, tg_tensor *y_f, tg_tensor *y_b)
{
    tg_tensor *both[2] = {y_f, y_b};
    switch (mode) {
    case TG_MERGE_CONCAT:
        /* y = [y_f | y_b] */
        return tg_concat(tape, both, 2, y_f->shape.ndim - 1);
    case TG_MERGE_SUM:
        /* y = y_f + y_b */
        return tg_add(tape, y_f, y_b);
    case TG_MERGE_MUL:
        /* y = y_f (.) y_b */
        return tg_mul(tape, y_f, y_b);
    case TG_MERGE_AVE:
        /* y = (y_f + y_b) / 2 */
        return tg_scale(tape, tg_add(tape, y_f, y_b), (tg_real)0.5);
    case TG_MERGE_NONE:
        /* both, [0] forward and [1] backward, after the batch axis */
        return tg_stack(tape, both, 2, 1);
    }
    tg_fatal("bidirectional: unknown merge mode %d", (int)mode);
}

tg_tensor *tg_bidirectional_run(tg_layer *layer, tg_tape *tape, tg_tensor *x, int training,
                                tg_tensor **y_f, tg_tensor **y_b)
{
    bidirectional_layer *bi =
        (bidirectional_layer *)tg_layer_expect(layer, "Bidirectional", "bidirectional_run");
    tg_wrapper_pass_path(layer);
    /* y_f = forward(x_1 .. x_T) */
    tg_tensor *fwd = tg_layer_forward(layer->inner[0], tape, x, training);
    /* y_b = backward(x_T .. x_1) */
    tg_tensor *bwd = tg_layer_forward(layer->inner[1], tape, flip_time(tape, x), training);
    /* a sequence comes out in the order it was read: flip it back to time
     * order, so that step t of both copies stands for x_t */
    if (bi->sequences)
        bwd = flip_time(tape, bwd);
    if (y_f)
        *y_f = fwd;
    if (y_b)
        *y_b = bwd;
    return merge(tape, bi->merge, fwd, bwd);
}

static tg_tensor *bidirectional_forward(tg_layer *self, tg_tape *tape, tg_tensor *x, int training)
{
    return tg_bidirectional_run(self, tape, x, training, NULL, NULL);
}

static const tg_layer_ops bidirectional_ops = {"Bidirectional", bidirectional_build,
                                               bidirectional_forward, tg_wrapper_destroy};

/* Keras's names: forward_<name>, backward_<name> (a prefix already there
 * is not doubled). */
static void rename_copy(tg_layer *layer, const char *prefix)
{
    char name[TG_LAYER_NAME_LEN];
    const char *base = strncmp(layer->name, prefix, strlen(prefix)) == 0
                           ? layer->name + strlen(prefix)
                           : layer->name;
    const int len = snprintf(name, sizeof name, "%s%s", prefix, base);
    if (len >= (int)sizeof name)
        tg_fatal("bidirectional: the name %s%s is longer than %d characters", prefix, base,
                 TG_LAYER_NAME_LEN - 1);
    memcpy(layer->name, name, (size_t)len + 1);
}

tg_layer *tg_bidirectional(tg_layer *forward, tg_layer *backward, tg_merge_mode merge_mode)
{
    tg_merge_mode_name(merge_mode); /* stops on an unknown mode */
    bidirectional_layer *bi = tg_xcalloc(1, sizeof *bi, "bidirectional");
    tg_layer_init(&bi->base, &bidirectional_ops, "bidirectional");
    tg_wrapper_hold(&bi->base, forward, "bidirectional");
    tg_wrapper_hold(&bi->base, backward, "bidirectional");
    rename_copy(forward, "forward_");
    rename_copy(backward, "backward_");
    bi->merge = merge_mode;
    bi->base.path = forward->path;
    return &bi->base;
}

tg_layer *tg_bidirectional_layer(const tg_layer *layer, int which)
{
    tg_layer_expect(layer, "Bidirectional", "bidirectional_layer");
    if (which != 0 && which != 1)
        tg_fatal("bidirectional_layer: %s has layers 0 (forward) and 1 (backward), not %d",
                 layer->name, which);
    return layer->inner[which];
}
