/* libFuzzer target: any bytes as a CSV file. */
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "tests/fuzz/fuzz_support.h"
#include "datasets/datasets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reading every value into it keeps the reads from being optimised away. */
static volatile size_t sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64];
    int fd = tg_fuzz_file(data, size, path, sizeof path);
    tg_csv csv;
    tg_status s = tg_csv_read(path, &csv);
    if (tg_is_ok(&s)) {
        /* Every column whole, every name and text a string. */
        for (int c = 0; c < csv.cols; c++) {
            const tg_csv_column *col = &csv.col[c];
            sink += strlen(col->name);
            for (size_t r = 0; r < csv.rows; r++)
                sink += col->numeric ? (col->num[r] == col->num[r]) : strlen(col->text[r]);
            if (tg_csv_find(&csv, col->name) == NULL)
                __builtin_trap();
        }
    }
    tg_csv_free(&csv);
    close(fd);
    return 0;
}
