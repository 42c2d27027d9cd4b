#include "datasets/datasets.h"

#include <math.h>

#include "tensor/tensor.h"

#define PI 3.14159265358979323846

static double uniform(tg_rng *rng, double lo, double hi)
{
    return lo + (hi - lo) * tg_rng_uniform(rng);
}

void tg_synthetic_series(tg_series *out, size_t steps, uint64_t seed)
{
    tg_rng rng;
    tg_rng_seed(&rng, seed);
    double a[3], P[3], phi[3];
    for (int k = 0; k < 3; k++) {
        a[k] = uniform(&rng, 0.5, 1.0);
        P[k] = uniform(&rng, 10, 40);
        phi[k] = uniform(&rng, 0, 2 * PI);
    }
    tg_series_alloc(out, steps, 1);
    for (size_t i = 0; i < steps; i++) {
        double v = 0.05 * tg_rng_normal(&rng);
        for (int k = 0; k < 3; k++)
            /* v_i = sum_k a_k sin(2 pi i / P_k + phi_k) + e_i */
            v += a[k] * sin(2 * PI * (double)i / P[k] + phi[k]);
        out->x[i] = v;
        out->target[i] = i > 0 && v > out->x[i - 1];
    }
}

const char *const tg_shape_class_names[10] = {
    "square", "circle", "triangle", "plus", "horizontal bar",
    "vertical bar", "X", "filled square", "disk", "L",
};

/* Is the point (dx, dy) from the centre inside shape `c` of half-size r and
 * stroke width w? */
static int inside(int c, double dx, double dy, double r, double w)
{
    double ax = fabs(dx), ay = fabs(dy), box = fmax(ax, ay), dist = sqrt(dx * dx + dy * dy);
    switch (c) {
    case 0: return fabs(box - r) < w / 2;
    case 1: return fabs(dist - r) < w / 2;
    case 2: return dy <= r && dy >= -r && ax <= (dy + r) / 2;
    case 3: return (ax < w / 2 && ay <= r) || (ay < w / 2 && ax <= r);
    case 4: return ay < w && ax <= r;
    case 5: return ax < w && ay <= r;
    case 6: return box <= r && (fabs(dx - dy) < w * 0.7 || fabs(dx + dy) < w * 0.7);
    case 7: return box <= r * 0.8;
    case 8: return dist <= r * 0.85;
    default: return (dx >= -r && dx <= -r + w && ay <= r) || (dy <= r && dy >= r - w && ax <= r);
    }
}

void tg_synthetic_shapes(tg_image_set *out, size_t count, uint64_t seed)
{
    enum { SIDE = 28 };
    tg_rng rng;
    tg_rng_seed(&rng, seed);
    tg_image_set_alloc(out, count, SIDE, SIDE, 10);
    for (size_t n = 0; n < count; n++) {
        int c = (int)tg_rng_below(&rng, 10);
        double r = uniform(&rng, 5, 10), w = uniform(&rng, 1.5, 3);
        double cx = uniform(&rng, r + 1, SIDE - r - 1), cy = uniform(&rng, r + 1, SIDE - r - 1);
        double bright = uniform(&rng, 0.6, 1.0);
        uint8_t *img = out->pixels + n * SIDE * SIDE;
        for (int y = 0; y < SIDE; y++)
            for (int x = 0; x < SIDE; x++) {
                double v = inside(c, x + 0.5 - cx, y + 0.5 - cy, r, w) ? bright : 0;
                v += 0.08 * tg_rng_normal(&rng);
                v = fmin(1, fmax(0, v));
                img[y * SIDE + x] = (uint8_t)lround(v * 255);
            }
        out->labels[n] = (uint8_t)c;
    }
}
