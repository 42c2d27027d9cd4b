/* For the layer suites (Conv, MaxPool, Dense): their cases of the layer
 * gradcheck registry, and a check that holds a layer's fused path against
 * its reference path on the forward values and on every gradient. */
#ifndef TG_TESTS_LAYER_PATHS_H
#define TG_TESTS_LAYER_PATHS_H

#include <check.h>
#include <string.h>

#include "layers/layers.h"
#include "tensor/tensor.h"
#include "tests/support.h"
#include "layers/internal/gradcheck_cases.h"

/* Builds ref and fused (two unbuilt layers made with the same options) for
 * the per-sample part of `input`, gives them the same random parameters,
 * runs both on the same x, back-propagates the same random dy, and checks
 * y, dx and every d(param) agree to tol (relative, tg_ck_assert_close).
 * Frees both layers. */
static inline void tg_test_paths_agree(tg_layer *ref, tg_layer *fused, tg_shape input,
                                       uint64_t seed, double tol)
{
    ref->path = TG_PATH_REFERENCE;
    fused->path = TG_PATH_FUSED;
    tg_shape sample = {input.ndim - 1, {0}};
    for (int i = 1; i < input.ndim; i++)
        sample.dim[i - 1] = input.dim[i];
    tg_layer *layers[2] = {ref, fused};
    tg_tensor *x[2], *y[2];
    tg_tape *tape[2];
    for (int p = 0; p < 2; p++) {
        tg_rng rng;
        tg_rng_seed(&rng, seed);
        tg_layer_build(layers[p], sample, &rng);
        for (int i = 0; i < layers[p]->n_params; i++)
            tg_init_uniform(layers[p]->params[i], &rng, -0.5, 0.5);
        x[p] = tg_tensor_uniform(input, &rng, -1, 1);
        tg_tensor_requires_grad(x[p]);
        tape[p] = tg_tape_new();
        y[p] = tg_layer_forward(layers[p], tape[p], x[p], 1);
        tg_tensor *dy = tg_tensor_uniform(y[p]->shape, &rng, -1, 1);
        tg_tape_backward_seeded(tape[p], y[p], dy->data);
        tg_tensor_free(dy);
    }
    ck_assert(tg_shape_equal(y[0]->shape, y[1]->shape));
    for (size_t k = 0; k < y[0]->size; k++)
        tg_ck_assert_close(y[1]->data[k], y[0]->data[k], tol);
    for (size_t k = 0; k < x[0]->size; k++)
        tg_ck_assert_close(x[1]->grad[k], x[0]->grad[k], tol);
    ck_assert_int_eq(ref->n_params, fused->n_params);
    for (int i = 0; i < ref->n_params; i++)
        for (size_t k = 0; k < ref->params[i]->size; k++)
            tg_ck_assert_close(fused->params[i]->grad[k], ref->params[i]->grad[k], tol);
    for (int p = 0; p < 2; p++) {
        tg_tape_free(tape[p]);
        tg_tensor_free(x[p]);
        tg_layer_free(layers[p]);
    }
}

/* The i-th (from 0) case of the layer gradcheck registry whose name starts
 * with prefix ("conv", "dense", "maxpool"); NULL past the last. */
static inline const tg_gradcheck_case *tg_test_layer_case(const char *prefix, int i)
{
    int n, seen = 0;
    const tg_gradcheck_case *cases = tg_layer_gradcheck_cases(&n);
    const size_t len = strlen(prefix);
    for (int k = 0; k < n; k++)
        if (strncmp(cases[k].name, prefix, len) == 0 && seen++ == i)
            return &cases[k];
    return NULL;
}

/* How many cases of the registry have names starting with prefix. */
static inline int tg_test_layer_cases(const char *prefix)
{
    int n = 0;
    while (tg_test_layer_case(prefix, n))
        n++;
    return n;
}

#endif
