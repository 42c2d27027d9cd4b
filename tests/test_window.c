/* Series for sequence models: the per-step label alignment on a tiny
 * hand-made series, splits by time with no leakage into the scaler fit or
 * the training windows, the scalers' formulas, and the synthetic data
 * generators (deterministic per seed). */
#include <check.h>
#include <string.h>

#include "tests/support.h"
#include "datasets/datasets.h"

/* x[i] = i (one feature), target[i] = 100 + i: a value names its step. */
static tg_series counting_series(size_t steps)
{
    tg_series s;
    tg_series_alloc(&s, steps, 1);
    for (size_t i = 0; i < steps; i++) {
        s.x[i] = (double)i;
        s.target[i] = 100 + (double)i;
    }
    return s;
}

/* T = 3, horizon 1, stride 1 over [0, 7): windows start at 0 .. 3; the
 * output at step t sees x[s + t] and is paired with target[s + t + 1]. */
START_TEST(test_window_alignment_by_hand)
{
    tg_series s = counting_series(7);
    tg_window_spec spec = {.steps = 3, .horizon = 1, .stride = 1};
    ck_assert_uint_eq(tg_window_count(0, 7, spec), 4);
    tg_tensor *x, *y;
    tg_status st = tg_windows_make(&s, 0, 7, spec, &x, &y);
    ck_assert(tg_is_ok(&st));
    ck_assert(tg_shape_equal(x->shape, TG_SHAPE(4, 3, 1)));
    ck_assert(tg_shape_equal(y->shape, TG_SHAPE(4, 3, 1)));
    const double want_x[4][3] = {{0, 1, 2}, {1, 2, 3}, {2, 3, 4}, {3, 4, 5}};
    const double want_y[4][3] = {{101, 102, 103}, {102, 103, 104}, {103, 104, 105},
                                 {104, 105, 106}};
    for (int n = 0; n < 4; n++)
        for (int t = 0; t < 3; t++) {
            tg_ck_assert_close(TG_AT(x, n, t, 0), want_x[n][t], 0);
            tg_ck_assert_close(TG_AT(y, n, t, 0), want_y[n][t], 0);
        }
    tg_tensor_free(x);
    tg_tensor_free(y);
    tg_series_free(&s);
}
END_TEST

/* Stride 2, horizon 0 over [2, 9): starts 2, 4, 6 (6 + 3 - 1 = 8 < 9). */
START_TEST(test_window_stride_and_range)
{
    tg_series s = counting_series(12);
    tg_window_spec spec = {.steps = 3, .horizon = 0, .stride = 2};
    tg_tensor *x, *y;
    tg_status st = tg_windows_make(&s, 2, 9, spec, &x, &y);
    ck_assert(tg_is_ok(&st));
    ck_assert_int_eq(x->shape.dim[0], 3);
    tg_ck_assert_close(TG_AT(x, 2, 0, 0), 6, 0);
    tg_ck_assert_close(TG_AT(y, 2, 2, 0), 108, 0);
    tg_ck_assert_close(TG_AT(y, 0, 0, 0), 102, 0);
    tg_tensor_free(x);
    tg_tensor_free(y);
    tg_series_free(&s);
}
END_TEST

START_TEST(test_window_range_too_short)
{
    tg_series s = counting_series(10);
    tg_window_spec spec = {.steps = 4, .horizon = 1, .stride = 1};
    ck_assert_uint_eq(tg_window_count(5, 9, spec), 0);
    tg_tensor *x = NULL, *y = NULL;
    tg_status st = tg_windows_make(&s, 5, 9, spec, &x, &y);
    ck_assert(!tg_is_ok(&st));
    ck_assert_ptr_nonnull(strstr(st.msg, "[5, 9)"));
    ck_assert_ptr_null(x);
    tg_series_free(&s);
}
END_TEST

/* The last test_steps are the test range, validation before, in order. */
START_TEST(test_window_split_by_time)
{
    tg_time_split sp = tg_time_split_make(10, 2, 3);
    ck_assert_uint_eq(sp.train_end, 5);
    ck_assert_uint_eq(sp.val_end, 7);
    ck_assert_uint_eq(sp.steps, 10);
}
END_TEST

START_TEST(test_window_split_too_big) { tg_time_split_make(10, 6, 5); }
END_TEST

/* No test-period value reaches the scaler fit or a training window: the
 * scaler fitted on the training range is the same whatever the later steps
 * hold, and every value in the training windows (inputs and targets) comes
 * from a step before the end of the training range. */
START_TEST(test_window_no_leakage)
{
    const size_t steps = 50;
    tg_series s = counting_series(steps);
    tg_time_split sp = tg_time_split_make(steps, 10, 10);
    tg_scaler before = tg_scaler_fit(TG_SCALE_MINMAX, s.x, 1, 0, sp.train_end);
    for (size_t i = sp.train_end; i < steps; i++) {
        s.x[i] = 1e9;
        s.target[i] = -1e9;
    }
    tg_scaler after = tg_scaler_fit(TG_SCALE_MINMAX, s.x, 1, 0, sp.train_end);
    ck_assert(memcmp(&before, &after, sizeof before) == 0);
    tg_ck_assert_close(after.shift[0], 0, 0);
    tg_ck_assert_close(after.scale[0], 29, 0);

    /* Poisoned later steps would show up as huge values. */
    tg_window_spec spec = {.steps = 5, .horizon = 1, .stride = 1};
    tg_tensor *x, *y;
    tg_status st = tg_windows_make(&s, 0, sp.train_end, spec, &x, &y);
    ck_assert(tg_is_ok(&st));
    ck_assert_int_eq(x->shape.dim[0], (int)(sp.train_end - 5 - 1 + 1));
    for (size_t k = 0; k < x->size; k++) {
        ck_assert(x->data[k] < (tg_real)sp.train_end);
        ck_assert(y->data[k] >= 100 && y->data[k] < 100 + (tg_real)sp.train_end);
    }
    /* The last training target is exactly the last training step. */
    tg_ck_assert_close(y->data[y->size - 1], 100 + (double)sp.train_end - 1, 0);
    tg_tensor_free(x);
    tg_tensor_free(y);

    /* Validation windows start at train_end: no overlap either way. */
    st = tg_windows_make(&s, sp.train_end, sp.val_end, spec, &x, &y);
    ck_assert(tg_is_ok(&st));
    for (size_t k = 0; k < x->size; k++)
        ck_assert(x->data[k] == (tg_real)1e9);
    tg_tensor_free(x);
    tg_tensor_free(y);
    tg_series_free(&s);
}
END_TEST

/* Rows (1, 10), (2, 10), (3, 10), (4, 10): min-max shift 1 scale 3; mean
 * 2.5, std sqrt(1.25); a constant column gets scale 1. Rows outside the
 * fit range are transformed with the same numbers. */
START_TEST(test_window_scalers_by_hand)
{
    double x[] = {1, 10, 2, 10, 3, 10, 4, 10, 7, 10};
    tg_scaler mm = tg_scaler_fit(TG_SCALE_MINMAX, x, 2, 0, 4);
    tg_ck_assert_close(mm.shift[0], 1, 0);
    tg_ck_assert_close(mm.scale[0], 3, 0);
    tg_ck_assert_close(mm.scale[1], 1, 0);
    tg_scaler sd = tg_scaler_fit(TG_SCALE_STANDARD, x, 2, 0, 4);
    tg_ck_assert_close(sd.shift[0], 2.5, TG_TEST_TIGHT);
    tg_ck_assert_close(sd.scale[0], sqrt(1.25), TG_TEST_TIGHT);
    tg_ck_assert_close(sd.shift[1], 10, TG_TEST_TIGHT);
    tg_scaler_apply(&mm, x, 5);
    const double want[] = {0, 0, 1.0 / 3, 0, 2.0 / 3, 0, 1, 0, 2, 0};
    for (int k = 0; k < 10; k++)
        tg_ck_assert_close(x[k], want[k], 1e-15);
    tg_ck_assert_close(tg_scaler_invert(&mm, 0, 2), 7, 1e-15);
}
END_TEST

/* Conv1D k = 3 then MaxPool1D p = 2: output j sees window steps up to
 * 2j + 3, so it takes targets 3, 5, 7 of a T = 8 window. */
START_TEST(test_window_output_targets)
{
    tg_series s = counting_series(20);
    tg_window_spec spec = {.steps = 8, .horizon = 1, .stride = 4};
    tg_tensor *x, *y;
    tg_status st = tg_windows_make(&s, 0, 20, spec, &x, &y);
    ck_assert(tg_is_ok(&st));
    tg_tensor *out = tg_window_output_targets(y, 3, 2, 3);
    ck_assert(tg_shape_equal(out->shape, TG_SHAPE(y->shape.dim[0], 3, 1)));
    /* window 1 starts at 4: outputs see up to steps 7, 9, 11; targets are the next days */
    const double want[] = {108, 110, 112};
    for (int j = 0; j < 3; j++)
        tg_ck_assert_close(TG_AT(out, 1, j, 0), want[j], 0);
    tg_tensor_free(out);
    tg_tensor_free(x);
    tg_tensor_free(y);
    tg_series_free(&s);
}
END_TEST

START_TEST(test_window_output_targets_bad)
{
    tg_tensor *y = tg_tensor_new(TG_SHAPE(2, 8, 1));
    tg_window_output_targets(y, 3, 2, 4); /* step 9 does not exist */
}
END_TEST

/* Same seed, same series; another seed, another; targets follow the definition. */
START_TEST(test_window_synthetic_series)
{
    tg_series a, b, c;
    tg_synthetic_series(&a, 300, 5);
    tg_synthetic_series(&b, 300, 5);
    tg_synthetic_series(&c, 300, 6);
    ck_assert(memcmp(a.x, b.x, 300 * sizeof *a.x) == 0);
    ck_assert(memcmp(a.target, b.target, 300 * sizeof *a.target) == 0);
    ck_assert(memcmp(a.x, c.x, 300 * sizeof *a.x) != 0);
    int ups = 0;
    tg_ck_assert_close(a.target[0], 0, 0);
    for (int i = 1; i < 300; i++) {
        ck_assert(a.target[i] == (a.x[i] > a.x[i - 1]));
        ck_assert(fabs(a.x[i]) < 3.5);
        ups += (int)a.target[i];
    }
    /* roughly half the steps go up */
    ck_assert_int_gt(ups, 100);
    ck_assert_int_lt(ups, 200);
    tg_series_free(&a);
    tg_series_free(&b);
    tg_series_free(&c);
}
END_TEST

START_TEST(test_window_synthetic_shapes)
{
    tg_image_set a, b, c;
    tg_synthetic_shapes(&a, 200, 9);
    tg_synthetic_shapes(&b, 200, 9);
    tg_synthetic_shapes(&c, 200, 10);
    ck_assert(a.rows == 28 && a.cols == 28 && a.classes == 10 && a.count == 200);
    ck_assert(memcmp(a.pixels, b.pixels, 200 * 28 * 28) == 0);
    ck_assert(memcmp(a.labels, b.labels, 200) == 0);
    ck_assert(memcmp(a.pixels, c.pixels, 200 * 28 * 28) != 0);
    int seen[10] = {0};
    for (int n = 0; n < 200; n++) {
        ck_assert_int_lt(a.labels[n], 10);
        seen[a.labels[n]]++;
        /* the shape is drawn: some pixels are bright */
        int bright = 0;
        for (int p = 0; p < 28 * 28; p++)
            bright += a.pixels[n * 28 * 28 + p] > 128;
        ck_assert_int_gt(bright, 5);
    }
    for (int k = 0; k < 10; k++)
        ck_assert_int_gt(seen[k], 5);
    tg_image_set_free(&a);
    tg_image_set_free(&b);
    tg_image_set_free(&c);
}
END_TEST

Suite *tg_test_suite(void)
{
    Suite *s = suite_create("window");
    TCase *tc = tcase_create("window");
    tcase_add_test(tc, test_window_alignment_by_hand);
    tcase_add_test(tc, test_window_stride_and_range);
    tcase_add_test(tc, test_window_range_too_short);
    tcase_add_test(tc, test_window_split_by_time);
    tcase_add_exit_test(tc, test_window_split_too_big, TG_FATAL_EXIT);
    tcase_add_test(tc, test_window_no_leakage);
    tcase_add_test(tc, test_window_scalers_by_hand);
    tcase_add_test(tc, test_window_output_targets);
    tcase_add_exit_test(tc, test_window_output_targets_bad, TG_FATAL_EXIT);
    tcase_add_test(tc, test_window_synthetic_series);
    tcase_add_test(tc, test_window_synthetic_shapes);
    suite_add_tcase(s, tc);
    return s;
}
