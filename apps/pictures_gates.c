/* Gates over time: the document's time-series model (section 4.1), trained
 * briefly on the embedded series, reads one test window while its LSTM
 * keeps its internals (tg_lstm_keep_internals); the picture shows the
 * window above and each of i_t, f_t, o_t, ~c_t, c_t, h_t below it as a
 * heatmap of units x time, on the same time axis. */
#include "apps/internal/pictures.h"

#include <math.h>

#include "layers/layers.h"
#include "train/train.h"

/* The embedded task and its training: tutorial 5's, a little longer. */
enum { SERIES_STEPS = 1500, WINDOW = 32, EPOCHS = 5, BATCH = 32 };
#define SEED 42

static const struct {
    const char *title;
    int gate; /* in [0, 1]: a sequential palette; otherwise centred on 0 */
} panels[6] = {
    {"i_t, input gate", 1},   {"f_t, forget gate", 1}, {"o_t, output gate", 1},
    {"~c_t, candidate", 0},   {"c_t, cell state", 0},  {"h_t, hidden state", 0},
};

static double max_abs(const tg_tensor *t)
{
    double m = 0;
    for (size_t k = 0; k < t->size; k++)
        m = fmax(m, fabs((double)t->data[k]));
    return m;
}

/* index 0: the window (step, value); index 1 + q: panel q as the grid
 * (time, unit, value) gnuplot's `with image` reads, LSTM step j drawn at
 * first + step j - 1.5, the middle of the window steps it has read. */
static void write_data(FILE *f, const tg_series_task *task, const tg_lstm_internals *in)
{
    int first, step, count;
    tg_series_model_alignment(WINDOW, &first, &step, &count);
    fprintf(f, "# test window 0 of %s: step, value\n", task->name);
    for (int t = 0; t < WINDOW; t++)
        fprintf(f, "%d %.5f\n", t, (double)TG_AT(task->x_test, 0, t, 0));
    const tg_tensor *q[6] = {in->i, in->f, in->o, in->c_tilde, in->c, in->h};
    const int T = in->i->shape.dim[1], H = in->i->shape.dim[2];
    for (int p = 0; p < 6; p++) {
        fprintf(f, "\n\n# %s: time, unit, value\n", panels[p].title);
        for (int j = 0; j < T; j++) {
            for (int u = 0; u < H; u++)
                fprintf(f, "%.2f %d %.5f\n", first + step * j - 1.5, u,
                        (double)TG_AT(q[p], 0, j, u));
            fprintf(f, "\n");
        }
    }
}

static void write_script(FILE *f, const tg_picture_files *files, const tg_lstm_internals *in,
                         const char *source)
{
    const tg_tensor *q[6] = {in->i, in->f, in->o, in->c_tilde, in->c, in->h};
    const int H = in->i->shape.dim[2];
    tg_picture_gnuplot_header(f, "gates", files->png, 900, 1400);
    fprintf(f, "set multiplot layout 7,1 title 'The LSTM of the time-series model (section "
               "4.1) reading one test window; %s'\n"
               "set lmargin at screen 0.08\nset rmargin at screen 0.86\n"
               "set xrange [-0.5:%d.5]\nset xtics 4\n", source, WINDOW - 1);
    fprintf(f, "set title 'the window: the input series x_t'\nset ylabel 'x_t'\nset grid\n"
               "plot '%s' index 0 using 1:2 with linespoints lw 2 pt 7 ps 0.5 notitle\n"
               "unset grid\nset ylabel 'unit'\nset yrange [-0.5:%d.5]\nset ytics 16\n",
            files->data, H - 1);
    for (int p = 0; p < 6; p++) {
        if (panels[p].gate)
            fprintf(f, "set palette defined (0 '#ffffff', 0.5 '#6baed6', 1 '#08306b')\n"
                       "set cbrange [0:1]\n");
        else
            fprintf(f, "set palette defined (-1 '#2166ac', 0 '#f7f7f7', 1 '#b2182b')\n"
                       "set cbrange [%.3f:%.3f]\n",
                    -fmax(max_abs(q[p]), 1e-3), fmax(max_abs(q[p]), 1e-3));
        if (p == 5)
            fprintf(f, "set xlabel 'window step t (an LSTM column is drawn over the steps its "
                       "pooled input has read)'\n");
        fprintf(f, "set title '%s'\nplot '%s' index %d using 1:2:3 with image notitle\n",
                panels[p].title, files->data, p + 1);
    }
    fprintf(f, "unset multiplot\n");
}

tg_status tg_picture_gates(tg_picture_files *files)
{
    tg_series_task task;
    tg_synthetic_task(1, SERIES_STEPS, WINDOW, SEED, &task);
    tg_model *m = tg_series_model(TG_SERIES_CNN_LSTM, WINDOW, 1, 1,
                                  (tg_app_model_opts){.seed = SEED});
    tg_model_compile(m, tg_optimizer_adam(1e-3), TG_LOSS_BCE, TG_METRIC_ACCURACY);
    tg_fit_opts fo = tg_fit_defaults();
    fo.epochs = EPOCHS;
    fo.batch_size = BATCH;
    fo.verbose = 0;
    tg_history h;
    tg_status st = tg_model_fit(m, task.x_train, task.y_train, &fo, &h);
    tg_history_free(&h);
    tg_layer *lstm = m->layers[2];
    tg_tensor *window = NULL;
    if (tg_is_ok(&st)) {
        tg_lstm_keep_internals(lstm, 1);
        window = tg_tensor_new(TG_SHAPE(1, WINDOW, 1));
        for (int t = 0; t < WINDOW; t++)
            window->data[t] = TG_AT(task.x_test, 0, t, 0);
        tg_tensor_free(tg_model_predict(m, window, 1));
        const tg_lstm_internals *in = tg_lstm_internals_of(lstm);
        char source[160];
        snprintf(source, sizeof source, "embedded series, seed %d, %d epochs", SEED, EPOCHS);
        tg_picture_out out;
        FILE *f = tg_picture_open(&out, files->data, &st);
        if (f) {
            write_data(f, &task, in);
            st = tg_picture_close(&out);
        }
        f = tg_is_ok(&st) ? tg_picture_open(&out, files->script, &st) : NULL;
        if (f) {
            write_script(f, files, in, source);
            st = tg_picture_close(&out);
        }
    }
    tg_tensor_free(window);
    tg_model_free(m);
    tg_series_task_free(&task);
    return st;
}
