/* The finite test the checks share (finite.c). Not installed. */
#ifndef TG_TRAIN_FINITE_H
#define TG_TRAIN_FINITE_H

#include <stddef.h>

#include "tensor/tensor.h"

/* 1 when every v[k] is finite. */
int tg_all_finite(const tg_real *v, size_t n);

#endif
