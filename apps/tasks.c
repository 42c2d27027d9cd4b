#include "apps/apps.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datasets/datasets.h"

#define PI 3.14159265358979323846
/* precipitation, temp_max, temp_min, wind, rained today, season (sin, cos) */
#define RAIN_FEATURES 7

/* Windows of [lo, hi) with targets picked at the models' output steps. */
static tg_status windows(const tg_series *s, size_t lo, size_t hi, int T, tg_tensor **x,
                         tg_tensor **y)
{
    tg_window_spec spec = {.steps = T, .horizon = 1, .stride = 1};
    tg_tensor *all_y;
    tg_status st = tg_windows_make(s, lo, hi, spec, x, &all_y);
    if (!tg_is_ok(&st))
        return st;
    int first, step, count;
    tg_series_model_alignment(T, &first, &step, &count);
    *y = tg_window_output_targets(all_y, first, step, count);
    tg_tensor_free(all_y);
    return tg_status_ok();
}

/* Fills a task from a series: splits, scales x (and a regression's target)
 * on the training range, windows, and the baselines on the test windows;
 * frees s. A binary task's target is the class. A regression forecasts
 * `level`: its target is the change level[i] - level[i - 1], so that the
 * output at the last step seen predicts the change to the next step, and
 * the forecast is the last level plus that change. */
static tg_status build(tg_series *s, const double *level, size_t val_steps, size_t test_steps,
                       int T, tg_series_task *t)
{
    const int binary = level == NULL;
    /* Each range must hold a window and the step after it; validation and
     * test are the shortest. */
    const size_t shortest = val_steps < test_steps ? val_steps : test_steps;
    if (T < 1 || (size_t)T >= shortest) {
        tg_series_free(s);
        return tg_status_error("%s: windows of %d steps do not fit its validation and test ranges "
                               "of %zu and %zu steps (at most %zu)",
                               t->source, T, val_steps, test_steps, shortest ? shortest - 1 : 0);
    }
    if (!binary)
        for (size_t i = 0; i < s->steps; i++)
            s->target[i] = i ? level[i] - level[i - 1] : 0;
    t->T = T;
    t->D = s->dims;
    t->binary = binary;
    tg_time_split sp = tg_time_split_make(s->steps, val_steps, test_steps);
    double *raw = tg_xmalloc(s->steps * sizeof *raw, "series task");
    memcpy(raw, binary ? s->target : level, s->steps * sizeof *raw);

    /* Baselines over the whole set: persistence pairs each step with the next. */
    t->whole_persistence = t->whole_majority = NAN;
    if (binary) {
        double agree = 0, ones = 0;
        for (size_t i = 0; i + 1 < s->steps; i++) {
            agree += raw[i + 1] == raw[i];
            ones += raw[i + 1] != 0;
        }
        t->whole_persistence = agree / (double)(s->steps - 1);
        t->whole_majority = fmax(ones, (double)(s->steps - 1) - ones) / (double)(s->steps - 1);
    }
    tg_scaler xs = tg_scaler_fit(TG_SCALE_STANDARD, s->x, s->dims, 0, sp.train_end);
    tg_scaler_apply(&xs, s->x, s->steps);
    t->target = (tg_scaler){TG_SCALE_STANDARD, 1, {0}, {1}};
    if (!binary) {
        t->target = tg_scaler_fit(TG_SCALE_STANDARD, s->target, 1, 0, sp.train_end);
        tg_scaler_apply(&t->target, s->target, s->steps);
    }
    double train_ones = 0;
    for (size_t i = 1; i < sp.train_end; i++)
        train_ones += raw[i] != 0;
    t->majority = train_ones * 2 >= (double)(sp.train_end - 1) ? 1 : 0;

    tg_status st = windows(s, 0, sp.train_end, T, &t->x_train, &t->y_train);
    if (tg_is_ok(&st))
        st = windows(s, sp.train_end, sp.val_end, T, &t->x_val, &t->y_val);
    if (tg_is_ok(&st))
        st = windows(s, sp.val_end, sp.steps, T, &t->x_test, &t->y_test);
    if (tg_is_ok(&st)) {
        /* Test window w covers inputs val_end + w .. + T - 1; its last output
         * predicts the step after: persistence says "as at the last input". */
        t->n_test = t->x_test->shape.dim[0];
        t->truth = tg_xmalloc((size_t)t->n_test * sizeof *t->truth, "series task");
        t->persistence = tg_xmalloc((size_t)t->n_test * sizeof *t->persistence, "series task");
        t->base = tg_xmalloc((size_t)t->n_test * sizeof *t->base, "series task");
        for (int w = 0; w < t->n_test; w++) {
            size_t last = sp.val_end + (size_t)w + (size_t)T - 1;
            t->truth[w] = raw[last + 1];
            t->persistence[w] = raw[last];
            t->base[w] = binary ? 0 : raw[last];
        }
    }
    free(raw);
    tg_series_free(s);
    if (!tg_is_ok(&st))
        tg_series_task_free(t);
    return st;
}

void tg_series_task_free(tg_series_task *t)
{
    tg_tensor *all[] = {t->x_train, t->y_train, t->x_val, t->y_val, t->x_test, t->y_test};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (all[i])
            tg_tensor_free(all[i]);
    free(t->truth);
    free(t->persistence);
    free(t->base);
    memset(t, 0, sizeof *t);
}

/* Digits s[0 .. n) as a number, into *v; 0 when one is not a digit. */
static int digits(const char *s, int n, int *v)
{
    *v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        *v = *v * 10 + (s[i] - '0');
    }
    return 1;
}

/* A date as the vega files write it, "2012/01/01" (the Debian package) or
 * ISO's "2012-01-01" (upstream), with an optional time of day after a
 * space or a 'T': "2010/01/01 13:00", "2010-01-01T13:00:00". Into the day
 * of the year (0 on January 1st, leap days not counted: the season is a
 * point on a circle of 365.25 days) and the hour (with its minutes and
 * seconds as fractions); 0 when s is not such a date. */
static int parse_date(const char *s, double *day_of_year, double *hour)
{
    static const int month_start[12] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
    static const int month_days[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y, mo, d, h = 0, mi = 0, sec = 0;
    if (strlen(s) < 10 || !digits(s, 4, &y) || (s[4] != '-' && s[4] != '/') || s[7] != s[4] ||
        !digits(s + 5, 2, &mo) || !digits(s + 8, 2, &d) || mo < 1 || mo > 12 || d < 1 ||
        d > month_days[mo - 1])
        return 0;
    const char *t = s + 10;
    if (*t) {
        if ((*t != ' ' && *t != 'T') || strlen(t) < 6 || !digits(t + 1, 2, &h) || t[3] != ':' ||
            !digits(t + 4, 2, &mi) || h > 23 || mi > 59)
            return 0;
        t += 6;
        if (*t && (t[0] != ':' || strlen(t) != 3 || !digits(t + 1, 2, &sec) || sec > 60))
            return 0;
    }
    *day_of_year = month_start[mo - 1] + d - 1;
    *hour = h + mi / 60.0 + sec / 3600.0;
    return 1;
}

/* The day of the year and the hour of every row's date into new arrays
 * *day and *hour, or the line of the first one that is not a date. st is
 * the status so far: when it is an error, or when a date is not one, no
 * array is left to free and the csv is freed. */
static tg_status read_dates(tg_csv *csv, const char *path, const tg_csv_column *date,
                            tg_status st, double **day, double **hour)
{
    *day = *hour = NULL;
    for (size_t i = 0; tg_is_ok(&st) && i < csv->rows; i++) {
        if (!*day) {
            *day = tg_xmalloc(csv->rows * sizeof **day, "dates");
            *hour = tg_xmalloc(csv->rows * sizeof **hour, "dates");
        }
        if (!parse_date(date->text[i], &(*day)[i], &(*hour)[i]))
            st = tg_status_error("%s: line %zu: column 'date' holds '%.40s', not a date "
                                 "(2012-01-31 or 2012/01/31, a time 13:00 after it)",
                                 path, csv->line[i], date->text[i]);
    }
    if (!tg_is_ok(&st)) {
        free(*day);
        free(*hour);
        *day = *hour = NULL;
        tg_csv_free(csv);
    }
    return st;
}

static tg_status read_vega(const char *dir, const char *name, char *path, size_t len, tg_csv *csv)
{
    tg_status st = tg_data_find(TG_DATA_VEGA, name, dir, path, len);
    return tg_is_ok(&st) ? tg_csv_read(path, csv) : st;
}

tg_status tg_rain_task(const char *dir, int T, tg_series_task *out)
{
    memset(out, 0, sizeof *out);
    tg_csv csv;
    tg_status st = read_vega(dir, "seattle-weather.csv", out->source, sizeof out->source, &csv);
    if (!tg_is_ok(&st))
        return st;
    static const char *const names[] = {"precipitation", "temp_max", "temp_min", "wind"};
    const double *col[4];
    const tg_csv_column *date = tg_csv_find(&csv, "date");
    for (int d = 0; d < 4 && tg_is_ok(&st); d++)
        st = tg_csv_numeric(&csv, out->source, names[d], &col[d]);
    if (tg_is_ok(&st) && (!date || date->numeric))
        st = tg_status_error("%s: no text column 'date'", out->source);
    if (tg_is_ok(&st) && csv.rows < 365 + 182 + 2 * (size_t)T + 4)
        st = tg_status_error("%s: %zu days are too few for a test year, validation and training "
                             "with windows of %d days",
                             out->source, csv.rows, T);
    double *day, *hour;
    st = read_dates(&csv, out->source, date, st, &day, &hour);
    if (!tg_is_ok(&st))
        return st;
    tg_series s;
    tg_series_alloc(&s, csv.rows, RAIN_FEATURES);
    for (size_t i = 0; i < csv.rows; i++) {
        double *x = s.x + i * RAIN_FEATURES;
        for (int d = 0; d < 4; d++)
            x[d] = col[d][i];
        /* the day of the year, as a point on a circle (the season) */
        x[4] = col[0][i] > 0;
        x[5] = sin(2 * PI * day[i] / 365.25);
        x[6] = cos(2 * PI * day[i] / 365.25);
        /* target[i] = it rained on day i; with horizon 1, "rain tomorrow" */
        s.target[i] = col[0][i] > 0;
    }
    free(day);
    free(hour);
    tg_csv_free(&csv);
    snprintf(out->name, sizeof out->name, "Seattle rain tomorrow");
    return build(&s, NULL, 182, 365, T, out);
}

tg_status tg_temps_task(const char *dir, int T, tg_series_task *out)
{
    memset(out, 0, sizeof *out);
    tg_csv csv;
    tg_status st = read_vega(dir, "seattle-temps.csv", out->source, sizeof out->source, &csv);
    if (!tg_is_ok(&st))
        return st;
    const double *temp = NULL;
    const tg_csv_column *date = tg_csv_find(&csv, "date");
    st = tg_csv_numeric(&csv, out->source, "temp", &temp);
    if (tg_is_ok(&st) && (!date || date->numeric))
        st = tg_status_error("%s: no text column 'date'", out->source);
    if (tg_is_ok(&st) && csv.rows < 24 * 90 + 4 * (size_t)T)
        st = tg_status_error("%s: %zu hours are too few for windows of %d hours", out->source,
                             csv.rows, T);
    double *day, *hour;
    st = read_dates(&csv, out->source, date, st, &day, &hour);
    if (!tg_is_ok(&st))
        return st;
    tg_series s;
    tg_series_alloc(&s, csv.rows, 3);
    for (size_t i = 0; i < csv.rows; i++) {
        /* the hour of day, as a point on a circle */
        s.x[i * 3 + 0] = temp[i];
        s.x[i * 3 + 1] = sin(2 * PI * hour[i] / 24);
        s.x[i * 3 + 2] = cos(2 * PI * hour[i] / 24);
    }
    free(day);
    free(hour);
    snprintf(out->name, sizeof out->name, "Seattle next-hour temperature");
    st = build(&s, temp, 24 * 30, 24 * 60, T, out);
    tg_csv_free(&csv);
    return st;
}

tg_status tg_synthetic_task(int binary, size_t steps, int T, uint64_t seed, tg_series_task *out)
{
    memset(out, 0, sizeof *out);
    tg_series s;
    tg_synthetic_series(&s, steps, seed);
    double *level = NULL;
    if (!binary) {
        level = tg_xmalloc(steps * sizeof *level, "synthetic task");
        memcpy(level, s.x, steps * sizeof *level);
    }
    snprintf(out->name, sizeof out->name, "synthetic %s", binary ? "goes up next" : "next value");
    snprintf(out->source, sizeof out->source,
             "embedded: noisy sum of sines, %zu steps, seed %llu", steps,
             (unsigned long long)seed);
    tg_status st = build(&s, level, steps * 15 / 100, steps * 15 / 100, T, out);
    free(level);
    return st;
}

tg_series_scores tg_series_task_score(const tg_series_task *t, const tg_tensor *pred)
{
    if (pred->shape.ndim != 3 || pred->shape.dim[0] != t->n_test)
        tg_fatal("series task score: predictions of %d windows for %d test windows",
                 pred->shape.ndim ? pred->shape.dim[0] : 0, t->n_test);
    const int outputs = pred->shape.dim[1];
    tg_series_scores sc = {0, 0, t->binary ? 0 : NAN};
    for (int w = 0; w < t->n_test; w++) {
        double p = (double)pred->data[(size_t)w * (size_t)outputs + (size_t)outputs - 1];
        double y = t->truth[w];
        if (t->binary) {
            sc.model += (p >= 0.5) == (y != 0);
            sc.persistence += t->persistence[w] == y;
            sc.majority += t->majority == y;
        } else {
            /* the forecast: the last level plus the predicted change */
            double e = t->base[w] + tg_scaler_invert(&t->target, 0, p) - y;
            double q = t->persistence[w] - y;
            sc.model += e * e;
            sc.persistence += q * q;
        }
    }
    sc.model /= t->n_test;
    sc.persistence /= t->n_test;
    if (t->binary)
        sc.majority /= t->n_test;
    return sc;
}
