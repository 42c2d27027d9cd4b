/* How the second operand of add/sub/mul lines up with the first. */
#ifndef TG_BROADCAST_H
#define TG_BROADCAST_H

#include "tensor/tensor.h"

typedef enum { TG_BCAST_SAME, TG_BCAST_LAST, TG_BCAST_ONE } tg_bcast_kind;

/* b_index(k) = k (same), k mod last (trailing vector), 0 (one element). */
typedef struct tg_bcast {
    tg_bcast_kind kind;
    size_t period; /* length of b's vector for TG_BCAST_LAST */
} tg_bcast;

/* Stops with "<op>: shapes A and B do not broadcast" when b does not fit a. */
tg_bcast tg_bcast_of(const char *op, const tg_tensor *a, const tg_tensor *b);

#endif
