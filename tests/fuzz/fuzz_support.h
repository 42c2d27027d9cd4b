/* What the fuzz targets share: a file holding the fuzzer's bytes for the
 * readers that take a path (a memfd, so nothing touches the disk), and the
 * model whose checkpoints the checkpoint target reads (the seed generator
 * saves checkpoints of the same model). */
#ifndef TG_FUZZ_SUPPORT_H
#define TG_FUZZ_SUPPORT_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "layers/layers.h"
#include "train/train.h"

/* A memfd holding the bytes; *path names it for fopen/gzopen. Returns the
 * descriptor (close it when done). */
static inline int tg_fuzz_file(const unsigned char *data, size_t size, char *path, size_t cap)
{
    int fd = memfd_create("tg_fuzz", 0);
    if (fd < 0) {
        perror("memfd_create");
        abort();
    }
    for (size_t done = 0; done < size;) {
        ssize_t w = write(fd, data + done, size - done);
        if (w <= 0) {
            perror("write");
            abort();
        }
        done += (size_t)w;
    }
    snprintf(path, cap, "/proc/self/fd/%d", fd);
    return fd;
}

/* Conv1D, LSTM (diagonal peepholes), Dense: entries of 1 to 3 dimensions. */
static inline tg_model *tg_fuzz_model(void)
{
    tg_model *m = tg_model_new(TG_SHAPE(6, 2), 1);
    tg_model_add(m, tg_conv1d((tg_conv1d_opts){.filters = 3, .kernel = 3}));
    tg_model_add(m, tg_lstm((tg_lstm_opts){.units = 2}));
    tg_model_add(m, tg_dense(1, TG_SIGMOID));
    return m;
}

#endif
