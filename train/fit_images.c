#include "train/train.h"

#include <stdlib.h>

/* An image set as a tg_fit_source; index is room for one batch's indices
 * as image_set.h takes them. */
typedef struct {
    const tg_image_set *set;
    size_t *index;
} image_source;

static void gather_images(const void *ctx, const int *idx, int count, tg_tensor *x, tg_tensor *y)
{
    const image_source *s = ctx;
    for (int i = 0; i < count; i++)
        s->index[i] = (size_t)idx[i];
    tg_image_set_batch(s->set, s->index, (size_t)count, x, y);
}

static tg_fit_source image_source_open(const tg_image_set *set, image_source *s)
{
    s->set = set;
    s->index = tg_xmalloc(set->count * sizeof *s->index, "fit images");
    return (tg_fit_source){TG_SHAPE((int)set->count, set->rows, set->cols, 1),
                           TG_SHAPE((int)set->count, set->classes), gather_images, s};
}

tg_status tg_model_evaluate_images(tg_model *m, const tg_image_set *set, int batch_size,
                                   double *loss, double *metrics)
{
    image_source s;
    const tg_fit_source src = image_source_open(set, &s);
    const tg_status st = tg_model_evaluate_source(m, &src, batch_size, loss, metrics);
    free(s.index);
    return st;
}

tg_status tg_model_fit_images(tg_model *m, const tg_image_set *train, const tg_image_set *val,
                              const tg_fit_opts *o, tg_history *history)
{
    if (o->epochs < 1 || o->batch_size < 1)
        tg_fatal("fit images: epochs %d and batch_size %d must be >= 1", o->epochs, o->batch_size);
    const int has_val = val && val->count > 0;
    image_source ts, vs = {0};
    const tg_fit_source train_src = image_source_open(train, &ts);
    tg_fit_source val_src = {0};
    if (has_val)
        val_src = image_source_open(val, &vs);
    const tg_status st = tg_model_fit_source(m, &train_src, has_val ? &val_src : NULL, o, history);
    free(ts.index);
    free(vs.index);
    return st;
}
