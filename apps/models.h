/* The models of the document's section 4, built as the document writes them (and
 * the other direction its step 2 mentions, LSTM into CNN):
 *
 *   time series (4.1):  Conv1D(32, 3, relu) -> MaxPooling1D(2)
 *                       -> LSTM(64, return_sequences) -> Dense(32, relu)
 *                       -> Dense(1, sigmoid)                       binary cross-entropy
 *   regression:         the same with Dense(1) linear             mean squared error
 *   images (4.2):       Conv2D(32, 3x3, relu) -> MaxPooling2D(2x2)
 *                       -> rows as time steps (the missing Reshape)
 *                       -> LSTM(64) -> Dense(32, relu) -> Dense(10, softmax)
 *                                                                  categorical cross-entropy
 *   LSTM -> CNN:        LSTM(32, return_sequences) -> Conv1D(32, 3, relu)
 *                       -> MaxPooling1D(2) -> Dense(32, relu) -> Dense(1, out)
 *
 * The models come uncompiled: the caller picks the optimizer. */
#ifndef TG_APP_MODELS_H
#define TG_APP_MODELS_H

#include "autograd/gradcheck_registry.h"
#include "layers/lstm.h"
#include "train/model.h"

typedef struct tg_app_model_opts {
    tg_peephole peephole; /* the LSTM's peepholes (lstm.h; default: the document's diagonal) */
    tg_regularizer reg;   /* kernel regularizer of every layer with a kernel */
    uint64_t seed;        /* initial weights and shuffling */
} tg_app_model_opts;

typedef enum {
    TG_SERIES_CNN_LSTM = 0, /* the document's 4.1: convolution first */
    TG_SERIES_LSTM_CNN,     /* LSTM first, its sequence into the convolution */
} tg_series_arch;

/* Per-sample input (T, D), T >= 4; output ((T - 2) / 2, 1), one value per
 * pooled step, sigmoid (binary) or linear (regression). */
tg_model *tg_series_model(tg_series_arch arch, int T, int D, int binary,
                               tg_app_model_opts o);

/* Per-sample input (rows, cols, 1); output (classes), softmax. */
tg_model *tg_images_model(int rows, int cols, int classes, tg_app_model_opts o);

/* Which window steps the series models' outputs stand for: both models end
 * with a valid Conv1D(k = 3) and a MaxPooling1D(2) in time order, so pooled
 * output j has seen the inputs up to window step 2 j + 3 (series.h). */
void tg_series_model_alignment(int T, int *first, int *step, int *count);

/* lstm_cnn: the LSTM -> CNN stack, small, every parameter and the input. */
const tg_gradcheck_case *tg_app_model_gradcheck_cases(int *n);

#endif
