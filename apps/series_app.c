/* The series tasks end to end: Seattle rain tomorrow (section 4.1's model,
 * binary), Seattle next-hour temperature (its regression), or the embedded
 * series. */
#include "apps/internal/app_steps.h"

#include <math.h>
#include <string.h>

#include "datasets/datasets.h"
#include "train/train.h"

/* The embedded series: long enough to learn, short enough for a demo in
 * well under a minute on two cores. */
#define EMBEDDED_SERIES_STEPS 3000

static tg_status series_data(const tg_app_opts *o, int binary, tg_series_task *t, FILE *out,
                             int *embedded)
{
    int T = o->steps;
    *embedded = 1;
    if (!o->embedded) {
        tg_status st = binary ? tg_rain_task(o->data_dir, T ? T : 32, t)
                              : tg_temps_task(o->data_dir, T ? T : 24, t);
        if (tg_is_ok(&st)) {
            *embedded = 0;
            st = tg_app_refuse_outputs_over(o, t->source);
            if (!tg_is_ok(&st))
                tg_series_task_free(t);
            return st;
        }
        /* A file named by the user, or found but broken, is an error; only
         * "not installed" falls back to the embedded data. */
        if (o->data_dir || st.code != TG_DATA_NOT_FOUND)
            return st;
        fprintf(out, "note: %s\n      using the embedded data instead\n", st.msg);
    }
    tg_status st = tg_synthetic_task(binary, EMBEDDED_SERIES_STEPS, T ? T : 32, o->seed, t);
    /* Only a window length can fail here (the default fits). */
    return tg_is_ok(&st) ? st : tg_status_error("--steps %d: %s", T, st.msg);
}

tg_status tg_app_run_series(const tg_app_opts *o, tg_app_result *r, FILE *out)
{
    const int binary = o->task == TG_APP_TIMESERIES;
    tg_series_task t;
    tg_status st = series_data(o, binary, &t, out, &r->embedded);
    if (!tg_is_ok(&st))
        return st;
    tg_series_model_targets(o->arch, &t);
    fprintf(out, "task: %s\ndata: %s\n", t.name, t.source);
    fprintf(out, "windows of T = %d steps, D = %d features: %d train, %d validation, %d test "
                 "(split by time; scaling fitted on the training range)\n",
            t.T, t.D, t.x_train->shape.dim[0], t.x_val->shape.dim[0], t.x_test->shape.dim[0]);
    tg_series_model_describe_targets(o->arch, t.T, out);

    tg_app_model_opts mo = {.peephole = o->peephole, .reg = {o->l1, o->l2}, .seed = o->seed};
    tg_model *m = tg_series_model(o->arch, t.T, t.D, binary, mo);
    int whole_set = 0;
    st = tg_app_compile(m, o, binary ? TG_LOSS_BCE : TG_LOSS_MSE,
                 binary ? TG_METRIC_ACCURACY : TG_METRIC_MAE, &whole_set);
    if (tg_is_ok(&st))
        st = tg_app_load_weights(m, o, out);
    if (!tg_is_ok(&st)) {
        tg_model_free(m);
        tg_series_task_free(&t);
        return st;
    }
    tg_model_summary(m, out);
    fprintf(out, "\n");

    tg_fit_opts f = tg_app_fit_options(o, whole_set, out);
    f.x_val = t.x_val;
    f.y_val = t.y_val;
    tg_history h;
    st = tg_model_fit(m, t.x_train, t.y_train, &f, &h);
    tg_app_record(r, &h);
    double metric;
    if (tg_is_ok(&st))
        st = tg_app_test_figures(
            tg_model_evaluate(m, t.x_test, t.y_test, o->batch_size, &r->test_loss, &metric));
    if (tg_is_ok(&st)) {
        r->test_metric = metric;
        tg_tensor *pred = tg_model_predict(m, t.x_test, 256);
        tg_series_scores sc = tg_series_task_score(&t, pred);
        tg_tensor_free(pred);
        r->model = sc.model;
        r->persistence = sc.persistence;
        r->majority = sc.majority;
        fprintf(out, "\ntest, every output step: loss %.4f, %s %.4f\n", r->test_loss,
                binary ? "accuracy" : "mae (scaled units)", metric);
        fprintf(out, "test, last output step of each of the %d test windows:\n", t.n_test);
        if (binary) {
            fprintf(out, "  model accuracy                          %.4f\n", sc.model);
            fprintf(out, "  persistence (like the last step seen)   %.4f   (%.4f over the whole "
                         "set)\n", sc.persistence, t.whole_persistence);
            fprintf(out, "  majority (the commoner training class)  %.4f   (%.4f over the whole "
                         "set)\n", sc.majority, t.whole_majority);
        } else {
            fprintf(out, "  model MSE                               %.4f\n", sc.model);
            fprintf(out, "  persistence MSE (like the last step)    %.4f\n", sc.persistence);
        }
    }
    const tg_status written = tg_app_write_outputs(m, &h, o, out);
    if (tg_is_ok(&st))
        st = written;
    tg_history_free(&h);
    tg_model_free(m);
    tg_series_task_free(&t);
    return st;
}

