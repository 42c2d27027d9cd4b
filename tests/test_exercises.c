/* The exercises' grader, tested rather than trusted: each exercise graded on
 * a correct answer (it must PASS) and on planted mistakes typical of
 * students (each must FAIL, and name exactly what is wrong, in which
 * cases); and each exercise file as shipped graded FAIL, not crashed, not
 * stopped, not passed (nothing of the solution in it).
 *
 * The graders are separate programs (the Makefile links one per exercise
 * and one per answer under tests/exercises/, with the answer's functions in
 * place of the shipped file's stubs); this suite runs them and reads their
 * last line. The Makefile hands over the lists, TG_EXERCISES (the names)
 * and TG_EXERCISE_ANSWERS ("name/answer" each), so that an answer without a
 * row below, or a row without an answer, fails. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/support.h"

#ifndef TG_EXERCISES
#error "the Makefile defines TG_EXERCISES and TG_EXERCISE_ANSWERS"
#endif

/* What each answer must be graded. The lists of the planted mistakes follow
 * from the mistake, by the chain rule: a term missing from one gradient
 * leaves that gradient wrong and everything computed from it; what does
 * not depend on it stays right (and must be reported right). */
typedef struct {
    const char *answer;
    const char *verdict; /* the last line; "PASS" stands for any PASS line */
} expected_grade;

static const expected_grade grades[] = {
    {"activations/correct", "PASS"},
    {"activations/tanh_drops_one_minus_y2", "FAIL: tanh: da (case 2)"},
    {"activations/sigmoid_of_the_output", "FAIL: sigmoid: da (case 1)"},

    {"matmul/correct", "PASS"},
    /* dY B for dY B^T: wrong values while square, out of range after */
    {"matmul/da_without_transpose", "FAIL: matmul: dA (case 1); matmul: stopped (case 2)"},
    {"matmul/db_overwritten", "FAIL: matmul: dB (cases 1, 2)"},

    {"maxpool/correct", "PASS"},
    /* case 2 holds the ties, case 3 the overlapping windows */
    {"maxpool/every_tied_maximum", "FAIL: maxpool: dx (case 2)"},
    {"maxpool/last_tied_maximum", "FAIL: maxpool: dx (case 2)"},
    {"maxpool/overlap_overwritten", "FAIL: maxpool: dx (case 3)"},

    {"conv1d/correct", "PASS"},
    {"conv1d/dx_kernel_flipped", "FAIL: conv1d: dx (cases 1, 2)"},
    {"conv1d/dw_first_sample_only", "FAIL: conv1d: dW (cases 1, 2)"},
    /* case 2 has stride 2 */
    {"conv1d/dx_ignores_stride", "FAIL: conv1d: dx (case 2)"},

    {"lstm_step/correct", "PASS"},
    {"lstm_step/no_w_cc_in_dc_prev", "FAIL: lstm_step: dc_prev (cases 1, 2)"},
    /* dc_t wrong: every gate but o (whose a_o comes before dc_t), and all
     * that flows back through them; W_xo, W_ho, W_co, b_o right */
    {"lstm_step/no_peephole_path_into_c",
     "FAIL: lstm_step: dx, dh_prev, dc_prev, dW_xi, dW_xf, dW_xc, dW_hi, dW_hf, dW_hc, dW_ci, "
     "dW_cf, dW_cc, db_i, db_f, db_c (cases 1, 2)"},
    /* a_c wrong: the candidate's parameters and the three inputs */
    {"lstm_step/candidate_sigmoid_derivative",
     "FAIL: lstm_step: dx, dh_prev, dc_prev, dW_xc, dW_hc, dW_cc, db_c (cases 1, 2)"},
    {"lstm_step/w_co_sees_c_prev", "FAIL: lstm_step: dW_co (cases 1, 2)"},

    {"bptt/correct", "PASS"},
    /* dc_1 missing step 2's part: step 1's gates i, f, c~ (not o, whose
     * a_o needs only dh_1) and what flows to x_1, h_0, c_0; step 2 right */
    {"bptt/dc_not_carried",
     "FAIL: bptt: dx_1, dh_0, dc_0, dW_xi, dW_xf, dW_xc, dW_hi, dW_hf, dW_hc, dW_ci, dW_cf, "
     "dW_cc, db_i, db_f, db_c (cases 1, 2)"},
    /* dh_1 missing the loss's part: all of step 1, o included */
    {"bptt/no_loss_gradient_at_step_1",
     "FAIL: bptt: dx_1, dh_0, dc_0, dW_xi, dW_xf, dW_xc, dW_xo, dW_hi, dW_hf, dW_hc, dW_ho, "
     "dW_ci, dW_cf, dW_cc, dW_co, db_i, db_f, db_c, db_o (cases 1, 2)"},
    /* every parameter, no input */
    {"bptt/parameters_overwritten",
     "FAIL: bptt: dW_xi, dW_xf, dW_xc, dW_xo, dW_hi, dW_hf, dW_hc, dW_ho, dW_ci, dW_cf, dW_cc, "
     "dW_co, db_i, db_f, db_c, db_o (cases 1, 2)"},

    {"softmax_ce/correct", "PASS"},
    {"softmax_ce/no_mean", "FAIL: softmax_ce: dz (cases 1, 2)"},
    {"softmax_ce/one_subtracted_everywhere", "FAIL: softmax_ce: dz (cases 1, 2)"},
    {"softmax_ce/ignores_dl", "FAIL: softmax_ce: dz (cases 1, 2)"},

    {"lstm_tape/correct", "PASS"},
    /* a forward mistake: the values from the wrong one on (gradients are
     * not compared while values are wrong; the gradient check passes) */
    {"lstm_tape/o_peeks_at_c_prev", "FAIL: lstm_tape: o, h (cases 1, 2); lstm_tape: h_1, h_2, c_2 (case 3)"},
    {"lstm_tape/no_candidate_peephole",
     "FAIL: lstm_tape: c_tilde, c, o, h (cases 1, 2); lstm_tape: h_1, h_2, c_2 (case 3)"},
    {"lstm_tape/h_without_tanh", "FAIL: lstm_tape: h (cases 1, 2); lstm_tape: h_1, h_2, c_2 (case 3)"},
    /* right values, i_t's gradient lost: its parameters and the inputs in
     * one step; in two, step 2 no longer reaches step 1 through i_2 either,
     * so every gradient */
    {"lstm_tape/gate_outside_tape",
     "FAIL: lstm_tape: dx, dh_prev, dc_prev (cases 1, 2); lstm_tape: dW_xi, dW_hi, dW_ci, db_i "
     "(cases 1, 2, 3); lstm_tape: dx_1, dx_2, dh_0, dc_0, dW_xf, dW_xc, dW_xo, dW_hf, dW_hc, "
     "dW_ho, dW_cf, dW_cc, dW_co, db_f, db_c, db_o (case 3)"},
};

enum { N_GRADES = sizeof grades / sizeof grades[0] };

/* The word k (from 0) of a space-separated list into buf; 0 past the end. */
static int word(const char *list, int k, char *buf, size_t len)
{
    for (;;) {
        while (*list == ' ')
            list++;
        if (!*list)
            return 0;
        const size_t n = strcspn(list, " ");
        if (k-- == 0) {
            snprintf(buf, len, "%.*s", (int)n, list);
            return 1;
        }
        list += n;
    }
}

/* Where the graders are: next to the tests' folder, in BUILD/exercises. */
static void grader_path(const char *name, char *path, size_t len)
{
    char self[PATH_MAX];
    const ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    ck_assert_msg(n > 0, "readlink /proc/self/exe: %s", strerror(errno));
    self[n] = '\0';
    char *slash = strrchr(self, '/');
    ck_assert_ptr_nonnull(slash);
    *slash = '\0'; /* BUILD/tests */
    slash = strrchr(self, '/');
    ck_assert_ptr_nonnull(slash);
    *slash = '\0'; /* BUILD */
    snprintf(path, len, "%s/exercises/%s", self, name);
}

typedef struct {
    char out[16384];
    int status; /* the exit status, or -signal */
    char last[2048];
} run_result;

/* Runs a grader, its stdout and stderr into r->out, and keeps its last line. */
static void run_grader(const char *path, run_result *r)
{
    memset(r, 0, sizeof *r);
    ck_assert_msg(access(path, X_OK) == 0, "%s: %s (make builds it)", path, strerror(errno));
    int fd[2];
    ck_assert_int_eq(pipe(fd), 0);
    const pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        dup2(fd[1], STDOUT_FILENO);
        dup2(fd[1], STDERR_FILENO);
        close(fd[0]);
        close(fd[1]);
        execl(path, path, (char *)NULL);
        _exit(127);
    }
    close(fd[1]);
    size_t used = 0;
    ssize_t got;
    char chunk[4096];
    while ((got = read(fd[0], chunk, sizeof chunk)) > 0) {
        const size_t keep = (size_t)got < sizeof r->out - 1 - used ? (size_t)got
                                                                  : sizeof r->out - 1 - used;
        memcpy(r->out + used, chunk, keep);
        used += keep;
    }
    close(fd[0]);
    r->out[used] = '\0';
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    r->status = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
    size_t end = used;
    while (end > 0 && r->out[end - 1] == '\n')
        end--;
    size_t start = end;
    while (start > 0 && r->out[start - 1] != '\n')
        start--;
    snprintf(r->last, sizeof r->last, "%.*s", (int)(end - start), r->out + start);
}

START_TEST(test_exercise_answer_graded)
{
    const expected_grade *g = &grades[_i];
    char path[PATH_MAX + 64];
    char tests_name[256];
    snprintf(tests_name, sizeof tests_name, "tests/%s", g->answer);
    grader_path(tests_name, path, sizeof path);
    run_result r;
    run_grader(path, &r);
    const int pass = !strcmp(g->verdict, "PASS");
    const int ok = pass ? r.status == 0 && !strncmp(r.last, "PASS: ", 6)
                        : r.status == 1 && !strcmp(r.last, g->verdict);
    if (!ok) {
        fprintf(stderr, "%s", r.out);
        ck_abort_msg("%s (%s) graded with status %d:\n  got      \"%.900s\"\n  expected \"%s\"",
                     g->answer, pass ? "a correct answer" : "a planted mistake", r.status, r.last,
                     g->verdict);
    }
}
END_TEST

/* Each exercise file as shipped: it builds (the grader exists), its
 * grader runs to the end and fails it, and nothing stops on the way. */
START_TEST(test_exercise_shipped_fails)
{
    char name[64], path[PATH_MAX + 64];
    ck_assert(word(TG_EXERCISES, _i, name, sizeof name));
    grader_path(name, path, sizeof path);
    run_result r;
    run_grader(path, &r);
    if (r.status != 1 || strncmp(r.last, "FAIL: ", 6) || strstr(r.out, "STOPPED")) {
        fprintf(stderr, "%s", r.out);
        ck_abort_msg("exercise %s as shipped: status %d, last line \"%.900s\" (FAIL wanted, "
                     "nothing STOPPED: make check wants the exercise files as shipped, "
                     "without a solution)", name, r.status, r.last);
    }
}
END_TEST

/* Every answer the Makefile built has a row above, and every row an
 * answer; every exercise has a correct answer and a planted mistake. */
START_TEST(test_exercise_answers_all_graded)
{
    char a[128];
    for (int k = 0; word(TG_EXERCISE_ANSWERS, k, a, sizeof a); k++) {
        int rows = 0;
        for (int g = 0; g < N_GRADES; g++)
            rows += !strcmp(grades[g].answer, a);
        ck_assert_msg(rows == 1, "tests/exercises/%s.c has %d rows in tests/test_exercises.c", a,
                      rows);
    }
    for (int g = 0; g < N_GRADES; g++) {
        int found = 0;
        for (int k = 0; !found && word(TG_EXERCISE_ANSWERS, k, a, sizeof a); k++)
            found = !strcmp(grades[g].answer, a);
        ck_assert_msg(found, "row %s: no tests/exercises/%s.c", grades[g].answer,
                      grades[g].answer);
    }
    char name[64];
    for (int e = 0; word(TG_EXERCISES, e, name, sizeof name); e++) {
        int correct = 0, planted = 0;
        const size_t len = strlen(name);
        for (int g = 0; g < N_GRADES; g++) {
            if (strncmp(grades[g].answer, name, len) || grades[g].answer[len] != '/')
                continue;
            correct += !strcmp(grades[g].verdict, "PASS");
            planted += strcmp(grades[g].verdict, "PASS") != 0;
        }
        ck_assert_msg(correct == 1 && planted >= 2,
                      "exercise %s: %d correct answers and %d planted mistakes (1 and >= 2 "
                      "wanted)", name, correct, planted);
    }
}
END_TEST

static int count_words(const char *list)
{
    char w[128];
    int n = 0;
    while (word(list, n, w, sizeof w))
        n++;
    return n;
}

Suite *tg_test_suite(void)
{
    Suite *s = suite_create("exercises");
    TCase *tc = tcase_create("exercises");
    /* Each grader runs its gradient checks; under ASan that takes seconds. */
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_exercise_answers_all_graded);
    tcase_add_loop_test(tc, test_exercise_answer_graded, 0, N_GRADES);
    tcase_add_loop_test(tc, test_exercise_shipped_fails, 0, count_words(TG_EXERCISES));
    suite_add_tcase(s, tc);
    return s;
}
