/* Our own seeded generator (xoshiro256**, seeded through splitmix64): the
 * state lives in a struct the caller owns, so the same seed gives the same
 * numbers on every machine, in every run, whatever else is running. */
#ifndef TG_RNG_H
#define TG_RNG_H

#include <stdint.h>

typedef struct tg_rng {
    uint64_t s[4];
} tg_rng;

void tg_rng_seed(tg_rng *rng, uint64_t seed);
uint64_t tg_rng_next(tg_rng *rng);
/* Uniform in [0, 1), 53 random bits. */
double tg_rng_uniform(tg_rng *rng);
/* Standard normal (Box-Muller). */
double tg_rng_normal(tg_rng *rng);
/* Uniform integer in [0, n), n > 0, without modulo bias. */
uint64_t tg_rng_below(tg_rng *rng, uint64_t n);

#endif
