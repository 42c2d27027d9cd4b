/* tapegrad: the one header a user includes, and the whole documented API.
 * Each folder has one public header; the folders stand on each other one
 * way only (a header never includes one of a floor above it):
 *
 *     tensor <- {kernels, datasets} <- autograd <- layers <- train <- apps
 *
 * What a folder keeps to itself lives in its internal/ and is not installed. */
#ifndef TAPEGRAD_H
#define TAPEGRAD_H

#include "tensor/tensor.h"
#include "kernels/kernels.h"
#include "datasets/datasets.h"
#include "autograd/autograd.h"
#include "layers/layers.h"
#include "train/train.h"
#include "apps/apps.h"

#endif
