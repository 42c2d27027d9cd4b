/* Writes the fuzzers' seed corpora: valid files made by the project itself
 * (tg_npy_encode, tg_model_save, IDX and CSV files like the real data sets,
 * command lines of every verb, plot scripts' inputs good and hostile), one
 * directory per target under argv[1]. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tensor/tensor.h"
#include "tests/fuzz/fuzz_support.h"
#include "train/train.h"

static char root[512];

static void dir(const char *name)
{
    char path[600];
    snprintf(path, sizeof path, "%s/%s", root, name);
    if (mkdir(path, 0755) != 0) {
        perror(path);
        exit(1);
    }
}

static void file(const char *target, const char *name, const void *bytes, size_t n)
{
    char path[700];
    snprintf(path, sizeof path, "%s/%s/%s", root, target, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(bytes, 1, n, f) != n || fclose(f) != 0) {
        perror(path);
        exit(1);
    }
}

static void npy_seeds(void)
{
    static const tg_shape shapes[] = {{0, {0}}, {1, {3}}, {2, {2, 3}}, {3, {2, 2, 2}},
                                      {4, {1, 2, 1, 2}}, {2, {0, 4}}};
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        tg_tensor *t = tg_tensor_new(shapes[i]);
        for (size_t k = 0; k < t->size; k++)
            t->data[k] = (tg_real)k / 4 - 1;
        size_t len;
        unsigned char *bytes = tg_npy_encode(t, &len);
        char name[32];
        snprintf(name, sizeof name, "shape%zu.npy", i);
        file("npy", name, bytes, len);
        free(bytes);
        tg_tensor_free(t);
    }
}

/* The framing of fuzz_idx.c: flags, images length (2 bytes LE), images, labels. */
static void idx_seed(const char *name, int gzip, int count, int rows, int cols)
{
    unsigned char buf[4096];
    size_t n = 3;
    const unsigned char head[4] = {0, 0, 8, 3};
    memcpy(buf + n, head, 4);
    n += 4;
    const int dims[3] = {count, rows, cols};
    for (int d = 0; d < 3; d++)
        for (int b = 3; b >= 0; b--)
            buf[n++] = (unsigned char)(dims[d] >> (8 * b));
    for (int k = 0; k < count * rows * cols; k++)
        buf[n++] = (unsigned char)(k * 37);
    const size_t images = n - 3;
    buf[0] = (unsigned char)gzip;
    buf[1] = (unsigned char)images;
    buf[2] = (unsigned char)(images >> 8);
    const unsigned char lhead[8] = {0, 0, 8, 1, 0, 0, 0, (unsigned char)count};
    memcpy(buf + n, lhead, 8);
    n += 8;
    for (int i = 0; i < count; i++)
        buf[n++] = (unsigned char)(i % 10);
    file("idx", name, buf, n);
}

static void csv_seeds(void)
{
    static const char *const texts[] = {
        "date,precipitation,temp_max,temp_min,wind,weather\n2012-01-01,0.0,12.8,5.0,4.7,rain\n",
        "symbol,date,price\nMSFT,Jan 1 2000,39.81\nMSFT,Feb 1 2000,36.35\n",
        "a,\"b, quoted\",c\r\n1,\"x \"\"y\"\"\",3\r\n\r\n4,z,6\r\n",
        "x\n1e-3\n-2.5\n  7  \n",
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        char name[32];
        snprintf(name, sizeof name, "seed%zu.csv", i);
        file("csv", name, texts[i], strlen(texts[i]));
    }
}

static void checkpoint_seeds(void)
{
    tg_model *m = tg_fuzz_model();
    char path[700];
    snprintf(path, sizeof path, "%s/checkpoint/model.ckpt", root);
    tg_status s = tg_model_save(m, path);
    if (!tg_is_ok(&s)) {
        fprintf(stderr, "%s\n", s.msg);
        exit(1);
    }
    tg_model_free(m);
}

static void cli_seeds(void)
{
    /* Arguments after "tapegrad", '|' standing for the NUL between them. */
    static const char *const args[] = {
        "train|timeseries|--epochs|3|--batch|16|--seed|7",
        "train|images|--limit|100|--peephole|full|--threads|2",
        "train|regression|--lr|1e-3|--optimizer|sgd|--model|lstm-cnn|--embedded",
        "train|timeseries|--l1|0.01|--l2|1e-4|--patience|3|--steps|24",
        "train|images|--data|data|--history|h.csv|--plot|h.png|--save|ckpt|--load|ckpt",
        "train|--help",
        "gradcheck|--csv|--seed|7|add|matmul",
        "gradcheck|--list",
        "gradcheck|--seed|18446744073709551615|lstm_fused",
        "plot|history.csv|-o|curves.png|--size|640x480",
        "plot|--size|1x1|out/h.csv",
        "plot|--help",
        "graph|lstm_step|-o|out/step.png|--no-draw",
        "graph|--list",
        "graph|--dir|docs/pictures|--no-draw|filters|rows",
        "--help",
        "help",
    };
    for (size_t i = 0; i < sizeof args / sizeof args[0]; i++) {
        char name[32], bytes[160];
        const size_t n = strlen(args[i]);
        for (size_t k = 0; k < n; k++)
            bytes[k] = args[i][k] == '|' ? '\0' : args[i][k];
        snprintf(name, sizeof name, "args%zu", i);
        file("cli", name, bytes, n);
    }
}

/* The framing of fuzz_plot.c: flags and epochs, the metric, three paths. */
static void plot_seeds(void)
{
    static const struct {
        const char *bytes;
        size_t n;
    } seeds[] = {
#define SEED(s) {(s), sizeof(s) - 1}
        SEED("\x03\x0c\0accuracy\0h.csv\0out/h.png\0/abs/h.txt"),
        SEED("\x02\x03\0mae\0runs/a b/h i.csv\0-c.png\0~t.txt"),
        SEED("\x01\x19\0\0/h.csv\0h.png\0h.txt"),
        SEED("\x03\x02\0a';system 'touch P';#\0h.csv\0h.png\0h.txt"),
        SEED("\x03\x02\0acc\0<touch P;cat h.csv\0|touch P\0h\nset output\n.txt"),
#undef SEED
    };
    for (size_t i = 0; i < sizeof seeds / sizeof seeds[0]; i++) {
        char name[32];
        snprintf(name, sizeof name, "seed%zu", i);
        file("plot", name, seeds[i].bytes, seeds[i].n);
    }
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: seeds DIR (a new directory)\n");
        return 2;
    }
    snprintf(root, sizeof root, "%s", argv[1]);
    if (mkdir(root, 0755) != 0) {
        perror(root);
        return 1;
    }
    dir("npy");
    dir("idx");
    dir("csv");
    dir("checkpoint");
    dir("cli");
    dir("plot");
    npy_seeds();
    idx_seed("plain.idx", 0, 3, 4, 4);
    idx_seed("gzip.idx", 1, 2, 5, 3);
    csv_seeds();
    checkpoint_seeds();
    cli_seeds();
    plot_seeds();
    return 0;
}
