/* The pictures of the docs: which paths may go into a script, refusals
 * that write nothing, the vanishing-gradient measurement against a case
 * worked out by hand, and each picture's data held to identities it must
 * satisfy (c_t = f_t c_{t-1} + i_t ~c_t and h_t = o_t tanh(c_t) for the
 * gates; a pooled map is the max of its 2 x 2 windows; the rows matrix is
 * the pooled maps relabelled); the scripts quote nothing but their own
 * paths and words; dot and gnuplot draw PNGs, and without dot the DOT file
 * is written and the message says what to run. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/scratch.h"
#include "tests/support.h"
#include "apps/apps.h"

static tg_scratch scratch;

/* ---- reading a data file back: blocks separated by two blank lines ---- */

typedef struct {
    int n_blocks;
    int rows[128], cols[128]; /* per block; cols of its first row */
    double *v[128];           /* row-major values of each block */
} data_file;

static void read_data(const char *path, data_file *d)
{
    memset(d, 0, sizeof *d);
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "cannot read %s", path);
    char line[16384];
    int blank = 0, started = 0;
    size_t cap = 0;
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#')
            continue;
        if (line[0] == '\n') {
            blank++;
            continue;
        }
        if (!started || blank >= 2) {
            ck_assert_int_lt(d->n_blocks, 128);
            d->n_blocks++;
            cap = 1024;
            d->v[d->n_blocks - 1] = malloc(cap * sizeof(double));
            started = 1;
        }
        blank = 0;
        const int b = d->n_blocks - 1;
        int c = 0;
        for (char *p = line, *end;; p = end) {
            double x = strtod(p, &end);
            if (end == p)
                break;
            const size_t at = (size_t)d->rows[b] * (size_t)(d->cols[b] ? d->cols[b] : 1) + (size_t)c;
            if (at >= cap) {
                cap *= 2;
                d->v[b] = realloc(d->v[b], cap * sizeof(double));
            }
            d->v[b][at] = x;
            c++;
        }
        ck_assert_msg(c > 0, "a data line without numbers in %s: %s", path, line);
        if (!d->rows[b])
            d->cols[b] = c;
        ck_assert_msg(c == d->cols[b], "ragged block %d of %s", b, path);
        d->rows[b]++;
    }
    fclose(f);
}

static void free_data(data_file *d)
{
    for (int b = 0; b < d->n_blocks; b++)
        free(d->v[b]);
}

static double at(const data_file *d, int b, int r, int c)
{
    return d->v[b][(size_t)r * (size_t)d->cols[b] + (size_t)c];
}

/* The bytes of path, NUL-terminated, and their count (binary files too). */
static char *slurp_n(const char *path, size_t *len)
{
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "cannot read %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    char *s = malloc((size_t)n + 1);
    ck_assert_int_eq(fread(s, 1, (size_t)n, f), (size_t)n);
    s[n] = 0;
    fclose(f);
    *len = (size_t)n;
    return s;
}

static char *slurp(const char *path)
{
    size_t n;
    return slurp_n(path, &n);
}

/* Every '...' string of a gnuplot script that names the scratch directory
 * (the only text a caller gave) is one of the picture's own files; the
 * others are the library's titles and colours. */
static void assert_script_quotes_own_paths(const tg_picture_files *files)
{
    char *s = slurp(files->script);
    for (char *p = strchr(s, '\''); p; p = strchr(p + 1, '\'')) {
        char *end = strchr(p + 1, '\'');
        ck_assert_msg(end != NULL, "an unclosed string in %s", files->script);
        const size_t n = (size_t)(end - p - 1);
        const int own = (n == strlen(files->png) && !strncmp(p + 1, files->png, n)) ||
                        (n == strlen(files->data) && !strncmp(p + 1, files->data, n)) ||
                        (files->text[0] && n == strlen(files->text) &&
                         !strncmp(p + 1, files->text, n));
        *end = '\0';
        const int names_dir = strstr(p + 1, scratch.dir) != NULL;
        *end = '\'';
        ck_assert_msg(own || !names_dir, "%s quotes %.*s", files->script, (int)n, p + 1);
        ck_assert(own || names_dir || n < 200);
        p = end;
    }
    free(s);
}

/* ---- paths and refusals ---- */

START_TEST(test_picture_paths)
{
    ck_assert(tg_picture_path_ok("docs/pictures/gates.png"));
    ck_assert(tg_picture_path_ok("/home/me/a b/c.png"));
    ck_assert(tg_picture_path_ok("x<y|z.png"));
    static const char *const refused[] = {"", "<cmd.png", "|rm -rf x", "-Tsvg", "a'b.png",
                                          "a\"b.png", "a\nb.png", "a\tb.png", "a\x7f" "b.png"};
    for (size_t k = 0; k < sizeof refused / sizeof refused[0]; k++)
        ck_assert_msg(!tg_picture_path_ok(refused[k]), "accepted %s", refused[k]);
}
END_TEST

START_TEST(test_picture_refusals_write_nothing)
{
    tg_scratch_open(&scratch);
    tg_picture_files files;
    tg_status st = tg_picture_make("bogus", tg_scratch_path(&scratch, "b.png"), 0, &files);
    tg_ck_assert_error(st, "no picture named 'bogus'");
    char bad[700];
    snprintf(bad, sizeof bad, "%s/it's.png", scratch.dir);
    st = tg_picture_make("tape", bad, 0, &files);
    tg_ck_assert_error(st, bad, "cannot be drawn to");
    st = tg_picture_make("vanishing", "|gnuplot.png", 0, &files);
    tg_ck_assert_error(st, "cannot be drawn to");
    st = tg_picture_make("tape", "no-such-dir/t.png", 0, &files);
    tg_ck_assert_error(st, "no-such-dir/t.dot: cannot create a temporary file beside it");
    /* several: a bad name is found before anything is written */
    static const char *const names[2] = {"tape", "bogus"};
    st = tg_pictures_make(scratch.dir, names, 2, 0);
    tg_ck_assert_error(st, "no picture named 'bogus'");
    DIR *d = opendir(scratch.dir);
    int entries = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        entries += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    closedir(d);
    ck_assert_int_eq(entries, 0);
    tg_scratch_close(&scratch);
}
END_TEST

/* ---- the tapes ---- */

static unsigned be32(const unsigned char *p)
{
    return (unsigned)p[0] << 24 | (unsigned)p[1] << 16 | (unsigned)p[2] << 8 | p[3];
}

static void assert_png(const char *path)
{
    unsigned char head[24];
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "no PNG %s", path);
    ck_assert_int_eq(fread(head, 1, sizeof head, f), sizeof head);
    fclose(f);
    ck_assert_int_eq(memcmp(head, "\x89PNG\r\n\x1a\n", 8), 0);
    ck_assert(be32(head + 16) > 100 && be32(head + 20) > 100);
}

/* Tutorial 2's cell by hand: z_i = 0.5 + 0.4 (0.5) + 0.3 (1) - 0.2 = 0.8,
 * z_f = 0.3 + 0.1 + 0.4 + 1 = 1.8, z_c = 0.6 - 0.2 + 0.2 + 0 = 0.6,
 * c_1 = sigma(1.8) 1 + sigma(0.8) tanh(0.6) = 1.2287,
 * z_o = 0.4 + 0.1 + 0.5 c_1 + 0.1, h_1 = sigma(z_o) tanh(c_1) = 0.6493. */
START_TEST(test_picture_lstm_step)
{
    tg_scratch_open(&scratch);
    tg_picture_files files;
    tg_status st = tg_picture_make("lstm_step", tg_scratch_path(&scratch, "step.png"), 1, &files);
    ck_assert_msg(tg_is_ok(&st), "%s", st.msg);
    ck_assert_str_eq(files.data, tg_scratch_path(&scratch, "step.dot"));
    ck_assert_str_eq(files.script, "");
    assert_png(files.png);
    char *dot = slurp(files.data);
    const double s_f = 1 / (1 + exp(-1.8)), s_i = 1 / (1 + exp(-0.8));
    const double c_1 = s_f + s_i * tanh(0.6), o_1 = 1 / (1 + exp(-(0.6 + 0.5 * c_1)));
    char want[64];
    snprintf(want, sizeof want, "c_t\\nadd (1, 1)\\n= %.4g", c_1);
    ck_assert_msg(strstr(dot, want), "no %s", want);
    snprintf(want, sizeof want, "h_t\\nmul (1, 1)\\n= %.4g\\ngrad 1", o_1 * tanh(c_1));
    ck_assert_msg(strstr(dot, want), "no %s", want);
    static const char *const peepholes[] = {"W_ci (1,)", "W_cf (1,)", "W_cc (1,)", "W_co (1,)"};
    for (int k = 0; k < 4; k++)
        ck_assert_msg(strstr(dot, peepholes[k]), "no %s", peepholes[k]);
    ck_assert_ptr_nonnull(strstr(dot, "label=\"~c_t = tanh(W_xc x_t + W_hc h_{t-1} + W_cc c_{t-1} + b_c)\""));
    free(dot);
    tg_scratch_close(&scratch);
}
END_TEST

START_TEST(test_picture_without_dot)
{
    tg_scratch_open(&scratch);
    const char *png = tg_scratch_path(&scratch, "tape.png");
    const char *dot = tg_scratch_path(&scratch, "tape.dot");
    const char *path = getenv("PATH");
    char *saved = path ? strdup(path) : NULL;
    setenv("PATH", scratch.dir, 1);
    tg_picture_files files;
    tg_status st = tg_picture_make("tape", png, 1, &files);
    if (saved) {
        setenv("PATH", saved, 1);
        free(saved);
    } else {
        unsetenv("PATH");
    }
    tg_ck_assert_error(st, "dot is not on PATH", "install Graphviz (Debian: graphviz)",
                       "dot -Tpng -o ", png, dot);
    ck_assert_int_eq(access(dot, R_OK), 0);
    ck_assert_int_eq(access(png, F_OK), -1);
    tg_scratch_close(&scratch);
}
END_TEST

/* PATH holding only a fake `program`: a shell script running `body`, with
 * $out the file given after -o (dot) or as outfile (gnuplot -e). */
static void fake_program(const char *program, const char *body)
{
    char dir[700], exe[800];
    snprintf(dir, sizeof dir, "%s/bin", scratch.dir);
    mkdir(dir, 0755);
    snprintf(exe, sizeof exe, "%s/%s", dir, program);
    FILE *f = fopen(exe, "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "#!/bin/sh\nPATH=/usr/bin:/bin\n"
               "case $1 in -Tpng) out=$3 ;;\n"
               "  -e) out=$(echo \"$2\" | sed \"s/^outfile = '\\([^']*\\)'.*/\\1/\") ;; esac\n"
               "%s\n",
            body);
    ck_assert_int_eq(fclose(f), 0);
    ck_assert_int_eq(chmod(exe, 0755), 0);
    setenv("PATH", dir, 1);
}

/* Draws a picture of each program for real, then lets each broken program
 * (exits 1; writes nothing and exits 0; writes half a PNG) draw it again:
 * each is an error, the old PNG stays byte for byte, and nothing but the
 * picture's own files is left. */
START_TEST(test_a_broken_program_keeps_the_old_picture)
{
    static const struct {
        const char *name, *program, *left;
    } pictures[] = {{"tape", "dot", "bin p.dot p.png"},
                    {"vanishing", "gnuplot", "bin p.dat p.gp p.png p.txt"}};
    const char *path = getenv("PATH");
    char *saved = path ? strdup(path) : NULL;
    for (int k = 0; k < 2; k++) {
        tg_scratch_open(&scratch);
        const char *png = tg_scratch_path(&scratch, "p.png");
        tg_picture_files files;
        tg_status st = tg_picture_make(pictures[k].name, png, 1, &files);
        ck_assert_msg(tg_is_ok(&st), "%s", st.msg);
        size_t old_n, now_n;
        char *old = slurp_n(png, &old_n);
        char cut[800];
        snprintf(cut, sizeof cut, "head -c 100 '%s' > \"$out\"", png);
        const char *const bodies[3] = {"exit 1", "exit 0", cut};
        char want[3][800];
        snprintf(want[0], sizeof want[0], "picture: %s failed (exit status 1)",
                 pictures[k].program);
        snprintf(want[1], sizeof want[1],
                 "picture: %s wrote 0 bytes that are not a whole PNG (disk full?): %s is kept as "
                 "it was",
                 pictures[k].program, png);
        snprintf(want[2], sizeof want[2],
                 "picture: %s wrote 100 bytes that are not a whole PNG (disk full?): %s is kept "
                 "as it was",
                 pictures[k].program, png);
        for (int i = 0; i < 3; i++) {
            fake_program(pictures[k].program, bodies[i]);
            st = tg_picture_make(pictures[k].name, png, 1, &files);
            tg_ck_assert_error(st, want[i]);
            char *now = slurp_n(png, &now_n);
            ck_assert_msg(now_n == old_n && !memcmp(now, old, old_n),
                          "%s: the old PNG changed", bodies[i]);
            free(now);
            char left[1024];
            tg_scratch_list(scratch.dir, left, sizeof left);
            ck_assert_str_eq(left, pictures[k].left);
            if (saved)
                setenv("PATH", saved, 1);
        }
        free(old);
        tg_scratch_close(&scratch);
    }
    free(saved);
}
END_TEST

/* ---- the vanishing gradient ---- */

/* H = D = N = 1, T = 3, one seed: ||dL/dx_t|| = |w prod_{s >= t} (1 - h_s^2) u^{3 - t}|
 * from the layer's own weights and x, drawn as tg_vanishing_profile draws them. */
START_TEST(test_vanishing_by_hand)
{
    const tg_vanishing_cell *rnn = &tg_vanishing_cells(&(int){0})[0];
    ck_assert(!rnn->lstm);
    tg_vanishing_opts o = {.steps = 3, .units = 1, .input_dim = 1, .batch = 1, .seeds = 1,
                           .seed = 9, .peephole_range = 0.5};
    double norms[3];
    tg_vanishing_profile(rnn, &o, norms);
    tg_rng rng;
    tg_rng_seed(&rng, 9);
    tg_layer *layer = tg_vanishing_layer(rnn, &o, &rng);
    tg_tensor *x = tg_tensor_normal(TG_SHAPE(1, 3, 1), &rng, 0, 1);
    const double w = layer->params[0]->data[0], u = layer->params[1]->data[0];
    const double b = layer->params[2]->data[0];
    double h[4] = {0};
    for (int t = 1; t <= 3; t++)
        h[t] = tanh(w * x->data[t - 1] + u * h[t - 1] + b);
    double dh = 1;
    for (int t = 3; t >= 1; t--) {
        const double dz = dh * (1 - h[t] * h[t]);
        tg_ck_assert_close(norms[t - 1], fabs(w * dz), TG_TEST_TIGHT);
        dh = u * dz;
    }
    tg_tensor_free(x);
    tg_layer_free(layer);
}
END_TEST

/* The cells are set as named; with Keras's zero peepholes a peephole LSTM
 * is exactly the LSTM without them (the weights drawn are the same). */
START_TEST(test_vanishing_cells)
{
    int n;
    const tg_vanishing_cell *cells = tg_vanishing_cells(&n);
    ck_assert_int_eq(n, 7);
    tg_vanishing_opts o = tg_vanishing_defaults();
    o.steps = 20;
    o.seeds = 2;
    for (int c = 1; c < n; c++) {
        tg_rng rng;
        tg_rng_seed(&rng, 4);
        tg_layer *l = tg_vanishing_layer(&cells[c], &o, &rng);
        int peepholes = 0;
        for (int k = 0; k < l->n_params; k++) {
            const tg_tensor *p = l->params[k];
            if (!strcmp(p->name, "b_f"))
                for (size_t e = 0; e < p->size; e++)
                    ck_assert(p->data[e] == (tg_real)cells[c].forget_bias);
            if (!strncmp(p->name, "W_c", 3)) {
                peepholes++;
                for (size_t e = 0; e < p->size; e++)
                    ck_assert(fabs((double)p->data[e]) <= o.peephole_range);
            }
        }
        ck_assert_int_eq(peepholes, cells[c].peephole == TG_PEEPHOLE_DIAGONAL ? 4 : 0);
        tg_layer_free(l);
    }
    o.peephole_range = 0;
    double none[20], zero_peepholes[20];
    for (int c = 1; c <= 3; c++) {
        tg_vanishing_profile(&cells[c], &o, none);
        tg_vanishing_profile(&cells[c + 3], &o, zero_peepholes);
        ck_assert(cells[c + 3].forget_bias == cells[c].forget_bias);
        for (int t = 0; t < 20; t++)
            ck_assert(none[t] == zero_peepholes[t]);
    }
}
END_TEST

START_TEST(test_picture_vanishing)
{
    tg_scratch_open(&scratch);
    tg_picture_files files;
    tg_status st = tg_picture_make("vanishing", tg_scratch_path(&scratch, "v.png"), 1, &files);
    ck_assert_msg(tg_is_ok(&st), "%s", st.msg);
    assert_png(files.png);
    ck_assert_int_eq(access(files.text, R_OK), 0);
    assert_script_quotes_own_paths(&files);
    data_file d;
    read_data(files.data, &d);
    int n;
    const tg_vanishing_cell *cells = tg_vanishing_cells(&n);
    const tg_vanishing_opts o = tg_vanishing_defaults();
    ck_assert_int_eq(d.n_blocks, 1);
    ck_assert_int_eq(d.rows[0], o.steps);
    ck_assert_int_eq(d.cols[0], 1 + n);
    double norms[100];
    for (int c = 0; c < n; c++) {
        tg_vanishing_profile(&cells[c], &o, norms);
        for (int t = 0; t < o.steps; t++) {
            ck_assert(at(&d, 0, t, 0) == t + 1);
            tg_ck_assert_close(at(&d, 0, t, 1 + c) / norms[t], 1, 1e-4);
        }
    }
    free_data(&d);
    tg_scratch_close(&scratch);
}
END_TEST

/* ---- the trained models ---- */

START_TEST(test_picture_gates)
{
    tg_scratch_open(&scratch);
    tg_picture_files files;
    tg_status st = tg_picture_make("gates", tg_scratch_path(&scratch, "g.png"), 0, &files);
    ck_assert_msg(tg_is_ok(&st), "%s", st.msg);
    ck_assert_int_eq(access(files.png, F_OK), -1); /* not drawn */
    assert_script_quotes_own_paths(&files);
    data_file d;
    read_data(files.data, &d);
    enum { I = 1, F, O, CAND, C, H, T = 15, U = 64 };
    ck_assert_int_eq(d.n_blocks, 7);
    ck_assert_int_eq(d.rows[0], 32);
    for (int b = I; b <= H; b++) {
        ck_assert_int_eq(d.rows[b], T * U);
        ck_assert_int_eq(d.cols[b], 3);
    }
    /* 5 decimals printed: identities hold to a few units of 1e-5 */
    const double tol = 1e-4;
    for (int j = 0; j < T; j++)
        for (int u = 0; u < U; u++) {
            const int r = j * U + u;
            ck_assert(at(&d, I, r, 0) == 2 * j + 1.5 && at(&d, I, r, 1) == u);
            for (int b = I; b <= O; b++)
                ck_assert(at(&d, b, r, 2) >= 0 && at(&d, b, r, 2) <= 1);
            const double c_prev = j ? at(&d, C, r - U, 2) : 0;
            const double c = at(&d, F, r, 2) * c_prev + at(&d, I, r, 2) * at(&d, CAND, r, 2);
            ck_assert_msg(fabs(at(&d, C, r, 2) - c) <= tol * fmax(1, fabs(c)),
                          "c_t = f c_{t-1} + i ~c fails at step %d unit %d", j, u);
            const double h = at(&d, O, r, 2) * tanh(at(&d, C, r, 2));
            ck_assert_msg(fabs(at(&d, H, r, 2) - h) <= tol, "h = o tanh(c) fails at %d, %d", j, u);
        }
    free_data(&d);
    tg_scratch_close(&scratch);
}
END_TEST

/* filters and rows from one training (tg_pictures_make): the rows matrix is
 * the pooled maps relabelled, x'[t, w C + c] = pooled[t, w, c]. */
START_TEST(test_picture_filters_and_rows)
{
    tg_scratch_open(&scratch);
    static const char *const both[2] = {"filters", "rows"};
    tg_status st = tg_pictures_make(scratch.dir, both, 2, 0);
    ck_assert_msg(tg_is_ok(&st), "%s", st.msg);
    tg_picture_files ff, fr;
    snprintf(ff.png, sizeof ff.png, "%s", tg_scratch_path(&scratch, "filters.png"));
    snprintf(ff.data, sizeof ff.data, "%s", tg_scratch_path(&scratch, "filters.dat"));
    snprintf(ff.script, sizeof ff.script, "%s", tg_scratch_path(&scratch, "filters.gp"));
    ff.text[0] = fr.text[0] = '\0';
    snprintf(fr.png, sizeof fr.png, "%s", tg_scratch_path(&scratch, "rows.png"));
    snprintf(fr.data, sizeof fr.data, "%s", tg_scratch_path(&scratch, "rows.dat"));
    snprintf(fr.script, sizeof fr.script, "%s", tg_scratch_path(&scratch, "rows.gp"));
    ck_assert_int_eq(access(ff.png, F_OK), -1); /* not drawn */
    assert_script_quotes_own_paths(&ff);
    assert_script_quotes_own_paths(&fr);
    data_file f, r;
    read_data(ff.data, &f);
    read_data(fr.data, &r);
    ck_assert_int_eq(f.n_blocks, 1 + 3 * 32);
    ck_assert(f.rows[0] == 28 && f.cols[0] == 28);
    for (int y = 0; y < 28; y++)
        for (int x = 0; x < 28; x++)
            ck_assert(at(&f, 0, y, x) >= 0 && at(&f, 0, y, x) <= 1);
    for (int m = 0; m < 32; m++) {
        const int kb = 1 + m, cb = 33 + m, pb = 65 + m;
        ck_assert(f.rows[kb] == 3 && f.cols[kb] == 3);
        ck_assert(f.rows[cb] == 26 && f.cols[cb] == 26);
        ck_assert(f.rows[pb] == 13 && f.cols[pb] == 13);
        for (int y = 0; y < 26; y++)
            for (int x = 0; x < 26; x++)
                ck_assert(at(&f, cb, y, x) >= 0); /* after a ReLU */
        for (int y = 0; y < 13; y++)
            for (int x = 0; x < 13; x++) {
                double mx = -INFINITY;
                for (int k = 0; k < 4; k++)
                    mx = fmax(mx, at(&f, cb, 2 * y + k / 2, 2 * x + k % 2));
                ck_assert_msg(at(&f, pb, y, x) == mx, "pooled map %d at (%d, %d)", m, y, x);
                ck_assert(at(&r, 0, y, x * 32 + m) == at(&f, pb, y, x));
            }
    }
    ck_assert(r.n_blocks == 1 && r.rows[0] == 13 && r.cols[0] == 416);
    free_data(&f);
    free_data(&r);
    tg_scratch_close(&scratch);
}
END_TEST

Suite *tg_test_suite(void)
{
    Suite *s = suite_create("pictures");
    TCase *tc = tcase_create("pictures");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_picture_paths);
    tcase_add_test(tc, test_picture_refusals_write_nothing);
    tcase_add_test(tc, test_picture_lstm_step);
    tcase_add_test(tc, test_picture_without_dot);
    tcase_add_test(tc, test_a_broken_program_keeps_the_old_picture);
    tcase_add_test(tc, test_vanishing_by_hand);
    tcase_add_test(tc, test_vanishing_cells);
    tcase_add_test(tc, test_picture_vanishing);
    tcase_add_test(tc, test_picture_gates);
    tcase_add_test(tc, test_picture_filters_and_rows);
    suite_add_tcase(s, tc);
    return s;
}
