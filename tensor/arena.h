/* The arena behind a tape: one pass's intermediates (tensors, gradients,
 * saved contexts) are carved out of big blocks and all released at once by
 * tg_arena_reset. After the first training step the arena owns one block
 * large enough for a whole step, so the steady state does no malloc. */
#ifndef TG_ARENA_H
#define TG_ARENA_H

#include <stddef.h>

typedef struct tg_arena_block tg_arena_block;

typedef struct tg_arena {
    tg_arena_block *first;
    tg_arena_block *current;
    size_t used;      /* bytes handed out since the last reset */
    size_t peak;      /* the most ever handed out between two resets */
    size_t mallocs;   /* blocks ever obtained from malloc */
} tg_arena;

void tg_arena_init(tg_arena *arena);
/* 64-byte aligned (a cache line; wide enough for any SIMD load). */
void *tg_arena_alloc(tg_arena *arena, size_t bytes);
void *tg_arena_calloc(tg_arena *arena, size_t bytes);
void tg_arena_reset(tg_arena *arena);
void tg_arena_free(tg_arena *arena);

#endif
