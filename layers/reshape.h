/* Layers that only change the shape (no parameters; the data is shared):
 * Flatten, Reshape, and "image rows as time steps", the step the document's
 * image model (section 4.2) leaves out between MaxPooling2D and the LSTM,
 * which Keras would reject without it:
 *
 *     (N, H, W, C) -> (N, H, W C):  row h of the image is time step h. */
#ifndef TG_RESHAPE_H
#define TG_RESHAPE_H

#include "layers/layer.h"

/* (N, ...) -> (N, product of the rest). Default name "flatten". */
tg_layer *tg_flatten(void);
/* (N, ...) -> (N, shape...), shape per sample; one dimension may be -1
 * (inferred, as in Keras). Default name "reshape". */
tg_layer *tg_reshape_layer(tg_shape shape);
/* (N, H, W, C) -> (N, H, W C). Default name "rows_as_steps". */
tg_layer *tg_rows_as_steps(void);

#endif
