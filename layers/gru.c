/* The GRU layer: its options, its parameters in Keras's layout and their
 * initialisation, the function form that runs one of its two paths (the
 * four equations unrolled from tape ops, gru_reference.c, or the fused op,
 * gru_fused.c), and the parameters as Keras's .npy files. */
#include "layers/internal/gru_layer.h"

#include <stdio.h>
#include <string.h>

#include "autograd/autograd.h"
#include "tensor/tensor.h"

static tg_shape gru_build(tg_layer *self, tg_shape input, tg_rng *rng)
{
    tg_gru_layer *l = (tg_gru_layer *)self;
    if (input.ndim != 2 || input.dim[0] < 1 || input.dim[1] < 1) {
        char s[TG_SHAPE_STR_LEN];
        tg_fatal("%s: GRU needs a per-sample input (T, D) with T, D >= 1, got %s", self->name,
                 tg_shape_str(input, s, sizeof s));
    }
    const int D = input.dim[1], H = l->opts.units, G = TG_GRU_GATES * H;
    l->D = D;
    l->H = H;
    l->kernel = tg_layer_add_param(self, "kernel", TG_SHAPE(D, G), 1);
    l->recurrent_kernel = tg_layer_add_param(self, "recurrent_kernel", TG_SHAPE(H, G), 1);
    l->bias = tg_layer_add_param(self, "bias",
                                 l->opts.reset_before ? TG_SHAPE(G) : TG_SHAPE(2, G), 0);
    /* Keras initialises each packed kernel as one matrix: the Glorot limit
     * is sqrt(6 / (D + 3H)) and the recurrent kernel's H rows (not each
     * gate's block) are orthonormal. The bias starts at zero. */
    tg_init_glorot_uniform(l->kernel, rng);
    tg_init_orthogonal(l->recurrent_kernel, rng, 1.0);
    return l->opts.return_sequences ? TG_SHAPE(input.dim[0], H) : TG_SHAPE(H);
}

tg_tensor *tg_gru_run(tg_layer *gru, tg_tape *tape, tg_tensor *x, tg_tensor *h0,
                      tg_tensor **h_T)
{
    tg_gru_layer *l = tg_gru_layer_of(gru, "gru_run");
    if (x->shape.ndim != 3 || x->shape.dim[0] < 1 || x->shape.dim[1] < 1 ||
        x->shape.dim[2] != l->D) {
        char s[TG_SHAPE_STR_LEN];
        tg_fatal("%s: GRU input must be (N, T, D) with D = %d, got %s", gru->name, l->D,
                 tg_shape_str(x->shape, s, sizeof s));
    }
    const int N = x->shape.dim[0], T = x->shape.dim[1], H = l->H;
    if (h0) {
        char op[TG_LAYER_NAME_LEN + 8];
        snprintf(op, sizeof op, "%s h0", gru->name);
        tg_tensor_expect_shape(op, h0, TG_SHAPE(N, H));
    }

    tg_tensor *out, *h_last;
    if (gru->path == TG_PATH_REFERENCE) {
        if (!h0) {
            h0 = tg_tape_tensor(tape, TG_SHAPE(N, H));
            memset(h0->data, 0, h0->size * sizeof *h0->data);
        }
        tg_tensor **h_seq = tg_tape_alloc(tape, (size_t)T * sizeof *h_seq);
        tg_gru_reference_steps(l, tape, x, h0, h_seq);
        h_last = h_seq[T - 1];
        out = l->opts.return_sequences ? tg_stack(tape, h_seq, T, 1) : h_last;
    } else {
        tg_tensor *states = tg_gru_fused_states(l, tape, x, h0);
        h_last = !l->opts.return_sequences || h_T
                     ? tg_reshape(tape, tg_slice(tape, states, 1, T - 1, 1, 1), TG_SHAPE(N, H))
                     : NULL;
        out = l->opts.return_sequences ? states : h_last;
    }
    if (h_T)
        *h_T = h_last;
    return out;
}

static tg_tensor *gru_forward(tg_layer *self, tg_tape *tape, tg_tensor *x, int training)
{
    return tg_gru_run(self, tape, x, NULL, NULL);
}

static const tg_layer_ops gru_ops = {"GRU", gru_build, gru_forward, NULL};

tg_layer *tg_gru(tg_gru_opts o)
{
    if (o.units < 1)
        tg_fatal("gru: units must be >= 1, got %d", o.units);
    tg_gru_layer *l = tg_xcalloc(1, sizeof *l, "gru");
    tg_layer_init(&l->base, &gru_ops, "gru");
    l->opts = o;
    return &l->base;
}

/* ---- Keras's files: the parameters are already in Keras's layout ---- */

static void file_path(char *path, size_t len, const char *prefix, const tg_tensor *p)
{
    snprintf(path, len, "%s%s.npy", prefix, p->name);
}

tg_status tg_gru_keras_save(const tg_layer *gru, const char *prefix)
{
    tg_gru_layer_of(gru, "gru_keras_save");
    tg_status st = tg_status_ok();
    for (int k = 0; k < gru->n_params && tg_is_ok(&st); k++) {
        char path[4096];
        file_path(path, sizeof path, prefix, gru->params[k]);
        st = tg_npy_save(path, gru->params[k]);
    }
    return st;
}

tg_status tg_gru_keras_load(tg_layer *gru, const char *prefix)
{
    tg_gru_layer_of(gru, "gru_keras_load");
    tg_tensor *loaded[3] = {NULL, NULL, NULL}; /* kernel, recurrent kernel, bias */
    tg_status st = tg_status_ok();
    for (int k = 0; k < gru->n_params && tg_is_ok(&st); k++) {
        char path[4096];
        file_path(path, sizeof path, prefix, gru->params[k]);
        st = tg_npy_load(path, &loaded[k]);
        if (tg_is_ok(&st) && !tg_shape_equal(loaded[k]->shape, gru->params[k]->shape)) {
            char got[TG_SHAPE_STR_LEN], want[TG_SHAPE_STR_LEN];
            st = tg_status_error("gru_keras_load: %s holds %s, the layer %s needs %s (a GRU "
                                 "of other units, inputs or reset_after?)",
                                 path, tg_shape_str(loaded[k]->shape, got, sizeof got), gru->name,
                                 tg_shape_str(gru->params[k]->shape, want, sizeof want));
        }
    }
    for (int k = 0; k < gru->n_params; k++) {
        if (tg_is_ok(&st))
            tg_tensor_copy_data(gru->params[k], loaded[k]);
        if (loaded[k])
            tg_tensor_free(loaded[k]);
    }
    return st;
}
