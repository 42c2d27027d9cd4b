/* Printing a tensor for a student to read:
 *
 *     x: tensor (2, 3) double
 *        1.000000  -2.500000   3.000000
 *        0.500000   0.000000  -1.000000
 *
 * A tensor of 3 to 5 dimensions is a list of 2-D slices (the last two
 * axes), each headed by its leading indices ("[1, :, :]", "[0, 2, 1, :, :]"); a 1-D tensor is one row; a scalar fits on the shape
 * line. Every number shown gets the same width, so columns line up. Big
 * tensors show their first and last rows, columns and slices around "...". */
#include "tensor/tensor.h"

#include <math.h>
#include <stdint.h>

/* Rows and columns: up to 2 * ROW_EDGE + 2 are shown whole, more as the
 * first ROW_EDGE, "...", the last ROW_EDGE. Slices likewise with SLICE_EDGE. */
#define ROW_EDGE 4
#define SLICE_EDGE 2
#define SKIPPED SIZE_MAX

#define NUMBER_LEN 48

/* How many entries (indices and the "...") a line of `count` shows. */
static size_t shown_count(size_t count, size_t edge)
{
    return count <= 2 * edge + 2 ? count : 2 * edge + 1;
}

/* The n-th entry shown (n < shown_count): an index, or SKIPPED for "...". */
static size_t shown_index(size_t count, size_t edge, size_t n)
{
    if (count <= 2 * edge + 2 || n < edge)
        return n;
    if (n == edge)
        return SKIPPED;
    return count - (2 * edge + 1 - n);
}

/* The tensor seen as `slices` matrices of rows x cols. */
typedef struct {
    size_t slices, rows, cols;
    int sci; /* scientific notation for every number */
} layout;

static layout layout_of(const tg_tensor *t, const tg_real *v)
{
    const tg_shape s = t->shape;
    layout l = {1, 1, 1, 0};
    if (s.ndim >= 1)
        l.cols = (size_t)s.dim[s.ndim - 1];
    if (s.ndim >= 2)
        l.rows = (size_t)s.dim[s.ndim - 2];
    for (int d = 0; d + 2 < s.ndim; d++)
        l.slices *= (size_t)s.dim[d];
    /* Fixed notation reads best; it loses everything below 1e-6 and grows
     * wide past 1e6, so such tensors switch to scientific notation. */
    double big = 0;
    for (size_t k = 0; k < t->size; k++)
        if (isfinite((double)v[k]) && fabs((double)v[k]) > big)
            big = fabs((double)v[k]);
    l.sci = big >= 1e6 || (big > 0 && big < 1e-4);
    return l;
}

static int format_number(char *buf, tg_real x, int sci)
{
    return snprintf(buf, NUMBER_LEN, sci ? "%.6e" : "%.6f", (double)x);
}

/* Width of the widest number that will be shown. */
static int column_width(const tg_real *v, layout l)
{
    int width = 3; /* room for "..." */
    char buf[NUMBER_LEN];
    for (size_t si = 0; si < shown_count(l.slices, SLICE_EDGE); si++) {
        size_t sl = shown_index(l.slices, SLICE_EDGE, si);
        for (size_t ri = 0; sl != SKIPPED && ri < shown_count(l.rows, ROW_EDGE); ri++) {
            size_t r = shown_index(l.rows, ROW_EDGE, ri);
            for (size_t ci = 0; r != SKIPPED && ci < shown_count(l.cols, ROW_EDGE); ci++) {
                size_t c = shown_index(l.cols, ROW_EDGE, ci);
                if (c == SKIPPED)
                    continue;
                int n = format_number(buf, v[(sl * l.rows + r) * l.cols + c], l.sci);
                if (n > width)
                    width = n;
            }
        }
    }
    return width;
}

static void print_row(FILE *out, const tg_real *row, layout l, int width)
{
    char buf[NUMBER_LEN];
    for (size_t ci = 0; ci < shown_count(l.cols, ROW_EDGE); ci++) {
        size_t c = shown_index(l.cols, ROW_EDGE, ci);
        if (c == SKIPPED)
            snprintf(buf, sizeof buf, "...");
        else
            format_number(buf, row[c], l.sci);
        fprintf(out, "  %*s", width, buf);
    }
    fprintf(out, "\n");
}

static void print_matrix(FILE *out, const tg_real *m, layout l, int width)
{
    for (size_t ri = 0; ri < shown_count(l.rows, ROW_EDGE); ri++) {
        size_t r = shown_index(l.rows, ROW_EDGE, ri);
        if (r == SKIPPED)
            fprintf(out, "  %*s\n", width, "...");
        else
            print_row(out, m + r * l.cols, l, width);
    }
}

/* "[i, :, :]" for a 3-D tensor, "[i, j, :, :]" for a 4-D one, ...: the
 * slice's number written as the indices of the leading axes, the last
 * leading axis the fastest. */
static void print_slice_heading(FILE *out, const tg_tensor *t, size_t slice)
{
    const int lead = t->shape.ndim - 2;
    size_t index[TG_MAX_DIMS] = {0};
    for (int d = lead - 1; d >= 0; d--) {
        index[d] = slice % (size_t)t->shape.dim[d];
        slice /= (size_t)t->shape.dim[d];
    }
    fputc('[', out);
    for (int d = 0; d < lead; d++)
        fprintf(out, "%zu, ", index[d]);
    fprintf(out, ":, :]\n");
}

static void print_values(FILE *out, const char *label, const char *kind, const tg_tensor *t,
                         const tg_real *v)
{
    char shape[TG_SHAPE_STR_LEN];
    fprintf(out, "%s%s%s %s %s", label ? label : "", label ? ": " : "", kind,
            tg_shape_str(t->shape, shape, sizeof shape), TG_REAL_NAME);
    if (t->size == 0) {
        fprintf(out, "\n  (empty)\n");
        return;
    }
    const layout l = layout_of(t, v);
    if (t->shape.ndim == 0) {
        char buf[NUMBER_LEN];
        format_number(buf, v[0], l.sci);
        fprintf(out, " = %s\n", buf);
        return;
    }
    fprintf(out, "\n");
    const int width = column_width(v, l);
    if (t->shape.ndim <= 2) {
        print_matrix(out, v, l, width);
        return;
    }
    for (size_t si = 0; si < shown_count(l.slices, SLICE_EDGE); si++) {
        size_t sl = shown_index(l.slices, SLICE_EDGE, si);
        if (sl == SKIPPED) {
            fprintf(out, "...\n");
            continue;
        }
        print_slice_heading(out, t, sl);
        print_matrix(out, v + sl * l.rows * l.cols, l, width);
    }
}

void tg_tensor_print(FILE *out, const char *label, const tg_tensor *t)
{
    print_values(out, label ? label : t->name, "tensor", t, t->data);
}

void tg_tensor_print_grad(FILE *out, const char *label, const tg_tensor *t)
{
    if (!label)
        label = t->name;
    if (!t->grad) {
        fprintf(out, "%s%sgrad (no grad)\n", label ? label : "", label ? ": " : "");
        return;
    }
    print_values(out, label, "grad", t, t->grad);
}
