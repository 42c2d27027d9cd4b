/* tg_fatal_catch: a programming error caught comes back as its one-line
 * message; a body that returns is ok; catches nest; handlers and the
 * default handler are in force again once a catch ends; a fatal raised on
 * another thread is not caught; and the state a caught fatal leaves is the
 * one tensor.h documents (a tape reset is as good as new, a model's tape is
 * left in no-grad mode after a fatal inside predict). */
#include <check.h>
#include <pthread.h>
#include <setjmp.h>
#include <string.h>

#include "autograd/autograd.h"
#include "layers/layers.h"
#include "tensor/tensor.h"
#include "train/train.h"
#include "tests/support.h"

typedef struct {
    tg_tape *tape;
    tg_tensor *a, *b;
    int reached; /* how far the body got */
} matmul_case;

/* (2, 3) @ (4, 5): stops in tg_matmul, after one good op was recorded. */
static void bad_matmul(void *ctx)
{
    matmul_case *c = ctx;
    tg_tanh(c->tape, c->a);
    c->reached = 1;
    tg_matmul(c->tape, c->a, c->b);
    c->reached = 2;
}

static void open_case(matmul_case *c)
{
    c->tape = tg_tape_new();
    c->a = tg_tensor_ones(TG_SHAPE(2, 3));
    c->b = tg_tensor_ones(TG_SHAPE(4, 5));
    tg_tensor_requires_grad(c->a);
    c->reached = 0;
}

static void close_case(matmul_case *c)
{
    tg_tape_free(c->tape);
    tg_tensor_free(c->a);
    tg_tensor_free(c->b);
}

START_TEST(test_catch_shape_error)
{
    matmul_case c;
    open_case(&c);
    tg_status st = tg_fatal_catch(bad_matmul, &c);
    ck_assert(!tg_is_ok(&st));
    ck_assert_int_eq(c.reached, 1);
    ck_assert_str_eq(st.msg,
                     "tapegrad: matmul: shapes (2, 3) and (4, 5) do not fit ((..., K) @ (K, M))");
    ck_assert_ptr_null(strchr(st.msg, '\n'));
    close_case(&c);
}
END_TEST

static void count_up(void *ctx)
{
    ++*(int *)ctx;
}

START_TEST(test_catch_body_returns)
{
    int runs = 0;
    tg_status st = tg_fatal_catch(count_up, &runs);
    ck_assert(tg_is_ok(&st));
    ck_assert_str_eq(st.msg, "");
    ck_assert_int_eq(runs, 1);
}
END_TEST

typedef struct {
    tg_status inner;
    int after_inner;
} nested_case;

static void inner_body(void *ctx)
{
    (void)ctx;
    tg_fatal("inner: %d", 1);
}

/* Catches its own fatal, goes on, then stops with another. */
static void outer_body(void *ctx)
{
    nested_case *c = ctx;
    c->inner = tg_fatal_catch(inner_body, NULL);
    c->after_inner = 1;
    tg_fatal("outer: %d", 2);
}

START_TEST(test_catch_nested)
{
    nested_case c = {tg_status_ok(), 0};
    tg_status st = tg_fatal_catch(outer_body, &c);
    ck_assert_str_eq(c.inner.msg, "tapegrad: inner: 1");
    ck_assert_int_eq(c.after_inner, 1);
    ck_assert(!tg_is_ok(&st));
    ck_assert_str_eq(st.msg, "tapegrad: outer: 2");
    /* and again, from the same place: the frames were all taken down */
    c.after_inner = 0;
    st = tg_fatal_catch(outer_body, &c);
    ck_assert_str_eq(st.msg, "tapegrad: outer: 2");
    ck_assert_int_eq(c.after_inner, 1);
}
END_TEST

static void long_message(void *ctx)
{
    (void)ctx;
    char text[400];
    memset(text, 'x', sizeof text - 1);
    text[sizeof text - 1] = '\0';
    tg_fatal("%s", text);
}

START_TEST(test_catch_long_message_cut)
{
    tg_status st = tg_fatal_catch(long_message, NULL);
    ck_assert(!tg_is_ok(&st));
    ck_assert_uint_eq(strlen(st.msg), sizeof st.msg - 1);
    ck_assert(strncmp(st.msg, "tapegrad: xxx", 13) == 0);
}
END_TEST

static jmp_buf handler_jump;
static int handler_calls;

static void jumping_handler(const char *message)
{
    (void)message;
    handler_calls++;
    longjmp(handler_jump, 1);
}

/* A handler installed before a catch is not called for the fatal the catch
 * takes, and is the one in force (and called) after it. */
START_TEST(test_catch_leaves_handler)
{
    handler_calls = 0;
    tg_fatal_handler previous = tg_set_fatal_handler(jumping_handler);
    tg_status st = tg_fatal_catch(inner_body, NULL);
    ck_assert(!tg_is_ok(&st));
    ck_assert_int_eq(handler_calls, 0);
    if (setjmp(handler_jump) == 0)
        tg_fatal("after the catch");
    ck_assert_int_eq(handler_calls, 1);
    ck_assert(tg_set_fatal_handler(previous) == jumping_handler);
}
END_TEST

/* After a catch, a fatal stops the program under the default handler. */
START_TEST(test_default_handler_after_catch)
{
    tg_status st = tg_fatal_catch(inner_body, NULL);
    ck_assert(!tg_is_ok(&st));
    tg_fatal("not caught: exit status %d", TG_FATAL_EXIT);
}
END_TEST

static void *fatal_on_thread(void *arg)
{
    (void)arg;
    tg_fatal("raised on another thread");
}

static void spawn_fatal_thread(void *ctx)
{
    (void)ctx;
    pthread_t thread;
    ck_assert_int_eq(pthread_create(&thread, NULL, fatal_on_thread, NULL), 0);
    pthread_join(thread, NULL);
}

/* A catch takes the fatals of its own thread only: another thread's go to
 * the handler (the default one: exit status TG_FATAL_EXIT). */
START_TEST(test_other_thread_not_caught)
{
    tg_fatal_catch(spawn_fatal_thread, NULL);
}
END_TEST

/* The tape of a caught fatal, reset, records and differentiates anew:
 * d/da sum(tanh(a)) = 1 - tanh(a)^2 for a = 1. */
START_TEST(test_tape_reset_after_catch)
{
    matmul_case c;
    open_case(&c);
    tg_status st = tg_fatal_catch(bad_matmul, &c);
    ck_assert(!tg_is_ok(&st));
    tg_tape_reset(c.tape);
    tg_tape_backward(c.tape, tg_sum(c.tape, tg_tanh(c.tape, c.a)));
    ck_assert_int_eq(c.tape->n_nodes, 2);
    const double t = tanh(1.0);
    for (size_t k = 0; k < c.a->size; k++)
        tg_ck_assert_close(c.a->grad[k], 1 - t * t, TG_TEST_TIGHT);
    close_case(&c);
}
END_TEST

typedef struct {
    tg_model *m;
    tg_tensor *x;
    tg_tensor *y;
} predict_case;

static void predict_body(void *ctx)
{
    predict_case *c = ctx;
    c->y = tg_model_predict(c->m, c->x, 0);
}

/* A model's predict stopped inside a layer leaves its tape in no-grad mode,
 * as documented; reset and no_grad = 0 and it trains again. */
START_TEST(test_model_after_caught_predict)
{
    predict_case c = {tg_model_new(TG_SHAPE(3), 1), NULL, NULL};
    tg_layer *dense = tg_model_add(c.m, tg_dense(2, TG_LINEAR));
    c.x = tg_tensor_ones(TG_SHAPE(4, 3)); /* three features, as the model takes */
    tg_tensor *wide = tg_tensor_ones(TG_SHAPE(4, 5));
    predict_case bad = {c.m, wide, NULL};
    tg_status st = tg_fatal_catch(predict_body, &bad);
    ck_assert(!tg_is_ok(&st));
    ck_assert_ptr_nonnull(strstr(st.msg, "(4, 5)"));
    ck_assert_ptr_null(bad.y);
    ck_assert_int_eq(c.m->tape->no_grad, 1);

    c.m->tape->no_grad = 0;
    tg_tape_reset(c.m->tape);
    tg_tensor *x = tg_tape_tensor(c.m->tape, c.x->shape);
    tg_tensor_copy_data(x, c.x);
    tg_tape_backward(c.m->tape, tg_sum(c.m->tape, tg_model_forward(c.m, c.m->tape, x, 1)));
    /* d sum(x W + b) / d b_j = N = 4 */
    const tg_tensor *bias = tg_layer_param(dense, "bias");
    for (size_t k = 0; k < bias->size; k++)
        ck_assert(bias->grad[k] == 4);
    st = tg_fatal_catch(predict_body, &c);
    ck_assert_msg(tg_is_ok(&st), "%s", st.msg);
    ck_assert(tg_shape_equal(c.y->shape, TG_SHAPE(4, 2)));
    tg_tensor_free(c.y);
    tg_tensor_free(wide);
    tg_tensor_free(c.x);
    tg_model_free(c.m);
}
END_TEST

Suite *tg_test_suite(void)
{
    Suite *s = suite_create("error");
    TCase *tc = tcase_create("catch");
    tcase_add_test(tc, test_catch_shape_error);
    tcase_add_test(tc, test_catch_body_returns);
    tcase_add_test(tc, test_catch_nested);
    tcase_add_test(tc, test_catch_long_message_cut);
    tcase_add_test(tc, test_catch_leaves_handler);
    tcase_add_exit_test(tc, test_default_handler_after_catch, TG_FATAL_EXIT);
    tcase_add_exit_test(tc, test_other_thread_not_caught, TG_FATAL_EXIT);
    tcase_add_test(tc, test_tape_reset_after_catch);
    tcase_add_test(tc, test_model_after_caught_predict);
    suite_add_tcase(s, tc);
    return s;
}
