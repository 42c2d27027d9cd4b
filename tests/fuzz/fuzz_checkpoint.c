/* libFuzzer target: any bytes as a checkpoint of the fuzz model; a load
 * that fails must leave the weights untouched. */
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "tests/fuzz/fuzz_support.h"
#include "train/train.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static tg_model *model, *initial;
    if (!model) {
        model = tg_fuzz_model();
        initial = tg_fuzz_model();
    }
    for (int i = 0; i < model->n_params; i++)
        tg_tensor_copy_data(model->params[i], initial->params[i]);
    char path[64];
    int fd = tg_fuzz_file(data, size, path, sizeof path);
    tg_status s = tg_model_load(model, path);
    if (!tg_is_ok(&s))
        for (int i = 0; i < model->n_params; i++)
            if (memcmp(model->params[i]->data, initial->params[i]->data,
                       model->params[i]->size * sizeof(tg_real)))
                __builtin_trap();
    close(fd);
    return 0;
}
