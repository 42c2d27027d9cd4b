/* tapegrad: the one header a user includes. Each folder's header lists what
 * that folder exports; arrows point one way only:
 * tensor <- autograd <- layers <- train. */
#ifndef TAPEGRAD_H
#define TAPEGRAD_H

#include "tensor/tensor.h"
#include "tensor/init.h"
#include "tensor/file.h"
#include "tensor/npy.h"

#include "autograd/tape.h"
#include "autograd/ops.h"
#include "autograd/gradcheck.h"

#include "layers/activation_layer.h"
#include "layers/conv.h"
#include "layers/dense.h"
#include "layers/lstm.h"
#include "layers/pool.h"
#include "layers/reshape.h"
#include "layers/gradcheck_layers.h"

#include "train/csv.h"
#include "train/data_path.h"
#include "train/idx.h"
#include "train/image_set.h"
#include "train/scale.h"
#include "train/series.h"
#include "train/synthetic.h"

#include "train/checkpoint.h"
#include "train/clip.h"
#include "train/early_stopping.h"
#include "train/fit.h"
#include "train/history.h"
#include "train/loss.h"
#include "train/metrics.h"
#include "train/model.h"
#include "train/optimizer.h"
#include "train/plot.h"
#include "train/regularizer.h"

#endif
