/* The CSV reader on small files written here: column types, text kept,
 * quotes, line ends, and every malformed case with file and line named. */
#include <check.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/scratch.h"
#include "tests/support.h"
#include "datasets/datasets.h"

static tg_status read_text(tg_scratch *s, const char *text, const char **path, tg_csv *csv)
{
    *path = tg_scratch_write(s, "t.csv", text, strlen(text), 0);
    return tg_csv_read(*path, csv);
}

START_TEST(test_csv_weather_like)
{
    tg_scratch s;
    tg_scratch_open(&s);
    const char *path;
    tg_csv csv;
    tg_status st = read_text(&s,
                             "date,precipitation,temp_max,weather\n"
                             "2012/01/01,0.0,12.8,drizzle\n"
                             "2012/01/02,10.9,-1.5e1,rain\n"
                             "2012/01/03,0.8,11,rain\n",
                             &path, &csv);
    ck_assert_msg(tg_is_ok(&st), "%s", st.msg);
    ck_assert_int_eq(csv.cols, 4);
    ck_assert_uint_eq(csv.rows, 3);
    const tg_csv_column *date = tg_csv_find(&csv, "date");
    ck_assert_ptr_nonnull(date);
    ck_assert(!date->numeric);
    ck_assert_str_eq(date->text[1], "2012/01/02");
    const double *tmax;
    st = tg_csv_numeric(&csv, path, "temp_max", &tmax);
    ck_assert(tg_is_ok(&st));
    tg_ck_assert_close(tmax[0], 12.8, 0);
    tg_ck_assert_close(tmax[1], -15, 0);
    tg_ck_assert_close(tmax[2], 11, 0);
    ck_assert_str_eq(tg_csv_find(&csv, "weather")->text[2], "rain");
    st = tg_csv_numeric(&csv, path, "weather", &tmax);
    tg_ck_assert_error(st, path, "'weather' is text");
    st = tg_csv_numeric(&csv, path, "wind", &tmax);
    tg_ck_assert_error(st, path, "no column 'wind'");
    ck_assert_ptr_null(tg_csv_find(&csv, "wind"));
    tg_csv_free(&csv);
    tg_scratch_close(&s);
}
END_TEST

/* CRLF line ends, a quoted field with a comma and an escaped quote, an
 * empty line, no newline at the end. */
START_TEST(test_csv_quotes_and_line_ends)
{
    tg_scratch s;
    tg_scratch_open(&s);
    const char *path;
    tg_csv csv;
    tg_status st = read_text(&s,
                             "symbol,date,price\r\n"
                             "MSFT,\"Jan 1, 2000\",39.81\r\n"
                             "\r\n"
                             "\"say \"\"hi\"\"\",Feb 1 2000,\"36.35\"",
                             &path, &csv);
    ck_assert_msg(tg_is_ok(&st), "%s", st.msg);
    ck_assert_uint_eq(csv.rows, 2);
    ck_assert_str_eq(csv.col[1].text[0], "Jan 1, 2000");
    ck_assert_str_eq(csv.col[0].text[1], "say \"hi\"");
    ck_assert(csv.col[2].numeric);
    tg_ck_assert_close(csv.col[2].num[1], 36.35, 0);
    tg_csv_free(&csv);
    tg_scratch_close(&s);
}
END_TEST

START_TEST(test_csv_header_only)
{
    tg_scratch s;
    tg_scratch_open(&s);
    const char *path;
    tg_csv csv;
    tg_status st = read_text(&s, "a,b\n", &path, &csv);
    ck_assert(tg_is_ok(&st));
    ck_assert_int_eq(csv.cols, 2);
    ck_assert_uint_eq(csv.rows, 0);
    ck_assert_str_eq(csv.col[1].name, "b");
    tg_csv_free(&csv);
    tg_scratch_close(&s);
}
END_TEST

static void expect_error(const char *text, const char *piece)
{
    tg_scratch s;
    tg_scratch_open(&s);
    const char *path;
    tg_csv csv;
    tg_status st = read_text(&s, text, &path, &csv);
    tg_ck_assert_error(st, path, piece);
    ck_assert_int_eq(csv.cols, 0);
    ck_assert_ptr_null(csv.col);
    tg_scratch_close(&s);
}

START_TEST(test_csv_missing_file)
{
    tg_scratch s;
    tg_scratch_open(&s);
    const char *path = tg_scratch_path(&s, "absent.csv");
    tg_csv csv;
    tg_status st = tg_csv_read(path, &csv);
    tg_ck_assert_error(st, path, "cannot open");
    tg_scratch_close(&s);
}
END_TEST

START_TEST(test_csv_empty) { expect_error("", "empty file"); }
END_TEST

START_TEST(test_csv_blank_lines_only) { expect_error("\n\r\n\n", "empty file"); }
END_TEST

START_TEST(test_csv_too_few)
{
    expect_error("d,x,y\n2012/01/01,1,2\n2012/01/02,3\n",
                 "line 3: 2 fields, the header has 3 (too few)");
}
END_TEST

START_TEST(test_csv_too_many)
{
    expect_error("d,x\na,1\nb,2\n\nc,3,4\n", "line 5: 3 fields, the header has 2 (too many)");
}
END_TEST

/* Text in a column the first row made numeric, texts already read are freed. */
START_TEST(test_csv_not_a_number)
{
    expect_error("d,temp,w\nx,1.5,a\ny,2,b\nz,abc,c\n",
                 "line 4: column 'temp' is not a number: 'abc'");
}
END_TEST

START_TEST(test_csv_empty_number)
{
    expect_error("d,temp\nx,1.5\ny,\n", "line 3: column 'temp' is not a number: ''");
}
END_TEST

/* A data file found nowhere has its own status code (the apps fall
 * back to the embedded data on it); a file that is there is found. */
START_TEST(test_data_find_not_found_code)
{
    tg_scratch s;
    tg_scratch_open(&s);
    char path[1024];
    tg_status st = tg_data_find(TG_DATA_VEGA, "no-such.csv", s.dir, path, sizeof path);
    tg_ck_assert_error(st, "no-such.csv: not found in ", s.dir);
    ck_assert_int_eq(st.code, TG_DATA_NOT_FOUND);
    const char *there = tg_scratch_write(&s, "there.csv", "a\n1\n", 4, 0);
    st = tg_data_find(TG_DATA_VEGA, "there.csv", s.dir, path, sizeof path);
    ck_assert_msg(tg_is_ok(&st), "%s", st.msg);
    ck_assert_str_eq(path, there);
    /* Found but broken is another failure, with the reader's code. */
    const char *bad = tg_scratch_write(&s, "bad.csv", "a,b\n1\n", 6, 0);
    tg_csv csv;
    st = tg_csv_read(bad, &csv);
    ck_assert(!tg_is_ok(&st));
    ck_assert_int_ne(st.code, TG_DATA_NOT_FOUND);
    tg_scratch_close(&s);
}
END_TEST

/* What real files hold: a UTF-8 byte order mark (the first column was
 * "\xef\xbb\xbfdate", so "no text column 'date'"), CRLF, old Mac CR
 * line ends; the rows keep the lines they were on. */
START_TEST(test_csv_bom_and_line_ends)
{
    static const char *const texts[] = {
        "\xef\xbb\xbf" "date,x\n2012-01-01,1.5\n\n2012-01-02,2\n",
        "\xef\xbb\xbf" "date,x\r\n2012-01-01,1.5\r\n\r\n2012-01-02,2\r\n",
        "date,x\r2012-01-01,1.5\r\r2012-01-02,2\r",
    };
    for (size_t i = 0; i < 3; i++) {
        tg_scratch s;
        tg_scratch_open(&s);
        const char *path;
        tg_csv csv;
        tg_status st = read_text(&s, texts[i], &path, &csv);
        ck_assert_msg(tg_is_ok(&st), "%s", st.msg);
        ck_assert_int_eq(csv.cols, 2);
        ck_assert_str_eq(csv.col[0].name, "date");
        ck_assert_uint_eq(csv.rows, 2);
        const tg_csv_column *date = tg_csv_find(&csv, "date");
        ck_assert_ptr_nonnull(date);
        ck_assert_str_eq(date->text[1], "2012-01-02");
        ck_assert(csv.col[1].numeric && csv.col[1].num[0] == 1.5 && csv.col[1].num[1] == 2);
        ck_assert_uint_eq(csv.line[0], 2);
        ck_assert_uint_eq(csv.line[1], 4);
        tg_csv_free(&csv);
        tg_scratch_close(&s);
    }
}
END_TEST

/* A NUL byte made every later row vanish: refused with its line and
 * column. */
START_TEST(test_csv_nul_byte)
{
    tg_scratch s;
    tg_scratch_open(&s);
    static const char text[] = "t,x\n1,2\n3,\0004\n5,6\n";
    const char *path = tg_scratch_write(&s, "nul.csv", text, sizeof text - 1, 0);
    tg_csv csv;
    tg_status st = tg_csv_read(path, &csv);
    char want[700];
    snprintf(want, sizeof want, "%s: line 3, column 3: a NUL byte (this is not a text file)", path);
    ck_assert_str_eq(st.msg, want);
    ck_assert_ptr_null(csv.col);
    tg_scratch_close(&s);
}
END_TEST

/* Numbers too small for a normal double are numbers ("1e-320 is not a
 * number" before); an overflow still is not. */
START_TEST(test_csv_denormals_are_numbers)
{
    tg_scratch s;
    tg_scratch_open(&s);
    const char *path;
    tg_csv csv;
    tg_status st = read_text(&s, "t,x\n1,1e-320\n2,-4.9e-324\n3,1e-400\n", &path, &csv);
    ck_assert_msg(tg_is_ok(&st), "%s", st.msg);
    ck_assert(csv.col[1].numeric);
    ck_assert(csv.col[1].num[0] == 1e-320 && csv.col[1].num[0] > 0);
    ck_assert(csv.col[1].num[1] == -4.9e-324);
    ck_assert(csv.col[1].num[2] == 0);
    tg_csv_free(&csv);
    tg_scratch_close(&s);
}
END_TEST

/* "column 'x' is text, not numbers" said nothing of why: a header-only
 * file has no values, an empty first field is empty, a text one is shown. */
START_TEST(test_csv_numeric_says_why_not)
{
    static const struct {
        const char *text, *message;
    } cases[] = {
        {"t,x\n", "%s: column 'x' has no values (the file has a header line and no rows)"},
        {"t,x\r\n", "%s: column 'x' has no values (the file has a header line and no rows)"},
        {"t,x\n\n1,\n2,3\n", "%s: line 3: column 'x' is empty, not a number"},
        {"t,x\n1,dry\n2,3\n", "%s: column 'x' is text, not numbers (line 2 holds 'dry')"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        tg_scratch s;
        tg_scratch_open(&s);
        const char *path;
        tg_csv csv;
        tg_status st = read_text(&s, cases[i].text, &path, &csv);
        ck_assert_msg(tg_is_ok(&st), "%s", st.msg);
        const double *x;
        st = tg_csv_numeric(&csv, path, "x", &x);
        char want[700];
        snprintf(want, sizeof want, cases[i].message, path);
        ck_assert_str_eq(st.msg, want);
        tg_csv_free(&csv);
        tg_scratch_close(&s);
    }
}
END_TEST

/* In the child: the unreadable file is found (not "not found", which the
 * applications take as "not installed" and fall back on), and reading it
 * says why it cannot be read. */
static int unreadable_is_found(void *dir)
{
    char path[1024], want[1200];
    tg_status st = tg_data_find(TG_DATA_VEGA, "secret.csv", dir, path, sizeof path);
    if (!tg_is_ok(&st)) {
        fprintf(stderr, "%s\n", st.msg);
        return 11;
    }
    tg_csv csv;
    st = tg_csv_read(path, &csv);
    snprintf(want, sizeof want, "%s: cannot open: Permission denied", path);
    if (strcmp(st.msg, want)) {
        fprintf(stderr, "got %s\n", st.msg);
        return 12;
    }
    return st.code == TG_DATA_NOT_FOUND ? 13 : 0;
}

START_TEST(test_data_find_unreadable_is_not_missing)
{
    tg_scratch s;
    tg_scratch_open(&s);
    ck_assert_int_eq(chmod(s.dir, 0755), 0);
    const char *secret = tg_scratch_write(&s, "secret.csv", "a\n1\n", 4, 0);
    ck_assert_int_eq(chmod(secret, 0), 0);
    tg_scratch_in_child(unreadable_is_found, s.dir, (tg_child_opts){.unprivileged = 1});
    tg_scratch_close(&s);
}
END_TEST

Suite *tg_test_suite(void)
{
    Suite *s = suite_create("csv");
    TCase *tc = tcase_create("csv");
    tcase_add_test(tc, test_csv_weather_like);
    tcase_add_test(tc, test_csv_quotes_and_line_ends);
    tcase_add_test(tc, test_csv_header_only);
    tcase_add_test(tc, test_csv_missing_file);
    tcase_add_test(tc, test_csv_empty);
    tcase_add_test(tc, test_csv_blank_lines_only);
    tcase_add_test(tc, test_csv_too_few);
    tcase_add_test(tc, test_csv_too_many);
    tcase_add_test(tc, test_csv_not_a_number);
    tcase_add_test(tc, test_csv_empty_number);
    tcase_add_test(tc, test_data_find_not_found_code);
    tcase_add_test(tc, test_csv_bom_and_line_ends);
    tcase_add_test(tc, test_csv_nul_byte);
    tcase_add_test(tc, test_csv_denormals_are_numbers);
    tcase_add_test(tc, test_csv_numeric_says_why_not);
    tcase_add_test(tc, test_data_find_unreadable_is_not_missing);
    suite_add_tcase(s, tc);
    return s;
}
