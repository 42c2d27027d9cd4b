/* Moving images (datasets/moving.c): the same seed gives the same
 * sequences, sets from disjoint image ranges share no image, every item
 * stays whole inside the canvas and moves at its speed, bouncing off the
 * edges, and the copy-last baseline on a case worked by hand. Small
 * sizes: the whole suite runs in a blink under the sanitizers. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "datasets/datasets.h"
#include "tensor/tensor.h"
#include "tests/support.h"

static tg_moving_opts small_opts(void)
{
    return (tg_moving_opts){.canvas = 16, .item = 7, .items = 2, .frames = 12, .speed = 2.5};
}

START_TEST(test_moving_same_seed_same_sequences)
{
    tg_image_set set;
    tg_synthetic_shapes(&set, 40, 3);
    tg_moving_set a, b, c;
    tg_moving_make(&set, 0, 40, 9, small_opts(), 7, &a);
    tg_moving_make(&set, 0, 40, 9, small_opts(), 7, &b);
    tg_moving_make(&set, 0, 40, 9, small_opts(), 8, &c);
    const size_t bytes = 9 * 12 * 16 * 16;
    ck_assert(memcmp(a.pixels, b.pixels, bytes) == 0);
    ck_assert(memcmp(a.source, b.source, 9 * 2 * sizeof *a.source) == 0);
    ck_assert(memcmp(a.pixels, c.pixels, bytes) != 0);
    tg_moving_free(&a);
    tg_moving_free(&b);
    tg_moving_free(&c);
    tg_image_set_free(&set);
}
END_TEST

/* Three ranges of one set, as the next-frame task splits it. */
START_TEST(test_moving_disjoint_sources)
{
    tg_image_set set;
    tg_synthetic_shapes(&set, 60, 4);
    tg_moving_set s[3];
    const size_t first[3] = {0, 30, 45}, n[3] = {30, 15, 15};
    for (int k = 0; k < 3; k++)
        tg_moving_make(&set, first[k], n[k], 20, small_opts(), 10 + (uint64_t)k, &s[k]);
    for (int k = 0; k < 3; k++)
        for (size_t i = 0; i < 20 * 2; i++) {
            ck_assert_uint_ge(s[k].source[i], first[k]);
            ck_assert_uint_lt(s[k].source[i], first[k] + n[k]);
        }
    for (int k = 0; k < 3; k++)
        tg_moving_free(&s[k]);
    tg_image_set_free(&set);
}
END_TEST

/* One item: each corner stays in [0, canvas - item], moves by at most the
 * speed (rounded) a frame, the frame shows the whole item (its pixel sum
 * is the shrunk item's, nothing cut at an edge), and in 40 frames at speed
 * 3 on a 16-pixel canvas some frame turns back (a bounce). */
START_TEST(test_moving_stays_inside_and_bounces)
{
    tg_image_set set;
    tg_synthetic_shapes(&set, 8, 5);
    tg_moving_opts o = {.canvas = 16, .item = 7, .items = 1, .frames = 40, .speed = 3};
    const int max = o.canvas - o.item;
    tg_moving_set s;
    tg_moving_make(&set, 0, 8, 6, o, 21, &s);
    for (size_t q = 0; q < s.count; q++) {
        long first_sum = -1;
        int turned = 0;
        for (int t = 0; t < o.frames; t++) {
            const int *c = s.corner + ((q * (size_t)o.frames) + (size_t)t) * 2;
            ck_assert(c[0] >= 0 && c[0] <= max && c[1] >= 0 && c[1] <= max);
            if (t > 0) {
                ck_assert_int_le(abs(c[0] - c[-2]), 4);
                ck_assert_int_le(abs(c[1] - c[-1]), 4);
            }
            if (t > 1)
                turned |= (c[0] - c[-2]) * (c[-2] - c[-4]) < 0 ||
                           (c[1] - c[-1]) * (c[-1] - c[-3]) < 0;
            const uint8_t *f = tg_moving_frame(&s, q, t);
            long sum = 0;
            for (int i = 0; i < o.canvas * o.canvas; i++)
                sum += f[i];
            if (first_sum < 0)
                first_sum = sum;
            ck_assert_int_eq(sum, first_sum);
            ck_assert_int_gt(sum, 0);
        }
        ck_assert(turned);
    }
    tg_moving_free(&s);
    tg_image_set_free(&set);
}
END_TEST

/* Speed 0: every frame is the first, so copy-last is exact (0). */
START_TEST(test_moving_still_items_copy_last_is_exact)
{
    tg_image_set set;
    tg_synthetic_shapes(&set, 8, 6);
    tg_moving_opts o = small_opts();
    o.speed = 0;
    tg_moving_set s;
    tg_moving_make(&set, 0, 8, 3, o, 2, &s);
    ck_assert(tg_moving_copy_last_mse(&s, 4) == 0);
    tg_moving_free(&s);
    tg_image_set_free(&set);
}
END_TEST

/* By hand: two sequences of three 2 x 2 frames (canvas 2), pixels 0 or
 * 255 (1 after / 255). Predicting frame 2 from frame 1: sequence 0 differs
 * in 1 pixel of 4, sequence 1 in 3: MSE (1 + 3) / 8 = 0.5. Predicting
 * frame 1 from frame 0: 2 pixels of 8 differ, one by 255 and one by 51
 * (0.2): (1 + 0.04) / 8. */
START_TEST(test_moving_copy_last_by_hand)
{
    static const uint8_t px[2][3][4] = {
        {{0, 255, 0, 0}, {0, 255, 0, 0}, {255, 255, 0, 0}},
        {{255, 0, 0, 51}, {0, 0, 0, 0}, {255, 255, 255, 0}},
    };
    tg_moving_set s;
    memset(&s, 0, sizeof s);
    s.opts = (tg_moving_opts){.canvas = 2, .item = 1, .items = 1, .frames = 3};
    s.count = 2;
    s.pixels = (uint8_t *)px;
    tg_ck_assert_close(tg_moving_copy_last_mse(&s, 2), 0.5, TG_TEST_TIGHT);
    tg_ck_assert_close(tg_moving_copy_last_mse(&s, 1), (1 + 0.04) / 8, TG_TEST_TIGHT);
}
END_TEST

START_TEST(test_moving_refuses_big_item)
{
    tg_image_set set;
    tg_synthetic_shapes(&set, 4, 1);
    tg_moving_opts o = small_opts();
    o.item = 17;
    tg_moving_set s;
    tg_moving_make(&set, 0, 4, 1, o, 1, &s);
}
END_TEST

START_TEST(test_moving_refuses_images_outside)
{
    tg_image_set set;
    tg_synthetic_shapes(&set, 4, 1);
    tg_moving_set s;
    tg_moving_make(&set, 2, 3, 1, small_opts(), 1, &s);
}
END_TEST

START_TEST(test_moving_refuses_copy_last_at_zero)
{
    tg_image_set set;
    tg_synthetic_shapes(&set, 4, 1);
    tg_moving_set s;
    tg_moving_make(&set, 0, 4, 1, small_opts(), 1, &s);
    tg_moving_copy_last_mse(&s, 0);
}
END_TEST

Suite *tg_test_suite(void)
{
    Suite *s = suite_create("moving");
    TCase *tc = tcase_create("moving");
    tcase_add_test(tc, test_moving_same_seed_same_sequences);
    tcase_add_test(tc, test_moving_disjoint_sources);
    tcase_add_test(tc, test_moving_stays_inside_and_bounces);
    tcase_add_test(tc, test_moving_still_items_copy_last_is_exact);
    tcase_add_test(tc, test_moving_copy_last_by_hand);
    suite_add_tcase(s, tc);
    TCase *bad = tcase_create("bad");
    tcase_add_exit_test(bad, test_moving_refuses_big_item, TG_FATAL_EXIT);
    tcase_add_exit_test(bad, test_moving_refuses_images_outside, TG_FATAL_EXIT);
    tcase_add_exit_test(bad, test_moving_refuses_copy_last_at_zero, TG_FATAL_EXIT);
    suite_add_tcase(s, bad);
    return s;
}
