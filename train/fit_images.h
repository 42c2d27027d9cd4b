/* fit and evaluate for image sets kept as bytes (image_set.h).
 *
 * Fashion-MNIST as one tensor would be 60000 x 784 tg_real (188 MB in
 * float, 376 MB in double). Instead the set is a tg_fit_source for fit's
 * loop: each batch's images are converted to tg_real straight into the
 * tape's arena, so the batches are the same as with one big shuffled
 * tensor, and only one batch is ever in tg_real. */
#ifndef TG_FIT_IMAGES_H
#define TG_FIT_IMAGES_H

#include "train/fit.h"
#include "datasets/image_set.h"

/* Like tg_model_fit with x, y = train (one-hot labels) and the validation
 * data val (may be NULL); batch_size must be >= 1 (a whole set of images
 * in one batch is not offered). validation_split, x_val and y_val of opts
 * are ignored. */
tg_status tg_model_fit_images(tg_model *m, const tg_image_set *train, const tg_image_set *val,
                              const tg_fit_opts *opts, tg_history *history);

/* Loss and metrics over a whole set, a batch at a time. */
double tg_model_evaluate_images(tg_model *m, const tg_image_set *set, int batch_size,
                                double *metrics);

#endif
