/* tapegrad gradcheck [--csv] [--seed N] [--list] [NAME...]
 *
 * One row per registered check (ops, then layers, the LSTM variants and the
 * losses): the largest absolute and relative error between the tape's
 * gradient and the five-point central difference, the elements checked and
 * skipped (near a kink), PASS or FAIL. Exit status 1 if any row fails. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autograd/gradcheck_registry.h"
#include "cli/commands.h"
#include "cli/registry.h"

static int wanted(const char *name, int argc, char **names)
{
    if (argc == 0)
        return 1;
    for (int i = 0; i < argc; i++)
        if (!strcmp(name, names[i]))
            return 1;
    return 0;
}

int tg_cmd_gradcheck(int argc, char **argv)
{
    int csv = 0, list = 0;
    uint64_t seed = 1;
    char **names = tg_xmalloc((size_t)argc * sizeof *names, "gradcheck");
    int n_names = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--csv")) {
            csv = 1;
        } else if (!strcmp(argv[i], "--list")) {
            list = 1;
        } else if (!strcmp(argv[i], "--seed") && i + 1 < argc) {
            char *end;
            seed = strtoull(argv[++i], &end, 10);
            if (*end) {
                fprintf(stderr, "tapegrad gradcheck: --seed wants a number, got '%s'\n", argv[i]);
                free(names);
                return 2;
            }
        } else if (argv[i][0] == '-') {
            fprintf(stderr, "tapegrad gradcheck: unknown option '%s'\n", argv[i]);
            free(names);
            return 2;
        } else {
            names[n_names++] = argv[i];
        }
    }
    int n_cases;
    const tg_gradcheck_case *const *cases = tg_cli_gradcheck_cases(&n_cases);
    for (int j = 0; j < n_names; j++) {
        int known = 0;
        for (int i = 0; i < n_cases && !known; i++)
            known = !strcmp(cases[i]->name, names[j]);
        if (!known) {
            fprintf(stderr, "tapegrad gradcheck: no check named '%s' (see --list)\n", names[j]);
            free(names);
            return 2;
        }
    }
    if (list) {
        for (int i = 0; i < n_cases; i++)
            printf("%s\n", cases[i]->name);
        free(names);
        return 0;
    }
    if (csv)
        printf("name,max_abs_err,max_rel_err,checked,skipped,status\n");
    else
        printf("%-34s %12s %12s %9s %8s  %s\n", "name", "max_abs_err", "max_rel_err", "checked",
               "skipped", "status");
    int failed = 0, rows = 0;
    for (int i = 0; i < n_cases; i++) {
        if (!wanted(cases[i]->name, n_names, names))
            continue;
        tg_gradcheck_report r = cases[i]->run(seed);
        const char *status = r.passed ? "PASS" : "FAIL";
        failed += !r.passed;
        rows++;
        if (csv)
            printf("%s,%.3e,%.3e,%zu,%zu,%s\n", cases[i]->name, r.max_abs_err, r.max_rel_err,
                   r.checked, r.skipped, status);
        else
            printf("%-34s %12.3e %12.3e %9zu %8zu  %s\n", cases[i]->name, r.max_abs_err,
                   r.max_rel_err, r.checked, r.skipped, status);
        fflush(stdout);
    }
    if (!csv)
        printf("%d checks, %d passed, %d failed (%s build, rtol %.0e)\n", rows, rows - failed,
               failed, TG_REAL_NAME, tg_gradcheck_defaults().rtol);
    free(names);
    return failed ? 1 : 0;
}
