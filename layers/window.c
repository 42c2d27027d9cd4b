#include "layers/layers.h"

#include "tensor/tensor.h"

tg_window tg_window_make(const char *who, int in, int size, int stride, tg_padding padding)
{
    if (size < 1 || stride < 1)
        tg_fatal("%s: window size %d and stride %d must be >= 1", who, size, stride);
    if (in < 1)
        tg_fatal("%s: an input of length %d along a spatial axis", who, in);
    tg_window w = {in, size, stride, 0, 0, 0};
    if (padding == TG_VALID) {
        if (size > in)
            tg_fatal("%s: window %d is larger than the input %d with 'valid' padding", who, size, in);
        /* out = floor((in - size) / stride) + 1 */
        w.out = (in - size) / stride + 1;
    } else if (padding == TG_SAME) {
        /* out = ceil(in / stride) */
        w.out = (in + stride - 1) / stride;
        /* pad_total = max((out - 1) stride + size - in, 0) */
        int pad_total = (w.out - 1) * stride + size - in;
        if (pad_total < 0)
            pad_total = 0;
        w.pad_before = pad_total / 2;
        w.pad_after = pad_total - w.pad_before;
    } else {
        tg_fatal("%s: unknown padding %d", who, (int)padding);
    }
    return w;
}
