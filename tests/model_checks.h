/* For the wrapper suites (Bidirectional, TimeDistributed): what a model's
 * summary prints, held against rows written out by hand, and a checkpoint
 * round trip between two models of the same layers. */
#ifndef TG_TESTS_MODEL_CHECKS_H
#define TG_TESTS_MODEL_CHECKS_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "train/train.h"
#include "tests/scratch.h"

/* The summary of m holds every one of rows[0..n) (each whole lines). */
static inline void tg_test_summary_has(const tg_model *m, const char *const *rows, size_t n)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    tg_model_summary(m, f);
    fclose(f);
    for (size_t k = 0; k < n; k++)
        ck_assert_msg(strstr(text, rows[k]) != NULL, "summary lacks\n%s\nin\n%s", rows[k], text);
    free(text);
}

/* Saves a, checks the archive's first weight entry (after the model's
 * description, model.txt) is named first_entry, loads it into b (the same
 * layers, other weights) and checks every weight came back bit for bit.
 * Frees neither. */
static inline void tg_test_checkpoint_round_trip(const tg_model *a, tg_model *b,
                                                 const char *first_entry)
{
    tg_scratch s;
    tg_scratch_open(&s);
    const char *path = tg_scratch_path(&s, "model.ckpt");
    tg_status st = tg_model_save(a, path);
    ck_assert_msg(tg_is_ok(&st), "%s", st.msg);
    /* A tar header starts with the entry's name, NUL-padded to 100 bytes;
     * its size is 11 octal digits at byte 124; the entry's bytes follow,
     * padded to 512. */
    char header[512], name[101] = {0};
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fread(header, 1, 512, f), 512);
    memcpy(name, header, 100);
    ck_assert_str_eq(name, "model.txt");
    const long size = strtol(header + 124, NULL, 8);
    ck_assert_int_eq(fseek(f, 512 + (size + 511) / 512 * 512, SEEK_SET), 0);
    ck_assert_uint_eq(fread(header, 1, 512, f), 512);
    fclose(f);
    memcpy(name, header, 100);
    ck_assert_str_eq(name, first_entry);
    st = tg_model_load(b, path);
    ck_assert_msg(tg_is_ok(&st), "%s", st.msg);
    ck_assert_int_eq(a->n_params, b->n_params);
    for (int k = 0; k < a->n_params; k++)
        ck_assert(memcmp(a->params[k]->data, b->params[k]->data,
                         a->params[k]->size * sizeof(tg_real)) == 0);
    tg_scratch_close(&s);
}

#endif
