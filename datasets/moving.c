/* Moving images: sequences of frames in which items (images of an image
 * set, box-averaged down to a small size) move in straight lines on a
 * blank square canvas and bounce off its edges, as in Moving MNIST
 * (Srivastava et al. 2015), made deterministically from a seed. */
#include "datasets/datasets.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define PI 3.14159265358979323846

tg_moving_opts tg_moving_defaults(void)
{
    return (tg_moving_opts){.canvas = 32, .item = 14, .items = 2, .frames = 5, .speed = 2};
}

/* Image `index` of the set, each item pixel the mean of the source pixels
 * it covers: rows [i r / s, (i + 1) r / s) and the same for columns. */
static void shrink(const tg_image_set *images, size_t index, int side, uint8_t *out)
{
    const int R = images->rows, C = images->cols;
    const uint8_t *src = images->pixels + index * (size_t)R * (size_t)C;
    for (int i = 0; i < side; i++)
        for (int j = 0; j < side; j++) {
            const int r0 = i * R / side, r1 = (i + 1) * R / side;
            const int c0 = j * C / side, c1 = (j + 1) * C / side;
            unsigned sum = 0;
            for (int r = r0; r < r1; r++)
                for (int c = c0; c < c1; c++)
                    sum += src[r * C + c];
            const unsigned n = (unsigned)((r1 - r0) * (c1 - c0));
            out[i * side + j] = (uint8_t)((sum + n / 2) / n);
        }
}

/* One step of a coordinate p in [0, max] at speed v: reflected at the
 * edges (|v| <= max, so once is enough). */
static void bounce(double *p, double *v, double max)
{
    *p += *v;
    if (*p < 0) {
        *p = -*p;
        *v = -*v;
    }
    if (*p > max) {
        *p = 2 * max - *p;
        *v = -*v;
    }
}

void tg_moving_make(const tg_image_set *images, size_t first, size_t n, size_t count,
                    tg_moving_opts o, uint64_t seed, tg_moving_set *out)
{
    if (o.item < 1 || o.item > images->rows || o.item > images->cols || o.canvas < o.item ||
        o.items < 1 || o.frames < 2 || !(o.speed >= 0) || o.speed > o.canvas - o.item)
        tg_fatal("moving images: canvas %d, items %d of side %d (at most %d x %d), %d frames, "
                 "speed %g: need 1 <= item <= canvas, items >= 1, frames >= 2, 0 <= speed <= "
                 "canvas - item",
                 o.canvas, o.items, o.item, images->rows, images->cols, o.frames, o.speed);
    if (n < 1 || first + n > images->count)
        tg_fatal("moving images: images [%zu, %zu) of a set of %zu", first, first + n,
                 images->count);
    memset(out, 0, sizeof *out);
    out->opts = o;
    out->count = count;
    const size_t frame = (size_t)o.canvas * (size_t)o.canvas, c = count ? count : 1;
    out->pixels = tg_xcalloc(c * (size_t)o.frames * frame, 1, "moving images");
    out->source = tg_xmalloc(c * (size_t)o.items * sizeof *out->source, "moving images");
    out->corner = tg_xmalloc(c * (size_t)o.frames * (size_t)o.items * 2 * sizeof *out->corner,
                             "moving images");
    uint8_t *item = tg_xmalloc((size_t)o.items * (size_t)o.item * (size_t)o.item, "moving images");
    double *p = tg_xmalloc((size_t)o.items * 4 * sizeof *p, "moving images");
    const double max = o.canvas - o.item;
    tg_rng rng;
    tg_rng_seed(&rng, seed);
    for (size_t s = 0; s < count; s++) {
        /* each item: an image, a start anywhere, a direction, the speed */
        for (int k = 0; k < o.items; k++) {
            const size_t index = first + tg_rng_below(&rng, n);
            out->source[s * (size_t)o.items + (size_t)k] = index;
            shrink(images, index, o.item, item + (size_t)k * (size_t)o.item * (size_t)o.item);
            const double angle = 2 * PI * tg_rng_uniform(&rng);
            p[4 * k + 0] = max * tg_rng_uniform(&rng);
            p[4 * k + 1] = max * tg_rng_uniform(&rng);
            p[4 * k + 2] = o.speed * sin(angle);
            p[4 * k + 3] = o.speed * cos(angle);
        }
        for (int t = 0; t < o.frames; t++) {
            uint8_t *f = out->pixels + (s * (size_t)o.frames + (size_t)t) * frame;
            for (int k = 0; k < o.items; k++) {
                if (t > 0) {
                    bounce(&p[4 * k + 0], &p[4 * k + 2], max);
                    bounce(&p[4 * k + 1], &p[4 * k + 3], max);
                }
                const int r0 = (int)lround(p[4 * k + 0]), c0 = (int)lround(p[4 * k + 1]);
                int *corner = out->corner + ((s * (size_t)o.frames + (size_t)t) * (size_t)o.items +
                                             (size_t)k) * 2;
                corner[0] = r0;
                corner[1] = c0;
                /* items overlap as light does: the brighter pixel shows */
                const uint8_t *it = item + (size_t)k * (size_t)o.item * (size_t)o.item;
                for (int i = 0; i < o.item; i++)
                    for (int j = 0; j < o.item; j++) {
                        uint8_t *q = f + (size_t)(r0 + i) * (size_t)o.canvas + (size_t)(c0 + j);
                        if (it[i * o.item + j] > *q)
                            *q = it[i * o.item + j];
                    }
            }
        }
    }
    free(p);
    free(item);
}

void tg_moving_free(tg_moving_set *s)
{
    free(s->pixels);
    free(s->source);
    free(s->corner);
    memset(s, 0, sizeof *s);
}

const uint8_t *tg_moving_frame(const tg_moving_set *s, size_t seq, int t)
{
    if (seq >= s->count || t < 0 || t >= s->opts.frames)
        tg_fatal("moving images: frame %d of sequence %zu of %zu sequences of %d frames", t, seq,
                 s->count, s->opts.frames);
    const size_t frame = (size_t)s->opts.canvas * (size_t)s->opts.canvas;
    return s->pixels + (seq * (size_t)s->opts.frames + (size_t)t) * frame;
}

double tg_moving_copy_last_mse(const tg_moving_set *s, int k)
{
    if (k < 1 || k >= s->opts.frames || s->count == 0)
        tg_fatal("moving images: copy-last of %d frames, sequences of %d frames (%zu of them)", k,
                 s->opts.frames, s->count);
    const size_t frame = (size_t)s->opts.canvas * (size_t)s->opts.canvas;
    double sum = 0;
    for (size_t q = 0; q < s->count; q++) {
        const uint8_t *last = tg_moving_frame(s, q, k - 1), *next = tg_moving_frame(s, q, k);
        for (size_t i = 0; i < frame; i++) {
            /* the prediction "frame k is frame k - 1", pixels / 255 */
            const double e = (last[i] - next[i]) / 255.0;
            sum += e * e;
        }
    }
    return sum / ((double)s->count * (double)frame);
}
