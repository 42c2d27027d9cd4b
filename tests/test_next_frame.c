/* The next-frame task's pieces (apps/next_frame.c, apps/models.c): the
 * samples fit reads (frames in time order or stacked as channels, the
 * next frame as the target) on a case written out by hand, the two
 * models' shapes and parameter counts against Keras's formulas, and a
 * tiny training run of each that lowers the loss. Tiny sizes (12 x 12
 * canvases, 24 sequences): the suite takes a second or two under ASan. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apps/apps.h"
#include "datasets/datasets.h"
#include "tests/scratch.h"
#include "tests/support.h"
#include "train/train.h"

/* Two sequences of three 2 x 2 frames (canvas 2): pixel p of
 * frame t of sequence s is 10 (3 s + t) + p, / 255. */
START_TEST(test_next_frame_source_by_hand)
{
    uint8_t px[2 * 3 * 4];
    for (int s = 0; s < 2; s++)
        for (int t = 0; t < 3; t++)
            for (int p = 0; p < 4; p++)
                px[(s * 3 + t) * 4 + p] = (uint8_t)(10 * (3 * s + t) + p);
    tg_moving_set set;
    memset(&set, 0, sizeof set);
    set.opts = (tg_moving_opts){.canvas = 2, .item = 1, .items = 1, .frames = 3};
    set.count = 2;
    set.pixels = px;
    for (int stacked = 0; stacked < 2; stacked++) {
        tg_moving_source ms;
        tg_moving_source_open(&ms, &set, 2, stacked);
        ck_assert(tg_shape_equal(ms.source.x_shape,
                                 stacked ? TG_SHAPE(2, 2, 2, 2) : TG_SHAPE(2, 2, 2, 2, 1)));
        ck_assert(tg_shape_equal(ms.source.y_shape, TG_SHAPE(2, 2, 2, 1)));
        tg_tensor *x = tg_tensor_new(TG_SHAPE(1, 2, 2, 2, 1)), *y = tg_tensor_new(TG_SHAPE(1, 2, 2, 1));
        const int idx[1] = {1};
        ms.source.gather(ms.source.ctx, idx, 1, x, y);
        for (int t = 0; t < 2; t++)
            for (int p = 0; p < 4; p++) {
                /* time order: x[t][p]; stacked: x[p][t] */
                const tg_real got = x->data[stacked ? p * 2 + t : t * 4 + p];
                tg_ck_assert_close(got, (10 * (3 + t) + p) / 255.0, TG_TEST_TIGHT);
            }
        for (int p = 0; p < 4; p++)
            tg_ck_assert_close(y->data[p], (10 * (3 + 2) + p) / 255.0, TG_TEST_TIGHT);
        tg_tensor_free(x);
        tg_tensor_free(y);
    }
}
END_TEST

/* ConvLSTM2D(16, 3x3): kernel 3 3 1 64, recurrent kernel 3 3 16 64, bias
 * 64, with the diagonal peepholes 4 (S S 16) more; the output Conv2D 3 3
 * 16 1 + 1. The CNN: 3 3 k 32 + 32, 3 3 32 32 + 32, 3 3 32 1 + 1. */
START_TEST(test_next_frame_models)
{
    const int S = 12, k = 4;
    tg_app_model_opts none = {.peephole = TG_PEEPHOLE_NONE, .seed = 1};
    tg_app_model_opts diag = {.peephole = TG_PEEPHOLE_DIAGONAL, .seed = 1};
    tg_model *a = tg_next_frame_model(TG_NEXT_FRAME_CONVLSTM, k, S, none);
    tg_model *b = tg_next_frame_model(TG_NEXT_FRAME_CONVLSTM, k, S, diag);
    tg_model *c = tg_next_frame_model(TG_NEXT_FRAME_CNN, k, S, none);
    const size_t lstm = 9 * 64 + 9 * 16 * 64 + 64, out = 9 * 16 + 1;
    ck_assert_uint_eq(tg_model_param_count(a), lstm + out);
    ck_assert_uint_eq(tg_model_param_count(b), lstm + 4 * S * S * 16 + out);
    ck_assert_uint_eq(tg_model_param_count(c),
                      9 * k * 32 + 32 + 9 * 32 * 32 + 32 + 9 * 32 + 1);
    ck_assert(tg_shape_equal(a->input_shape, TG_SHAPE(k, S, S, 1)));
    ck_assert(tg_shape_equal(c->input_shape, TG_SHAPE(S, S, k)));
    for (tg_model *m = a; m; m = m == a ? b : m == b ? c : NULL) {
        ck_assert(tg_shape_equal(m->output_shape, TG_SHAPE(S, S, 1)));
        tg_tensor *bias = m->layers[m->n_layers - 1]->params[1];
        ck_assert(bias->data[0] == -2);
    }
    tg_next_frame_arch back;
    ck_assert_int_eq(tg_next_frame_arch_parse("cnn", &back), 0);
    ck_assert_int_eq(back, TG_NEXT_FRAME_CNN);
    ck_assert_str_eq(tg_next_frame_arch_name(TG_NEXT_FRAME_CONVLSTM), "convlstm");
    ck_assert_int_eq(tg_next_frame_arch_parse("bogus", &back), -1);
    tg_model_free(a);
    tg_model_free(b);
    tg_model_free(c);
}
END_TEST

/* Four epochs on 24 sequences of one 5 x 5 shape on a 12 x 12 canvas: the
 * loss on them goes down, for the model _i. */
START_TEST(test_next_frame_learns)
{
    const tg_next_frame_arch arch = _i ? TG_NEXT_FRAME_CNN : TG_NEXT_FRAME_CONVLSTM;
    tg_image_set images;
    tg_synthetic_shapes(&images, 20, 3);
    tg_moving_opts mo = {.canvas = 12, .item = 5, .items = 1, .frames = 3, .speed = 1.5};
    tg_moving_set set;
    tg_moving_make(&images, 0, 20, 24, mo, 4, &set);
    tg_moving_source ms;
    tg_moving_source_open(&ms, &set, 2, arch == TG_NEXT_FRAME_CNN);
    tg_model *m = tg_next_frame_model(arch, 2, 12, (tg_app_model_opts){.seed = 6});
    tg_model_compile(m, tg_optimizer_adam(1e-2), TG_LOSS_MSE, TG_METRIC_MAE);
    double before, after;
    tg_status st = tg_model_evaluate_source(m, &ms.source, 24, &before, NULL);
    ck_assert_msg(tg_is_ok(&st), "%s", st.msg);
    tg_fit_opts o = tg_fit_defaults();
    o.epochs = 4;
    o.batch_size = 8;
    o.verbose = 0;
    tg_history h;
    st = tg_model_fit_source(m, &ms.source, NULL, &o, &h);
    ck_assert_msg(tg_is_ok(&st), "%s", st.msg);
    st = tg_model_evaluate_source(m, &ms.source, 24, &after, NULL);
    ck_assert_msg(tg_is_ok(&st), "%s", st.msg);
    ck_assert_msg(after < 0.8 * before, "%s: loss %g -> %g", tg_next_frame_arch_name(arch),
                  before, after);
    tg_history_free(&h);
    tg_model_free(m);
    tg_moving_free(&set);
    tg_image_set_free(&images);
}
END_TEST

START_TEST(test_next_frame_source_refuses_k)
{
    tg_image_set images;
    tg_synthetic_shapes(&images, 4, 3);
    tg_moving_set set;
    tg_moving_make(&images, 0, 4, 2, (tg_moving_opts){.canvas = 8, .item = 4, .items = 1,
                                                       .frames = 3, .speed = 1},
                   1, &set);
    tg_moving_source ms;
    tg_moving_source_open(&ms, &set, 3, 0);
}
END_TEST

/* `train next-frame --peephole full` stopped the program with tg_fatal's
 * exit 3 from inside ConvLSTM2D, half way through the run's output: it is
 * an option error, refused before anything is read or printed. */
START_TEST(test_next_frame_refuses_full_peepholes)
{
    tg_app_opts o = tg_app_defaults();
    o.task = TG_APP_NEXT_FRAME;
    o.embedded = 1;
    o.peephole = TG_PEEPHOLE_FULL;
    char *text = NULL;
    size_t len = 0;
    o.out = open_memstream(&text, &len);
    tg_status st = tg_app_run(&o, NULL);
    fclose(o.out);
    tg_ck_assert_error(st, "next-frame: --peephole full: ");
    ck_assert_uint_eq(len, 0);
    free(text);
}
END_TEST

Suite *tg_test_suite(void)
{
    Suite *s = suite_create("next_frame");
    TCase *tc = tcase_create("next_frame");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_next_frame_source_by_hand);
    tcase_add_test(tc, test_next_frame_models);
    tcase_add_loop_test(tc, test_next_frame_learns, 0, 2);
    tcase_add_test(tc, test_next_frame_refuses_full_peepholes);
    suite_add_tcase(s, tc);
    TCase *bad = tcase_create("bad");
    tcase_add_exit_test(bad, test_next_frame_source_refuses_k, TG_FATAL_EXIT);
    suite_add_tcase(s, bad);
    return s;
}
