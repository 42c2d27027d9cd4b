/* How the second operand of add/sub/mul lines up with the first: b has a's
 * shape, or is a vector as long as a's last axis, or has one element. In
 * every case b repeats every b->size elements of a (its period), so
 * element k of a meets element k mod b->size of b. */
#ifndef TG_BROADCAST_H
#define TG_BROADCAST_H

#include "tensor/tensor.h"

/* Stops with "<op>: shapes A and B do not broadcast" when b does not fit a. */
void tg_bcast_check(const char *op, const tg_tensor *a, const tg_tensor *b);

#endif
