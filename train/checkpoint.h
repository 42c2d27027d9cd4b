/* Checkpoints: all of a model's weights in one file, a POSIX ustar archive
 * holding one .npy file per parameter, named <layer>/<param>.npy
 * ("dense/kernel.npy", "lstm/W_xi.npy"), in the model's order. A student
 * can `tar xf model.ckpt` and np.load() each entry.
 *
 * Saving writes path.tmp, fsyncs it and renames it into place, so a crash
 * leaves the old checkpoint or the new one, never half of one. Loading
 * reads and checks every entry (names, shapes, sizes, the archive's
 * checksums and its end) before it changes any weight: on any mismatch,
 * truncation or garbage the model is untouched and the status says why. */
#ifndef TG_CHECKPOINT_H
#define TG_CHECKPOINT_H

#include "train/model.h"

tg_status tg_model_save(const tg_model *m, const char *path);
tg_status tg_model_load(tg_model *m, const char *path);

#endif
