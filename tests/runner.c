/* The main() of every test program: each tests/test_*.c defines
 * tg_test_suite() and is linked with this file.
 *
 * Check reports every test as it finishes (CK_VERBOSE), one line each:
 *
 *     tests/test_x.c:123:P:core:test_name:0: Passed
 *
 * with F (a failed assertion) or E (an error: a signal, an unexpected exit)
 * in place of P. stdout is line-buffered so that those lines and whatever a
 * test wrote on stderr stay in the order they happened when both go to one
 * file: `make check` sends each suite to build/tests/test_x.log, where the
 * expected "tapegrad: ..." lines of the exit tests belong, and on a failure
 * shows each failing test's line with what that test wrote just before it.
 * The last line is the count the Makefile sums:
 *
 *     suite x: 27 tests, 0 failed */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/support.h"

int main(int argc, char **argv)
{
    (void)argc;
    setvbuf(stdout, NULL, _IOLBF, 0);
    const char *name = strrchr(argv[0], '/');
    name = name ? name + 1 : argv[0];
    if (strncmp(name, "test_", 5) == 0)
        name += 5;
    SRunner *runner = srunner_create(tg_test_suite());
    srunner_set_log(runner, "-");
    srunner_run_all(runner, CK_SILENT);
    int run = srunner_ntests_run(runner), failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    printf("suite %s: %d tests, %d failed\n", name, run, failed);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
