#!/bin/sh
# Runs Check suites for `make check`, each into its own log, and prints one
# line of counts on stdout:
#
#   sh tests/run_suites.sh build/tests/test_a build/tests/test_b ...
#   -> 2 suites, 54 tests, 0 failed
#
# A suite writes everything to SUITE.log: Check's line per test (see
# tests/runner.c) and what the tests wrote on stderr, such as the expected
# "tapegrad: ..." message of every exit test, which is no error and stays
# there. When tests fail, stderr gets, for each failing test, what it wrote
# and Check's line saying why, then the path of the whole log. Exits 1 when
# any test failed or a suite did not finish.
set -u

suites=0
tests=0
failed=0
status=0
for t in "$@"; do
    suites=$((suites + 1))
    log=$t.log
    "$t" >"$log" 2>&1
    rc=$?
    counts=$(sed -n 's/^suite [^:]*: \([0-9][0-9]*\) tests, \([0-9][0-9]*\) failed$/\1 \2/p' "$log" | tail -n 1)
    if [ -z "$counts" ]; then
        {
            echo "$t: did not finish (exit status $rc); the end of its log, $log:"
            tail -n 20 "$log"
        } >&2
        status=1
        continue
    fi
    run=${counts% *}
    bad=${counts#* }
    tests=$((tests + run))
    failed=$((failed + bad))
    if [ "$rc" != 0 ] || [ "$bad" != 0 ]; then
        status=1
        # A result line closes a test: what came since the previous one is
        # that test's own output.
        awk '
            /^[^:]+:[0-9]+:[PFE]:/ {
                split($0, f, ":")
                if (f[3] != "P") { printf "%s", held; print }
                held = ""
                next
            }
            /^Running suite / { next }
            { held = held $0 "\n" }
        ' "$log" >&2
        echo "$t: $bad of $run tests failed (whole log: $log)" >&2
    fi
done
echo "$suites suites, $tests tests, $failed failed"
exit $status
