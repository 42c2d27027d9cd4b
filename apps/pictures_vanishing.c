/* The vanishing gradient, measured: for a loss on the last step only,
 * L = sum(h_T), how large dL/dx_t still is at every step t, for SimpleRNN
 * and for the document's LSTM with several forget-gate biases, with and
 * without peepholes; and its picture, on a log scale. */
#include "apps/internal/pictures.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "autograd/autograd.h"
#include "layers/layers.h"

static const tg_vanishing_cell cells[] = {
    {"simple_rnn", "SimpleRNN", 0, TG_PEEPHOLE_NONE, 0},
    {"lstm_bf0", "LSTM b_f = 0", 1, TG_PEEPHOLE_NONE, 0},
    {"lstm_bf1", "LSTM b_f = 1", 1, TG_PEEPHOLE_NONE, 1},
    {"lstm_bf3", "LSTM b_f = 3", 1, TG_PEEPHOLE_NONE, 3},
    {"peephole_bf0", "peephole LSTM b_f = 0", 1, TG_PEEPHOLE_DIAGONAL, 0},
    {"peephole_bf1", "peephole LSTM b_f = 1", 1, TG_PEEPHOLE_DIAGONAL, 1},
    {"peephole_bf3", "peephole LSTM b_f = 3", 1, TG_PEEPHOLE_DIAGONAL, 3},
};

const tg_vanishing_cell *tg_vanishing_cells(int *n)
{
    *n = (int)(sizeof cells / sizeof cells[0]);
    return cells;
}

tg_vanishing_opts tg_vanishing_defaults(void)
{
    return (tg_vanishing_opts){.steps = 100, .units = 32, .input_dim = 4, .batch = 16,
                               .seeds = 5, .seed = 1, .peephole_range = 0.5};
}

static tg_tensor *param(tg_layer *layer, const char *name)
{
    for (int k = 0; k < layer->n_params; k++)
        if (!strcmp(layer->params[k]->name, name))
            return layer->params[k];
    return NULL;
}

tg_layer *tg_vanishing_layer(const tg_vanishing_cell *cell, const tg_vanishing_opts *o,
                             tg_rng *rng)
{
    const tg_shape input = TG_SHAPE(o->steps, o->input_dim);
    if (!cell->lstm) {
        tg_layer *rnn = tg_simple_rnn((tg_simple_rnn_opts){.units = o->units});
        tg_layer_build(rnn, input, rng);
        return rnn;
    }
    tg_layer *lstm = tg_lstm((tg_lstm_opts){.units = o->units, .peephole = cell->peephole});
    tg_layer_build(lstm, input, rng);
    tg_tensor_fill(param(lstm, "b_f"), (tg_real)cell->forget_bias);
    /* Keras-like zeros would make the peephole rows equal the others
     * exactly: the peepholes are drawn, W_c* ~ U(-r, r). */
    static const char *const peepholes[] = {"W_ci", "W_cf", "W_cc", "W_co"};
    for (int k = 0; k < 4 && o->peephole_range > 0; k++) {
        tg_tensor *w = param(lstm, peepholes[k]);
        if (w)
            tg_init_uniform(w, rng, -o->peephole_range, o->peephole_range);
    }
    return lstm;
}

void tg_vanishing_profile(const tg_vanishing_cell *cell, const tg_vanishing_opts *o,
                          double *norms)
{
    const int T = o->steps, D = o->input_dim, N = o->batch;
    if (T < 1 || D < 1 || N < 1 || o->units < 1 || o->seeds < 1)
        tg_fatal("vanishing_profile: steps %d, input_dim %d, batch %d, units %d and seeds %d "
                 "must be >= 1", T, D, N, o->units, o->seeds);
    for (int t = 0; t < T; t++)
        norms[t] = 0;
    tg_tape *tape = tg_tape_new();
    for (int s = 0; s < o->seeds; s++) {
        tg_rng rng;
        tg_rng_seed(&rng, o->seed + (uint64_t)s);
        tg_layer *layer = tg_vanishing_layer(cell, o, &rng);
        tg_tensor *x = tg_tensor_normal(TG_SHAPE(N, T, D), &rng, 0, 1);
        tg_tensor_requires_grad(x);
        tg_tensor *h_T;
        if (cell->lstm)
            tg_lstm_run(layer, tape, x, NULL, NULL, &h_T, NULL);
        else
            tg_simple_rnn_run(layer, tape, x, NULL, &h_T);
        /* L = sum(h_T): a loss on the last step only */
        tg_tape_backward(tape, tg_sum(tape, h_T));
        for (int n = 0; n < N; n++)
            for (int t = 0; t < T; t++) {
                double sq = 0;
                for (int d = 0; d < D; d++) {
                    const double g = x->grad[((size_t)n * T + (size_t)t) * D + (size_t)d];
                    sq += g * g;
                }
                /* log10 of ||dL/dx_t||; an underflow to 0 counts as 1e-300 */
                norms[t] += log10(fmax(sqrt(sq), 1e-300));
            }
        tg_tape_reset(tape);
        tg_tensor_free(x);
        tg_layer_free(layer);
    }
    for (int t = 0; t < T; t++)
        norms[t] = pow(10, norms[t] / ((double)o->seeds * N));
    tg_tape_free(tape);
}

/* The plot: one curve per cell, ||dL/dx_t|| over t, on a log scale; the
 * same panel as text through the dumb terminal. */
static void vanishing_panel(FILE *f, const char *data, int n_cells, const char *style)
{
    fprintf(f, "plot ");
    for (int c = 0; c < n_cells; c++)
        fprintf(f, "%s'%s' using 1:%d %s lt %d title '%s'", c ? ", \\\n     " : "", data, c + 2,
                style, c + 1, cells[c].label);
    fprintf(f, "\n");
}

tg_status tg_picture_vanishing(tg_picture_files *files)
{
    int n_cells;
    tg_vanishing_cells(&n_cells);
    const tg_vanishing_opts o = tg_vanishing_defaults();
    double *norms = tg_xmalloc((size_t)n_cells * (size_t)o.steps * sizeof *norms, "vanishing");
    for (int c = 0; c < n_cells; c++)
        tg_vanishing_profile(&cells[c], &o, norms + (size_t)c * o.steps);
    if (!tg_picture_sibling(files->png, ".txt", files->text, sizeof files->text)) {
        free(norms);
        return tg_status_error("picture: the path %s is too long", files->png);
    }
    tg_status st = tg_status_ok();
    tg_picture_out out;
    FILE *f = tg_picture_open(&out, files->data, &st);
    if (f) {
        fprintf(f, "# ||dL/dx_t|| for L = sum(h_T), T = %d, H = %d, D = %d: geometric mean over "
                   "%d seeds x %d sequences\n# t", o.steps, o.units, o.input_dim, o.seeds, o.batch);
        for (int c = 0; c < n_cells; c++)
            fprintf(f, " %s", cells[c].name);
        fprintf(f, "\n");
        for (int t = 0; t < o.steps; t++) {
            fprintf(f, "%d", t + 1);
            for (int c = 0; c < n_cells; c++)
                fprintf(f, " %.4e", norms[(size_t)c * o.steps + t]);
            fprintf(f, "\n");
        }
        st = tg_picture_close(&out);
    }
    free(norms);
    if (!tg_is_ok(&st))
        return st;
    f = tg_picture_open(&out, files->script, &st);
    if (!f)
        return st;
    tg_picture_gnuplot_header(f, "vanishing", files->png, 900, 600);
    fprintf(f, "set logscale y\nset format y '1e%%T'\nset grid\nset key outside right top\n"
               "set xrange [1:%d]\nset xlabel 't (the loss reads h_T, T = %d)'\n"
               "set ylabel '||dL/dx_t||'\n"
               "set title 'How much of the gradient reaches step t (Keras initialisers, "
               "mean over %d seeds)'\n", o.steps, o.steps, o.seeds);
    vanishing_panel(f, files->data, n_cells, "with lines lw 2");
    fprintf(f, "\n");
    tg_picture_gnuplot_text(f, files->text, 100, 40);
    fprintf(f, "unset grid\nset key below\nset title 'log10 ||dL/dx_t||'\n");
    vanishing_panel(f, files->data, n_cells, "with lines");
    fprintf(f, "set output\n");
    return tg_picture_close(&out);
}
