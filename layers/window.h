/* A sliding window along one spatial axis: the geometry that convolution
 * and max-pooling share, with Keras's rules for the output size and the
 * padding (channels-last, no dilation):
 *
 *     valid:  out = floor((in - size) / stride) + 1,  no padding
 *     same:   out = ceil(in / stride),
 *             pad_total = max((out - 1) stride + size - in, 0),
 *             pad_before = floor(pad_total / 2), the odd one goes after.
 *
 * Output position i reads the inputs i stride - pad_before + k, k < size. */
#ifndef TG_WINDOW_H
#define TG_WINDOW_H

typedef enum { TG_VALID = 0, TG_SAME } tg_padding;

typedef struct tg_window {
    int in, size, stride;
    int pad_before, pad_after;
    int out;
} tg_window;

/* Stops via tg_fatal with "<who>: ..." on a size or stride < 1, or a window
 * larger than a valid input; `who` names the layer or op and the shapes. */
tg_window tg_window_make(const char *who, int in, int size, int stride, tg_padding padding);

/* The input position where output position i's window starts (it reads
 * the inputs start + k, k < size; outside [0, in) is padding). */
static inline int tg_window_start(const tg_window *w, int i)
{
    return i * w->stride - w->pad_before;
}

#endif
