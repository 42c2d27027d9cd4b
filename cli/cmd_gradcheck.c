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

#include "tapegrad.h"
#include "cli/commands.h"

static const char usage_text[] =
    "usage: tapegrad gradcheck [--csv] [--seed N] [--list] [NAME...]\n";

static int wanted(const char *name, int argc, char **names)
{
    if (argc == 0)
        return 1;
    for (int i = 0; i < argc; i++)
        if (!strcmp(name, names[i]))
            return 1;
    return 0;
}

static int bad(const char *what, const char *value, const char *hint)
{
    fprintf(stderr, "tapegrad gradcheck: %s '%s'%s\n", what, value, hint);
    return 2;
}

int tg_cmd_gradcheck_parse(int argc, char **argv, tg_cmd_gradcheck_opts *out)
{
    tg_cmd_gradcheck_opts o = {.seed = 1};
    if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
        fputs(usage_text, stdout);
        return 0;
    }
    o.names = tg_xmalloc((size_t)argc * sizeof *o.names, "gradcheck");
    int status = -1;
    for (int i = 1; i < argc && status < 0; i++) {
        if (!strcmp(argv[i], "--csv")) {
            o.csv = 1;
        } else if (!strcmp(argv[i], "--list")) {
            o.list = 1;
        } else if (!strcmp(argv[i], "--seed")) {
            if (i + 1 == argc)
                status = bad("missing value after", argv[i], "");
            else if (!tg_cli_whole_number(argv[++i], &o.seed))
                status = bad("--seed wants a number, got", argv[i], "");
        } else if (argv[i][0] == '-') {
            status = bad("unknown option", argv[i], "");
        } else {
            o.names[o.n_names++] = argv[i];
        }
    }
    int n_cases;
    const tg_gradcheck_case *const *cases = tg_gradcheck_registry(&n_cases);
    for (int j = 0; j < o.n_names && status < 0; j++) {
        int known = 0;
        for (int i = 0; i < n_cases && !known; i++)
            known = !strcmp(cases[i]->name, o.names[j]);
        if (!known)
            status = bad("no check named", o.names[j], " (see --list)");
    }
    if (status >= 0) {
        free(o.names);
        return status;
    }
    *out = o;
    return -1;
}

int tg_cmd_gradcheck(int argc, char **argv)
{
    tg_cmd_gradcheck_opts o;
    const int parsed = tg_cmd_gradcheck_parse(argc, argv, &o);
    if (parsed >= 0)
        return parsed;
    int n_cases;
    const tg_gradcheck_case *const *cases = tg_gradcheck_registry(&n_cases);
    if (o.list) {
        for (int i = 0; i < n_cases; i++)
            printf("%s\n", cases[i]->name);
        free(o.names);
        return 0;
    }
    if (o.csv)
        printf("name,max_abs_err,max_rel_err,checked,skipped,status\n");
    else
        printf("%-34s %12s %12s %9s %8s  %s\n", "name", "max_abs_err", "max_rel_err", "checked",
               "skipped", "status");
    int failed = 0, rows = 0;
    for (int i = 0; i < n_cases; i++) {
        if (!wanted(cases[i]->name, o.n_names, o.names))
            continue;
        tg_gradcheck_report r = cases[i]->run(o.seed);
        const char *status = r.passed ? "PASS" : "FAIL";
        failed += !r.passed;
        rows++;
        if (o.csv)
            printf("%s,%.3e,%.3e,%zu,%zu,%s\n", cases[i]->name, r.max_abs_err, r.max_rel_err,
                   r.checked, r.skipped, status);
        else
            printf("%-34s %12.3e %12.3e %9zu %8zu  %s\n", cases[i]->name, r.max_abs_err,
                   r.max_rel_err, r.checked, r.skipped, status);
        fflush(stdout);
    }
    if (!o.csv)
        printf("%d checks, %d passed, %d failed (%s build, rtol %.0e)\n", rows, rows - failed,
               failed, TG_REAL_NAME, tg_gradcheck_defaults().rtol);
    free(o.names);
    return failed ? 1 : 0;
}
