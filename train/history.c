#include "train/train.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tensor/internal/file.h"

void tg_history_init(tg_history *h, int n_metrics, const char *const *metric_names, int has_val)
{
    if (n_metrics < 0 || n_metrics > TG_HISTORY_MAX_METRICS)
        tg_fatal("history: %d metrics, at most %d", n_metrics, TG_HISTORY_MAX_METRICS);
    memset(h, 0, sizeof *h);
    h->n_metrics = n_metrics;
    h->has_val = has_val;
    for (int i = 0; i < n_metrics; i++)
        snprintf(h->metric_names[i], TG_HISTORY_NAME_LEN, "%s", metric_names[i]);
}

static double *grow(double *a, int cap)
{
    return tg_xrealloc(a, (size_t)cap * sizeof *a, "history");
}

void tg_history_append(tg_history *h, double loss, double val_loss, const double *metrics,
                       const double *val_metrics, double seconds)
{
    if (h->n_epochs == h->cap) {
        h->cap = h->cap ? 2 * h->cap : 16;
        h->loss = grow(h->loss, h->cap);
        h->val_loss = grow(h->val_loss, h->cap);
        h->seconds = grow(h->seconds, h->cap);
        for (int i = 0; i < h->n_metrics; i++) {
            h->metric[i] = grow(h->metric[i], h->cap);
            h->val_metric[i] = grow(h->val_metric[i], h->cap);
        }
    }
    const int e = h->n_epochs++;
    h->loss[e] = loss;
    h->val_loss[e] = h->has_val ? val_loss : NAN;
    h->seconds[e] = seconds;
    for (int i = 0; i < h->n_metrics; i++) {
        h->metric[i][e] = metrics[i];
        h->val_metric[i][e] = h->has_val ? val_metrics[i] : NAN;
    }
}

static void history_train_begin(void *ctx, tg_fit_state *s)
{
    const tg_model *m = s->model;
    const char *names[TG_MODEL_MAX_METRICS];
    for (int i = 0; i < m->n_metrics; i++)
        names[i] = tg_metric_name(m->metrics[i]);
    tg_history_init(ctx, m->n_metrics, names, s->has_val);
}

static int history_epoch_end(void *ctx, tg_fit_state *s)
{
    tg_history_append(ctx, s->loss, s->val_loss, s->metrics, s->val_metrics, s->seconds);
    return 0;
}

tg_callback tg_history_callback(tg_history *h)
{
    return (tg_callback){.ctx = h,
                         .on_train_begin = history_train_begin,
                         .on_epoch_end = history_epoch_end};
}

void tg_history_free(tg_history *h)
{
    free(h->loss);
    free(h->val_loss);
    free(h->seconds);
    for (int i = 0; i < h->n_metrics; i++) {
        free(h->metric[i]);
        free(h->val_metric[i]);
    }
    memset(h, 0, sizeof *h);
}

/* An empty field for a missing value (no validation data). */
static void put(tg_text *t, double v)
{
    if (isnan(v))
        tg_text_put(t, ",");
    else
        tg_text_put(t, ",%.17g", v);
}

tg_status tg_history_save_csv(const tg_history *h, const char *path)
{
    /* built in memory and written in one piece by tg_write_file */
    tg_text t = {NULL, 0, 0};
    tg_text_put(&t, "epoch,loss,val_loss");
    for (int i = 0; i < h->n_metrics; i++)
        tg_text_put(&t, ",%s,val_%s", h->metric_names[i], h->metric_names[i]);
    tg_text_put(&t, ",seconds\n");
    for (int e = 0; e < h->n_epochs; e++) {
        tg_text_put(&t, "%d", e + 1);
        put(&t, h->loss[e]);
        put(&t, h->val_loss[e]);
        for (int i = 0; i < h->n_metrics; i++) {
            put(&t, h->metric[i][e]);
            put(&t, h->val_metric[i][e]);
        }
        tg_text_put(&t, ",%.6f\n", h->seconds[e]);
    }
    tg_status s = tg_write_file(path, t.b, t.n);
    free(t.b);
    return tg_is_ok(&s) ? s : tg_status_error("history %s", s.msg);
}

/* Splits line (modified in place) at commas; returns the number of fields. */
static int split(char *line, char **field, int max)
{
    int n = 0;
    line[strcspn(line, "\r\n")] = 0;
    for (char *p = line;; p++) {
        if (n == max)
            return max + 1;
        field[n++] = p;
        p = strchr(p, ',');
        if (!p)
            return n;
        *p = 0;
    }
}

#define MAX_FIELDS (4 + 2 * TG_HISTORY_MAX_METRICS)

/* A number, or NAN for an empty field; -1 on anything else. */
static int parse_value(const char *s, double *v)
{
    if (!*s) {
        *v = NAN;
        return 0;
    }
    char *end;
    errno = 0;
    *v = strtod(s, &end);
    return *end || errno ? -1 : 0;
}

int tg_history_name_valid(const char *s)
{
    const size_t n = strlen(s);
    if (n == 0 || n >= TG_HISTORY_NAME_LEN)
        return 0;
    for (; *s; s++)
        if (!(*s == '_' || (*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'z') ||
              (*s >= 'A' && *s <= 'Z')))
            return 0;
    return 1;
}

static tg_status parse_header(tg_history *h, char *line, const char *path)
{
    char *f[MAX_FIELDS + 1];
    int n = split(line, f, MAX_FIELDS);
    if (n < 4 || n > MAX_FIELDS || (n - 4) % 2 || strcmp(f[0], "epoch") || strcmp(f[1], "loss") ||
        strcmp(f[2], "val_loss") || strcmp(f[n - 1], "seconds"))
        return tg_status_error("history %s: the header is not epoch,loss,val_loss,"
                               "[metric,val_metric,...,]seconds",
                               path);
    const char *names[TG_HISTORY_MAX_METRICS];
    for (int i = 0; i < (n - 4) / 2; i++) {
        names[i] = f[3 + 2 * i];
        if (!tg_history_name_valid(names[i]))
            return tg_status_error("history %s: column '%.40s' is not a metric name (letters, "
                                   "digits and _, at most %d)",
                                   path, names[i], TG_HISTORY_NAME_LEN - 1);
        if (strncmp(f[4 + 2 * i], "val_", 4) || strcmp(f[4 + 2 * i] + 4, names[i]))
            return tg_status_error("history %s: column %s is not followed by val_%s", path,
                                   names[i], names[i]);
    }
    /* Read with has_val set, so that every value is stored as the file has
     * it (an empty field as NAN); the loader settles has_val at the end. */
    tg_history_init(h, (n - 4) / 2, names, 1);
    return tg_status_ok();
}

/* The next line of the text at *cursor, ended in place; NULL at the end. */
static char *next_line(char **cursor)
{
    char *line = *cursor;
    if (!*line)
        return NULL;
    char *end = strchr(line, '\n');
    *cursor = end ? end + 1 : line + strlen(line);
    if (end)
        *end = '\0';
    return line;
}

tg_status tg_history_load_csv(tg_history *h, const char *path)
{
    memset(h, 0, sizeof *h);
    unsigned char *bytes;
    size_t len;
    tg_status s = tg_read_file(path, &bytes, &len);
    if (!tg_is_ok(&s))
        return tg_status_error("history %s", s.msg);
    char *cursor = (char *)bytes, *line;
    int seen_val = 0; /* a row with a val_loss */
    if (memchr(bytes, '\0', len))
        s = tg_status_error("history %s: a NUL byte (this is not a text file)", path);
    else if (!(line = next_line(&cursor)))
        s = tg_status_error("history %s: empty file", path);
    else
        s = parse_header(h, line, path);
    for (int row = 2; tg_is_ok(&s) && (line = next_line(&cursor)); row++) {
        char *f[MAX_FIELDS + 1];
        const int want = 4 + 2 * h->n_metrics;
        if (split(line, f, MAX_FIELDS) != want) {
            s = tg_status_error("history %s: line %d does not have %d fields", path, row, want);
            break;
        }
        double v[MAX_FIELDS] = {0};
        for (int i = 0; i < want && tg_is_ok(&s); i++)
            if (parse_value(f[i], &v[i]) || (i < 2 && isnan(v[i])))
                s = tg_status_error("history %s: line %d: '%s' is not a number", path, row, f[i]);
        if (!tg_is_ok(&s))
            break;
        seen_val |= !isnan(v[2]);
        double metric[TG_HISTORY_MAX_METRICS], val_metric[TG_HISTORY_MAX_METRICS];
        for (int i = 0; i < h->n_metrics; i++) {
            metric[i] = v[3 + 2 * i];
            val_metric[i] = v[4 + 2 * i];
        }
        tg_history_append(h, v[1], v[2], metric, val_metric, v[want - 1]);
    }
    free(bytes);
    h->has_val = seen_val;
    if (tg_is_ok(&s) && h->n_epochs == 0)
        s = tg_status_error("history %s: no epochs", path);
    if (!tg_is_ok(&s))
        tg_history_free(h);
    return s;
}
