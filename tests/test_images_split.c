/* The image task's data split: what validates each epoch (and what early
 * stopping would watch) is the last tenth of the training images, held out;
 * the test set is scored once, after training. It used to validate on the
 * test set, so that early stopping selected on test data. */
#include <stdio.h>
#include <string.h>

#include "apps/apps.h"
#include "datasets/datasets.h"
#include "train/train.h"
#include "tests/scratch.h"
#include "tests/support.h"

/* `tapegrad train images --embedded --limit 200 --epochs 1`, its history
 * and weights kept; then the saved weights scored by hand on the held-out
 * images and on the test images. The history's validation loss must be the
 * first, and the run's test loss the second. */
START_TEST(test_images_validate_on_held_out_training_images)
{
    tg_scratch s;
    memset(&s, 0, sizeof s);
    tg_scratch_open(&s);
    FILE *out = tmpfile();
    ck_assert_ptr_nonnull(out);
    tg_app_opts o = tg_app_defaults();
    o.task = TG_APP_IMAGES;
    o.embedded = 1;
    o.epochs = 1;
    o.limit = 200;
    o.out = out;
    o.history_csv = tg_scratch_path(&s, "h.csv");
    o.save_dir = tg_scratch_path(&s, "w");
    tg_app_result r;
    tg_status st = tg_app_run(&o, &r);
    ck_assert_msg(tg_is_ok(&st), "%s", st.msg);

    tg_history h;
    st = tg_history_load_csv(&h, o.history_csv);
    ck_assert_msg(tg_is_ok(&st), "%s", st.msg);
    ck_assert(h.has_val);
    ck_assert_int_eq(h.n_epochs, 1);

    /* The embedded images as the task drew them: the first 200 training
     * images (the generator makes them in order), of which 180 train and
     * the last 20 validate; the test images from the next seed. */
    tg_image_set train, test;
    tg_synthetic_shapes(&train, 200, o.seed);
    tg_synthetic_shapes(&test, 1000, o.seed + 1);
    tg_image_set held = train;
    held.count = 20;
    held.pixels = train.pixels + 180 * (size_t)(train.rows * train.cols);
    held.labels = train.labels + 180;

    tg_model *m = tg_images_model(28, 28, 10, (tg_app_model_opts){.seed = o.seed});
    tg_model_compile(m, tg_optimizer_adam(1e-3), TG_LOSS_CCE, TG_METRIC_ACCURACY);
    char ckpt[700];
    snprintf(ckpt, sizeof ckpt, "%s/model.ckpt", o.save_dir);
    st = tg_model_load(m, ckpt);
    ck_assert_msg(tg_is_ok(&st), "%s", st.msg);
    double acc, held_loss, test_loss;
    st = tg_model_evaluate_images(m, &held, o.batch_size, &held_loss, &acc);
    ck_assert_msg(tg_is_ok(&st), "%s", st.msg);
    st = tg_model_evaluate_images(m, &test, o.batch_size, &test_loss, &acc);
    ck_assert_msg(tg_is_ok(&st), "%s", st.msg);
    tg_ck_assert_close(h.val_loss[0], held_loss, TG_TEST_TIGHT);
    tg_ck_assert_close(r.test_loss, test_loss, TG_TEST_TIGHT);

    char text[8192];
    rewind(out);
    const size_t n = fread(text, 1, sizeof text - 1, out);
    text[n] = '\0';
    fclose(out);
    ck_assert_msg(strstr(text, "180 training images, 20 validation images"), "%s", text);

    tg_model_free(m);
    tg_image_set_free(&train);
    tg_image_set_free(&test);
    tg_history_free(&h);
    tg_scratch_close(&s);
}
END_TEST

Suite *tg_test_suite(void)
{
    Suite *s = suite_create("images_split");
    TCase *tc = tcase_create("images_split");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_images_validate_on_held_out_training_images);
    suite_add_tcase(s, tc);
    return s;
}
