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

#include "datasets/csv.h"
#include "datasets/data_path.h"
#include "datasets/idx.h"
#include "datasets/image_set.h"
#include "datasets/scale.h"
#include "datasets/series.h"
#include "datasets/synthetic.h"

#include "train/checkpoint.h"
#include "train/clip.h"
#include "train/early_stopping.h"
#include "train/fit.h"
#include "train/history.h"
#include "train/loss.h"
#include "train/metrics.h"
#include "train/model.h"
#include "train/optimizer.h"
#include "apps/plot.h"
#include "train/regularizer.h"

#endif
