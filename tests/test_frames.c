/* The recurrent applications: the frame sequences (one class twice, the
 * label saying whether its two frames are neighbours, balanced, from the
 * images asked for), the samples fit reads from them, the frames models,
 * `train frames` end to end on the embedded data, and the BiLSTM series
 * model (one output per window, reading every step both ways; the targets
 * kept are the last step's). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/gradcheck_check.h"
#include "apps/apps.h"
#include "datasets/datasets.h"
#include "tests/scratch.h"
#include "tests/support.h"
#include "apps/internal/gradcheck_cases.h"

static void shapes_set(tg_image_set *set, size_t count, uint64_t seed)
{
    tg_synthetic_shapes(set, count, seed);
}

/* Every sequence: classes all shown once but one, shown twice on two
 * different images; label 1 exactly when those two are neighbours; frames
 * from [first, first + n) only; labels alternate. */
START_TEST(test_frame_sequences_structure)
{
    const int T = 3 + _i; /* 3 .. 6 frames */
    tg_image_set set;
    shapes_set(&set, 600, 1);
    tg_frame_sequences seq;
    tg_frame_sequences_make(&set, 100, 400, T, 500, 7, &seq);
    ck_assert_uint_eq(seq.count, 500);
    ck_assert_int_eq(seq.T, T);
    int adjacent_pairs[12] = {0};
    for (size_t s = 0; s < seq.count; s++) {
        const size_t *f = seq.frame + s * (size_t)T;
        int seen[10] = {0}, pos[10][2];
        for (int t = 0; t < T; t++) {
            ck_assert(f[t] >= 100 && f[t] < 500);
            const int c = set.labels[f[t]];
            if (seen[c] < 2)
                pos[c][seen[c]] = t;
            seen[c]++;
        }
        int twice = -1;
        for (int c = 0; c < 10; c++) {
            ck_assert_int_le(seen[c], 2);
            if (seen[c] == 2) {
                ck_assert_int_eq(twice, -1);
                twice = c;
            }
        }
        ck_assert_int_ge(twice, 0);
        const int a = pos[twice][0], b = pos[twice][1];
        ck_assert(f[a] != f[b]);
        ck_assert_int_eq(seq.label[s], b == a + 1);
        ck_assert_int_eq(seq.label[s], (int)(s % 2));
        if (b == a + 1)
            adjacent_pairs[a]++;
    }
    /* every neighbouring pair is used */
    for (int a = 0; a + 1 < T; a++)
        ck_assert_int_gt(adjacent_pairs[a], 0);
    tg_frame_sequences_free(&seq);
    tg_image_set_free(&set);
}
END_TEST

/* One frame says nothing: the class at any one position is spread alike
 * over the classes for both labels (each label's count of each class at
 * each position within 4 standard deviations of the other's). */
START_TEST(test_frame_sequences_one_frame_says_nothing)
{
    const int T = 4;
    tg_image_set set;
    shapes_set(&set, 2000, 2);
    tg_frame_sequences seq;
    tg_frame_sequences_make(&set, 0, 2000, T, 20000, 3, &seq);
    for (int t = 0; t < T; t++)
        for (int c = 0; c < 10; c++) {
            double n[2] = {0, 0};
            for (size_t s = 0; s < seq.count; s++)
                n[seq.label[s]] += set.labels[seq.frame[s * T + t]] == c;
            /* 10000 of each label, p = 1/10: sd of a count 30, of the difference 42 */
            ck_assert_msg(fabs(n[0] - n[1]) < 4 * 42.5, "position %d class %d: %g vs %g", t, c,
                          n[0], n[1]);
        }
    tg_frame_sequences_free(&seq);
    tg_image_set_free(&set);
}
END_TEST

START_TEST(test_frame_sequences_from_the_seed)
{
    tg_image_set set;
    shapes_set(&set, 300, 3);
    tg_frame_sequences a, b;
    tg_frame_sequences_make(&set, 0, 300, 4, 50, 11, &a);
    tg_frame_sequences_make(&set, 0, 300, 4, 50, 11, &b);
    ck_assert(memcmp(a.frame, b.frame, 50 * 4 * sizeof *a.frame) == 0);
    ck_assert(memcmp(a.label, b.label, 50) == 0);
    tg_frame_sequences_free(&a);
    tg_frame_sequences_free(&b);
    tg_image_set_free(&set);
}
END_TEST

/* fit's samples: x[i, t] is the frame's pixels / 255, y[i] the label; with
 * steps 1 only the first frame. */
START_TEST(test_frame_source_gathers)
{
    tg_image_set set;
    shapes_set(&set, 200, 4);
    tg_frame_sequences seq;
    tg_frame_sequences_make(&set, 0, 200, 4, 20, 5, &seq);
    for (int steps = 1; steps <= 4; steps += 3) {
        tg_frame_source fs;
        tg_frame_source_open(&fs, &seq, steps);
        ck_assert(tg_shape_equal(fs.source.x_shape, TG_SHAPE(20, steps, 28, 28, 1)));
        ck_assert(tg_shape_equal(fs.source.y_shape, TG_SHAPE(20, 1)));
        const int idx[3] = {7, 2, 19};
        tg_tensor *x = tg_tensor_new(TG_SHAPE(3, steps, 28, 28, 1));
        tg_tensor *y = tg_tensor_new(TG_SHAPE(3, 1));
        fs.source.gather(fs.source.ctx, idx, 3, x, y);
        for (int i = 0; i < 3; i++) {
            ck_assert(y->data[i] == seq.label[idx[i]]);
            for (int t = 0; t < steps; t++) {
                const uint8_t *px = set.pixels + seq.frame[idx[i] * 4 + t] * 28 * 28;
                for (int r = 0; r < 28; r++)
                    for (int c = 0; c < 28; c++)
                        tg_ck_assert_close(TG_AT(x, i, t, r, c, 0), px[r * 28 + c] / 255.0,
                                           TG_TEST_TIGHT);
            }
        }
        tg_tensor_free(x);
        tg_tensor_free(y);
        tg_frame_source_free(&fs);
    }
    tg_frame_sequences_free(&seq);
    tg_image_set_free(&set);
}
END_TEST

/* The three models: their inputs, one output, and parameter counts (Conv2D
 * 16 filters 3x3: 160; 26 x 26 pooled 4x4: 6 x 6 x 16 = 576 features a
 * frame; LSTM(32) diagonal on 576: 4 (576 32 + 32 32 + 32 + 32) = 78080;
 * Dense 33; cnn-dense: Dense(32) on 4 x 576: 73760, then 33; one-frame:
 * Dense(32) on 576: 18464). */
START_TEST(test_frames_models)
{
    const tg_frames_arch archs[] = {TG_FRAMES_CNN_LSTM, TG_FRAMES_CNN_DENSE, TG_FRAMES_ONE_FRAME};
    const int steps[] = {4, 4, 1};
    const size_t params[] = {160 + 78080 + 33, 160 + 73760 + 33, 160 + 18464 + 33};
    for (int a = 0; a < 3; a++) {
        tg_model *m = tg_frames_model(archs[a], 4, 28, 28, (tg_app_model_opts){.seed = 1});
        ck_assert(tg_shape_equal(m->input_shape, TG_SHAPE(steps[a], 28, 28, 1)));
        ck_assert(tg_shape_equal(m->output_shape, TG_SHAPE(1)));
        ck_assert_uint_eq(tg_model_param_count(m), params[a]);
        ck_assert_str_eq(m->layers[0]->ops->kind, "TimeDistributed");
        ck_assert_str_eq(m->layers[0]->inner[0]->ops->kind, "Conv2D");
        ck_assert_str_eq(m->layers[3]->ops->kind, a == 0 ? "LSTM" : "Flatten");
        tg_model_free(m);
        tg_frames_arch back;
        ck_assert_int_eq(tg_frames_arch_parse(tg_frames_arch_name(archs[a]), &back), 0);
        ck_assert_int_eq((int)back, (int)archs[a]);
    }
}
END_TEST

START_TEST(test_apps_model_gradcheck_cases)
{
    int n;
    const tg_gradcheck_case *c = tg_app_model_gradcheck_cases(&n);
    ck_assert_int_eq(n, 3);
    tg_ck_assert_gradcheck(c[_i].name, c[_i].run(3));
}
END_TEST

/* Runs the application, its output into *text (free it). */
static tg_status run_app(tg_app_opts *o, tg_app_result *r, char **text)
{
    size_t len = 0;
    *text = NULL;
    o->out = open_memstream(text, &len);
    tg_status st = tg_app_run(o, r);
    fclose(o->out);
    ck_assert_msg(tg_is_ok(&st), "%s", st.msg);
    return st;
}

/* `train frames` on the embedded shapes, a few hundred sequences: the
 * summary, the epoch lines, the test line with its baseline, the history. */
START_TEST(test_train_frames_embedded)
{
    tg_scratch s;
    tg_scratch_open(&s);
    const char *csv = tg_scratch_path(&s, "h.csv");
    const tg_frames_arch archs[] = {TG_FRAMES_CNN_LSTM, TG_FRAMES_ONE_FRAME};
    tg_app_opts o = tg_app_defaults();
    o.task = TG_APP_FRAMES;
    o.embedded = 1;
    o.epochs = 2;
    o.limit = 300;
    o.frames_arch = archs[_i];
    o.history_csv = csv;
    char *text;
    tg_app_result r;
    run_app(&o, &r, &text);
    ck_assert_int_eq(r.embedded, 1);
    ck_assert_int_eq(r.epochs_run, 2);
    ck_assert(r.test_metric >= 0 && r.test_metric <= 1);
    tg_ck_assert_close(r.majority, 0.5, TG_TEST_TIGHT);
    const char *pieces[] = {"time_distributed (TimeDistributed)", "Epoch 2/2",
                            "300 training, 500 validation, 1000 test sequences", "test (1000 "
                                                                                 "sequences)",
                            _i ? "(sees the first frame of each sequence only)" : "lstm (LSTM)"};
    for (size_t k = 0; k < sizeof pieces / sizeof pieces[0]; k++)
        ck_assert_msg(strstr(text, pieces[k]) != NULL, "output lacks '%s':\n%s", pieces[k], text);
    tg_history h;
    tg_status st = tg_history_load_csv(&h, csv);
    ck_assert_msg(tg_is_ok(&st), "%s", st.msg);
    ck_assert_int_eq(h.n_epochs, 2);
    ck_assert(h.has_val);
    tg_history_free(&h);
    free(text);
    tg_scratch_close(&s);
}
END_TEST

/* An IDX file of n items: images (n, 28, 28) of one grey, or labels. */
static void write_idx(tg_scratch *s, const char *name, size_t n, int labels)
{
    const size_t header = labels ? 8 : 16, item = labels ? 1 : 28 * 28;
    unsigned char *b = calloc(header + n * item, 1);
    b[2] = 0x08;
    b[3] = labels ? 1 : 3;
    for (int k = 0; k < 4; k++)
        b[4 + k] = (unsigned char)(n >> (24 - 8 * k));
    if (!labels)
        b[11] = b[15] = 28;
    for (size_t i = 0; i < n; i++)
        memset(b + header + i * item, labels ? (int)(i % 10) : 128, item);
    tg_scratch_write(s, name, b, header + n * item, 0);
    free(b);
}

/* Real files with too few images of a class for the validation sequences
 * (22 training images, labels 0..9 0..9 0 1: the last two, held out for
 * validation, are one of class 0 and one of class 1): a data error naming the set
 * and the class, not a stop. */
START_TEST(test_train_frames_too_few_images)
{
    tg_scratch s;
    tg_scratch_open(&s);
    write_idx(&s, "train-images-idx3-ubyte", 22, 0);
    write_idx(&s, "train-labels-idx1-ubyte", 22, 1);
    write_idx(&s, "t10k-images-idx3-ubyte", 30, 0);
    write_idx(&s, "t10k-labels-idx1-ubyte", 30, 1);
    tg_app_opts o = tg_app_defaults();
    o.task = TG_APP_FRAMES;
    o.data_dir = s.dir;
    o.out = fopen("/dev/null", "w");
    tg_status st = tg_app_run(&o, NULL);
    fclose(o.out);
    tg_ck_assert_error(st, "frames: the last tenth of the training images (validation): class 0 "
                           "has 1 images, a sequence needs two");
    tg_scratch_close(&s);
}
END_TEST

START_TEST(test_train_frames_bad_steps)
{
    tg_app_opts o = tg_app_defaults();
    o.task = TG_APP_FRAMES;
    o.embedded = 1;
    o.steps = 12;
    o.out = fopen("/dev/null", "w");
    tg_status st = tg_app_run(&o, NULL);
    fclose(o.out);
    tg_ck_assert_error(st, "frames: --steps 12");
}
END_TEST

/* ---- the BiLSTM series model ---- */

/* One output per window, and it reads every input step the pooling keeps,
 * from both ends: a change at any such step moves it. */
START_TEST(test_bilstm_series_reads_the_whole_window)
{
    const int T = 12;
    tg_model *m = tg_series_model(TG_SERIES_BILSTM, T, 2, 1, (tg_app_model_opts){.seed = 9});
    ck_assert(tg_shape_equal(m->output_shape, TG_SHAPE(1, 1)));
    ck_assert_str_eq(m->layers[2]->ops->kind, "Bidirectional");
    tg_rng rng;
    tg_rng_seed(&rng, 4);
    tg_tensor *x = tg_tensor_new(TG_SHAPE(1, T, 2));
    for (size_t k = 0; k < x->size; k++)
        x->data[k] = (tg_real)tg_rng_normal(&rng);
    tg_tensor *base = tg_model_predict(m, x, 1);
    int first, step, count;
    tg_series_model_alignment(T, &first, &step, &count);
    for (int k = 0; k <= first + step * (count - 1); k++) {
        tg_tensor *x2 = tg_tensor_clone(x);
        TG_AT(x2, 0, k, 0) += 3;
        TG_AT(x2, 0, k, 1) -= 3;
        tg_tensor *p = tg_model_predict(m, x2, 1);
        ck_assert_msg(p->data[0] != base->data[0], "the output ignores input step %d", k);
        tg_tensor_free(p);
        tg_tensor_free(x2);
    }
    tg_tensor_free(base);
    tg_tensor_free(x);
    tg_model_free(m);
}
END_TEST

/* The BiLSTM trains on each window's last target only: the one after all
 * it read; the other models keep them all. */
START_TEST(test_bilstm_series_targets)
{
    tg_series_task t, kept;
    tg_synthetic_task(1, 600, 12, 5, &t);
    tg_synthetic_task(1, 600, 12, 5, &kept);
    tg_series_model_targets(TG_SERIES_CNN_LSTM, &kept);
    ck_assert(tg_shape_equal(kept.y_train->shape, t.y_train->shape));
    tg_series_model_targets(TG_SERIES_BILSTM, &t);
    const tg_tensor *all[3] = {kept.y_train, kept.y_val, kept.y_test};
    const tg_tensor *last[3] = {t.y_train, t.y_val, t.y_test};
    for (int k = 0; k < 3; k++) {
        const int n = all[k]->shape.dim[0], outputs = all[k]->shape.dim[1];
        ck_assert(tg_shape_equal(last[k]->shape, TG_SHAPE(n, 1, 1)));
        for (int w = 0; w < n; w++)
            ck_assert(last[k]->data[w] == TG_AT(all[k], w, outputs - 1, 0));
    }
    tg_series_arch arch;
    ck_assert_int_eq(tg_series_arch_parse("bilstm", &arch), 0);
    ck_assert_int_eq((int)arch, TG_SERIES_BILSTM);
    ck_assert_str_eq(tg_series_arch_name(TG_SERIES_LSTM_CNN), "lstm-cnn");
    ck_assert_int_eq(tg_series_arch_parse("gru", &arch), -1);
    tg_series_task_free(&t);
    tg_series_task_free(&kept);
}
END_TEST

/* `train timeseries --model bilstm` on the embedded series learns past the
 * majority baseline, scored on the same last steps as the other models. */
START_TEST(test_train_bilstm_embedded)
{
    tg_app_opts o = tg_app_defaults();
    o.task = TG_APP_TIMESERIES;
    o.embedded = 1;
    o.arch = TG_SERIES_BILSTM;
    o.epochs = 2;
    char *text;
    tg_app_result r;
    run_app(&o, &r, &text);
    ck_assert_msg(strstr(text, "targets: 1 per window") != NULL, "%s", text);
    ck_assert_msg(r.model > r.majority + 0.1, "model %g, majority %g", r.model, r.majority);
    free(text);
}
END_TEST

START_TEST(test_frame_sequences_too_long)
{
    tg_image_set set;
    shapes_set(&set, 100, 1);
    tg_frame_sequences seq;
    tg_frame_sequences_make(&set, 0, 100, 12, 5, 1, &seq);
}
END_TEST

Suite *tg_test_suite(void)
{
    Suite *s = suite_create("frames");
    TCase *tc = tcase_create("frames");
    /* two of the tests train (seconds optimised, tens under ASan or valgrind) */
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_frame_sequences_structure, 0, 4);
    tcase_add_test(tc, test_frame_sequences_one_frame_says_nothing);
    tcase_add_test(tc, test_frame_sequences_from_the_seed);
    tcase_add_test(tc, test_frame_source_gathers);
    tcase_add_test(tc, test_frames_models);
    tcase_add_loop_test(tc, test_apps_model_gradcheck_cases, 0, 3);
    tcase_add_loop_test(tc, test_train_frames_embedded, 0, 2);
    tcase_add_test(tc, test_train_frames_bad_steps);
    tcase_add_test(tc, test_train_frames_too_few_images);
    tcase_add_test(tc, test_bilstm_series_reads_the_whole_window);
    tcase_add_test(tc, test_bilstm_series_targets);
    tcase_add_test(tc, test_train_bilstm_embedded);
    tcase_add_exit_test(tc, test_frame_sequences_too_long, TG_FATAL_EXIT);
    suite_add_tcase(s, tc);
    return s;
}
