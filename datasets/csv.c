#include "datasets/datasets.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tensor/internal/file.h"

/* Splits one line (without its end) into fields, in place: each field is
 * unquoted and NUL-terminated. Returns the number of fields; only the first
 * max are stored (the others are still counted). */
static int split_fields(char *line, char **field, int max)
{
    int n = 0;
    char *p = line;
    for (;;) {
        char *start = p, *w = p;
        if (*p == '"') {
            p++;
            while (*p) {
                if (*p == '"' && p[1] == '"') {
                    *w++ = '"';
                    p += 2;
                } else if (*p == '"') {
                    p++;
                    break;
                } else {
                    *w++ = *p++;
                }
            }
            while (*p && *p != ',')
                *w++ = *p++;
        } else {
            while (*p && *p != ',')
                p++;
            w = p;
        }
        char sep = *p;
        *w = '\0';
        if (n < max)
            field[n] = start;
        n++;
        if (sep != ',')
            return n;
        p++;
    }
}

static char *copy_string(const char *s)
{
    size_t n = strlen(s) + 1;
    return memcpy(tg_xmalloc(n, "tg_csv_read"), s, n);
}

/* 1: a finite number; 0: not a number; NOT_FINITE: "nan", "inf" and the
 * like, which strtod reads but no data set here means as a value. A number
 * too small for a normal double (1e-320) is still a number: strtod says
 * ERANGE for it too, but returns it (or 0), unlike an overflow (HUGE_VAL). */
#define NOT_FINITE (-1)
static int parse_number(const char *s, double *v)
{
    char *end;
    while (*s == ' ')
        s++;
    if (!*s)
        return 0;
    errno = 0;
    *v = strtod(s, &end);
    while (*end == ' ')
        end++;
    if (*end != '\0' || (errno == ERANGE && fabs(*v) == HUGE_VAL))
        return 0;
    return isfinite(*v) ? 1 : NOT_FINITE;
}

void tg_csv_free(tg_csv *csv)
{
    for (int c = 0; c < csv->cols; c++) {
        tg_csv_column *col = &csv->col[c];
        free(col->name);
        free(col->num);
        if (col->text)
            for (size_t r = 0; r < csv->rows; r++)
                free(col->text[r]);
        free(col->text);
    }
    free(csv->col);
    free(csv->line);
    memset(csv, 0, sizeof *csv);
}

/* Grows every column (and the line numbers) to hold `cap` rows. */
static void reserve(tg_csv *csv, size_t cap)
{
    csv->line = tg_xrealloc(csv->line, cap * sizeof *csv->line, "tg_csv_read");
    for (int c = 0; c < csv->cols; c++) {
        tg_csv_column *col = &csv->col[c];
        if (col->numeric)
            col->num = tg_xrealloc(col->num, cap * sizeof *col->num, "tg_csv_read");
        else
            col->text = tg_xrealloc(col->text, cap * sizeof *col->text, "tg_csv_read");
    }
}

/* The next line, ended in place at "\n", "\r\n" or a lone "\r" (files
 * saved with old Mac line ends), or NULL at the end of the text. */
static char *next_line(char **cursor)
{
    char *line = *cursor;
    if (!*line)
        return NULL;
    char *end = line + strcspn(line, "\r\n");
    *cursor = end;
    if (*end == '\r' && end[1] == '\n')
        *cursor = end + 2;
    else if (*end)
        *cursor = end + 1;
    *end = '\0';
    return line;
}

/* A NUL byte makes the text end early for every string function: refused
 * with its place before any line is read. */
static tg_status refuse_nul(const char *text, size_t len, const char *path)
{
    const char *nul = memchr(text, '\0', len);
    if (!nul)
        return tg_status_ok();
    size_t line = 1;
    const char *start = text;
    for (const char *p = text; p < nul; p++)
        if (*p == '\n' || (*p == '\r' && p[1] != '\n')) {
            line++;
            start = p + 1;
        }
    return tg_status_error("%s: line %zu, column %zu: a NUL byte (this is not a text file)", path,
                           line, (size_t)(nul - start) + 1);
}

tg_status tg_csv_read(const char *path, tg_csv *out)
{
    memset(out, 0, sizeof *out);
    unsigned char *bytes = NULL;
    size_t len = 0;
    tg_status st = tg_read_file(path, &bytes, &len);
    if (!tg_is_ok(&st))
        return st;
    char *text = (char *)bytes; /* NUL-terminated: the vega files are a few hundred KB */
    st = refuse_nul(text, len, path);
    if (!tg_is_ok(&st)) {
        free(text);
        return st;
    }
    /* A UTF-8 byte order mark, as some editors write it, is not part of the
     * first column's name. */
    char *cursor = text + (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3) ? 3 : 0), *line;
    size_t lineno = 0;
    do {
        line = next_line(&cursor);
        lineno++;
    } while (line && !*line);
    if (!line) {
        free(text);
        return tg_status_error("%s: empty file (no header line)", path);
    }
    int most = 1;
    for (const char *p = line; *p; p++)
        most += *p == ',';
    char **field = tg_xmalloc((size_t)most * sizeof *field, "tg_csv_read");
    int ncols = split_fields(line, field, most);
    out->cols = ncols;
    out->col = tg_xcalloc((size_t)ncols, sizeof *out->col, "tg_csv_read");
    for (int c = 0; c < ncols; c++)
        out->col[c].name = copy_string(field[c]);

    size_t cap = 0;
    while ((line = next_line(&cursor))) {
        lineno++;
        if (!*line)
            continue;
        int n = split_fields(line, field, ncols);
        if (n != ncols) {
            st = tg_status_error("%s: line %zu: %d fields, the header has %d (%s)", path, lineno,
                                 n, ncols, n < ncols ? "too few" : "too many");
            break;
        }
        if (out->rows == 0)
            for (int c = 0; c < ncols; c++) {
                double v;
                out->col[c].numeric = parse_number(field[c], &v) == 1;
            }
        if (out->rows == cap) {
            cap = cap ? cap * 2 : 256;
            reserve(out, cap);
        }
        /* Numbers first, text after: a bad number leaves no half-copied row. */
        for (int c = 0; c < ncols && tg_is_ok(&st); c++) {
            tg_csv_column *col = &out->col[c];
            const int parsed = col->numeric ? parse_number(field[c], &col->num[out->rows]) : 1;
            if (parsed == 0)
                st = tg_status_error("%s: line %zu: column '%s' is not a number: '%s'", path,
                                     lineno, col->name, field[c]);
            else if (parsed == NOT_FINITE)
                st = tg_status_error("%s: line %zu: column '%s' holds '%s', not a finite number",
                                     path, lineno, col->name, field[c]);
        }
        if (!tg_is_ok(&st))
            break;
        for (int c = 0; c < ncols; c++)
            if (!out->col[c].numeric)
                out->col[c].text[out->rows] = copy_string(field[c]);
        out->line[out->rows++] = lineno;
    }
    free(field);
    free(text);
    if (!tg_is_ok(&st))
        tg_csv_free(out);
    return st;
}

const tg_csv_column *tg_csv_find(const tg_csv *csv, const char *name)
{
    for (int c = 0; c < csv->cols; c++)
        if (strcmp(csv->col[c].name, name) == 0)
            return &csv->col[c];
    return NULL;
}

tg_status tg_csv_numeric(const tg_csv *csv, const char *path, const char *name,
                         const double **values)
{
    const tg_csv_column *col = tg_csv_find(csv, name);
    if (!col)
        return tg_status_error("%s: no column '%s'", path, name);
    if (csv->rows == 0)
        return tg_status_error("%s: column '%s' has no values (the file has a header line and no "
                               "rows)", path, name);
    /* The first row decided the column's type: say what it held. */
    if (!col->numeric && !col->text[0][0])
        return tg_status_error("%s: line %zu: column '%s' is empty, not a number", path,
                               csv->line[0], name);
    if (!col->numeric)
        return tg_status_error("%s: column '%s' is text, not numbers (line %zu holds '%.40s')",
                               path, name, csv->line[0], col->text[0]);
    *values = col->num;
    return tg_status_ok();
}
