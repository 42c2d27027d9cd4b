#include "tensor/tensor.h"

#include <stdlib.h>
#include <string.h>

#define ARENA_ALIGN 64
#define ARENA_MIN_BLOCK (1u << 20)

struct tg_arena_block {
    tg_arena_block *next;
    size_t capacity;
    size_t used;
    unsigned char *base; /* aligned start of the usable bytes */
    void *raw;           /* what malloc returned, for free */
};

static tg_arena_block *block_new(size_t capacity)
{
    tg_arena_block *b = tg_xmalloc(sizeof *b, "arena");
    b->raw = tg_xmalloc(capacity + ARENA_ALIGN, "arena");
    b->base = (unsigned char *)(((size_t)b->raw + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1));
    b->capacity = capacity;
    b->used = 0;
    b->next = NULL;
    return b;
}

void tg_arena_init(tg_arena *arena)
{
    memset(arena, 0, sizeof *arena);
}

void *tg_arena_alloc(tg_arena *arena, size_t bytes)
{
    size_t need = (bytes + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    if (need < bytes)
        tg_fatal("arena: request of %zu bytes overflows", bytes);
    tg_arena_block *b = arena->current;
    while (b && b->used + need > b->capacity)
        b = b->next;
    if (!b) {
        size_t capacity = need > ARENA_MIN_BLOCK ? need : ARENA_MIN_BLOCK;
        b = block_new(capacity);
        arena->mallocs++;
        if (!arena->first) {
            arena->first = b;
        } else {
            tg_arena_block *last = arena->current ? arena->current : arena->first;
            while (last->next)
                last = last->next;
            last->next = b;
        }
    }
    arena->current = b;
    void *p = b->base + b->used;
    b->used += need;
    arena->used += need;
    if (arena->used > arena->peak)
        arena->peak = arena->used;
    return p;
}

void *tg_arena_calloc(tg_arena *arena, size_t bytes)
{
    void *p = tg_arena_alloc(arena, bytes);
    memset(p, 0, bytes);
    return p;
}

static void free_blocks(tg_arena_block *b)
{
    while (b) {
        tg_arena_block *next = b->next;
        free(b->raw);
        free(b);
        b = next;
    }
}

void tg_arena_reset(tg_arena *arena)
{
    /* Several blocks mean this pass outgrew the arena: replace them by one
     * block of the peak size so that the next pass fits without malloc. */
    if (arena->first && arena->first->next) {
        size_t total = arena->peak;
        free_blocks(arena->first);
        arena->first = block_new(total);
        arena->mallocs++;
    }
    if (arena->first)
        arena->first->used = 0;
    arena->current = arena->first;
    arena->used = 0;
}

void tg_arena_free(tg_arena *arena)
{
    free_blocks(arena->first);
    memset(arena, 0, sizeof *arena);
}
