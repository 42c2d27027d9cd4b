/* The images task end to end: Fashion-MNIST (section 4.2's model, ten
 * classes), or the embedded shapes. */
#include "apps/internal/app_steps.h"

#include <math.h>
#include <string.h>

#include "datasets/datasets.h"
#include "train/train.h"

/* The embedded sets: big enough to learn, small enough for a demo in well
 * under a minute on two cores. */
#define EMBEDDED_IMAGES_TRAIN 6000
#define EMBEDDED_IMAGES_TEST 1000

tg_status tg_app_run_images(const tg_app_opts *o, tg_app_result *r, FILE *out)
{
    tg_image_set train, test;
    char source[1200];
    tg_status loaded = tg_app_image_sets(o, EMBEDDED_IMAGES_TRAIN, EMBEDDED_IMAGES_TEST, &train,
                                         &test, &r->embedded, source, sizeof source, out);
    if (!tg_is_ok(&loaded))
        return loaded;
    if (test.classes > train.classes)
        train.classes = test.classes;
    test.classes = train.classes;
    /* A view of the first images (no copy) when asked to train on fewer. */
    tg_image_set fit_set = train;
    if (o->limit > 0 && o->limit < train.count)
        fit_set.count = o->limit;
    /* The test set is scored once, after training: what validates each
     * epoch (and what early stopping watches) is the last tenth of the
     * training images, held out, as the document's validation_data=(X_val,
     * y_val) intends. A view again, no copy. */
    const size_t n_val = fit_set.count / 10, pixels = (size_t)train.rows * (size_t)train.cols;
    fit_set.count -= n_val;
    tg_image_set val_set = fit_set;
    val_set.count = n_val;
    val_set.pixels = fit_set.pixels + fit_set.count * pixels;
    val_set.labels = fit_set.labels + fit_set.count;
    fprintf(out, "task: %d-class images\ndata: %s\n", train.classes, source);
    fprintf(out, "%zu training images, %zu validation images (the last tenth of the training "
                 "set), %zu test images (%d x %d)\n",
            fit_set.count, val_set.count, test.count, train.rows, train.cols);
    fprintf(out, "model: %s (compare --model %s and %s on the same images)\n\n",
            tg_images_arch_name(o->images_arch), tg_images_arch_name(TG_IMAGES_CNN_LSTM),
            tg_images_arch_name(TG_IMAGES_RCNN));

    tg_app_model_opts mo = {.peephole = o->peephole, .reg = {o->l1, o->l2}, .seed = o->seed};
    tg_model *m = o->images_arch == TG_IMAGES_RCNN
                      ? tg_images_rcnn_model(train.rows, train.cols, train.classes, mo)
                      : tg_images_model(train.rows, train.cols, train.classes, mo);
    int whole_set = 0;
    tg_status st = tg_app_compile(m, o, TG_LOSS_CCE, TG_METRIC_ACCURACY, &whole_set);
    if (tg_is_ok(&st) && whole_set)
        st = tg_status_error("optimizer gd (the whole set per step) is not offered for images");
    if (tg_is_ok(&st))
        st = tg_app_load_weights(m, o, out);
    if (tg_is_ok(&st)) {
        tg_model_summary(m, out);
        fprintf(out, "\n");
        tg_fit_opts f = tg_app_fit_options(o, 0, out);
        tg_history h;
        st = tg_model_fit_images(m, &fit_set, &val_set, &f, &h);
        tg_app_record(r, &h);
        double acc;
        if (tg_is_ok(&st))
            st = tg_app_test_figures(
                tg_model_evaluate_images(m, &test, o->batch_size, &r->test_loss, &acc));
        if (tg_is_ok(&st)) {
            r->test_metric = r->model = acc;
            size_t counts[256] = {0}, best = 0;
            for (size_t i = 0; i < fit_set.count; i++)
                counts[fit_set.labels[i]]++;
            for (int c = 0; c < 256; c++)
                best = counts[c] > counts[best] ? (size_t)c : best;
            size_t hits = 0;
            for (size_t i = 0; i < test.count; i++)
                hits += test.labels[i] == best;
            r->majority = (double)hits / (double)test.count;
            r->persistence = NAN;
            fprintf(out, "\ntest: loss %.4f, accuracy %.4f (majority class: %.4f)\n",
                    r->test_loss, acc, r->majority);
        }
        const tg_status written = tg_app_write_outputs(m, &h, o, out);
        if (tg_is_ok(&st))
            st = written;
        tg_history_free(&h);
    }
    tg_model_free(m);
    tg_image_set_free(&train);
    tg_image_set_free(&test);
    return st;
}

