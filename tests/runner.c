/* The main() of every test program: each tests/test_*.c defines
 * tg_test_suite() and is linked with this file. */
#include <check.h>
#include <stdlib.h>

#include "tests/support.h"

int main(void)
{
    SRunner *runner = srunner_create(tg_test_suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
