/* fit and evaluate for image sets kept as bytes (image_set.h).
 *
 * Fashion-MNIST as one tensor would be 60000 x 784 tg_real (188 MB in
 * float, 376 MB in double). Instead each epoch draws one random order of
 * all the images and walks it in chunks of TG_FIT_IMAGES_CHUNK: a chunk is
 * converted to tg_real and trained on by tg_model_fit (one epoch, in the
 * drawn order), so the batches are the same as with one big shuffled
 * tensor, and at most one chunk is ever in tg_real. */
#ifndef TG_FIT_IMAGES_H
#define TG_FIT_IMAGES_H

#include "train/fit.h"
#include "train/image_set.h"

#define TG_FIT_IMAGES_CHUNK 2048

/* Like tg_model_fit with x, y = train (one-hot labels) and the validation
 * data val (may be NULL). Uses epochs, batch_size, shuffle, clip_norm,
 * early_stopping (patience on val_loss, or loss without val), verbose and
 * out of opts; validation_split, x_val and y_val are ignored. */
tg_status tg_model_fit_images(tg_model *m, const tg_image_set *train, const tg_image_set *val,
                              const tg_fit_opts *opts, tg_history *history);

/* Loss and metrics over a whole set, a chunk at a time. */
double tg_model_evaluate_images(tg_model *m, const tg_image_set *set, int batch_size,
                                double *metrics);

#endif
