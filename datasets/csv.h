/* A small CSV reader for the vega data sets: a header line of column names,
 * then one row per line, fields separated by commas.
 *
 * A column is numeric when its field in the first data row is a number (the
 * whole field parses as a finite double); it is then read as double on
 * every row, and a row where it is not a number, or spells NaN or Inf, is an
 * error. Other columns (dates,
 * "rain", "MSFT") are kept as text. Quotes are handled minimally: a field in
 * double quotes may hold commas, and "" inside it is one quote. Empty lines
 * are skipped; the line numbers in messages count them (line 1 = header). */
#ifndef TG_CSV_H
#define TG_CSV_H

#include <stddef.h>

#include "tensor/error.h"

typedef struct tg_csv_column {
    char *name;
    int numeric;   /* 1: values in num, 0: values in text */
    double *num;   /* rows values, when numeric */
    char **text;   /* rows strings, when not */
} tg_csv_column;

typedef struct tg_csv {
    int cols;
    size_t rows;
    tg_csv_column *col;
} tg_csv;

/* Errors name the file and the line: missing file, empty file, a row with
 * too few or too many fields, a non-number in a numeric column. On failure
 * *out is left empty (safe to free). */
tg_status tg_csv_read(const char *path, tg_csv *out);
void tg_csv_free(tg_csv *csv);

/* The column called name, or NULL. */
const tg_csv_column *tg_csv_find(const tg_csv *csv, const char *name);
/* The numeric column called name; a status naming `path` when it is missing
 * or holds text. */
tg_status tg_csv_numeric(const tg_csv *csv, const char *path, const char *name,
                         const double **values);

#endif
