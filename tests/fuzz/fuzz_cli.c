/* libFuzzer target: the options of `tapegrad train`, as an argv made of
 * the bytes split at NUL (at most 32 arguments). Only the parser runs:
 * training is not what is fuzzed here. make fuzz runs it with
 * -close_fd_mask=3, so the usage printed on every refusal stays quiet. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "train/seed_apps.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_ARGS 32

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    char *argv[MAX_ARGS + 2] = {"train"};
    int argc = 1;
    for (char *p = text; argc <= MAX_ARGS && p <= text + size; p += strlen(p) + 1)
        argv[argc++] = p;
    argv[argc] = NULL;
    tg_seed_app_opts o;
    const int parsed = tg_cmd_train_parse(argc, argv, &o);
    if (parsed < -1 || parsed > 2)
        __builtin_trap();
    free(text);
    return 0;
}
