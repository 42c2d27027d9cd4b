/* libFuzzer target: any bytes as a .npy file (tg_npy_decode reads memory). */
#include <stdint.h>

#include "tensor/tensor.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reading every value into it keeps the reads from being optimised away. */
static volatile tg_real sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tg_tensor *t = NULL;
    tg_status s = tg_npy_decode(data, size, "fuzz.npy", &t);
    if (tg_is_ok(&s)) {
        /* A decoded tensor must be whole: touch every element. */
        for (size_t k = 0; k < t->size; k++)
            sink += t->data[k];
        tg_tensor_free(t);
    }
    return 0;
}
