#!/bin/sh
# bench's command line, checked (make check): a thread count above the
# cores still times every model and phase (bench once printed no row and
# exited 0 for any count above 2), and what it cannot do is refused with
# one line on stderr, exit status 2 and nothing on stdout.
#
#     sh tests/bench_cli.sh BUILD_DIR
#
# Prints what failed and exits 1 if anything did.
bench=$1/bench/bench
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
status=0
fail() {
    echo "bench_cli: $*"
    status=1
}

if ! "$bench" --quick --no-gemm --threads 3 --steps 1 --rounds 1 >"$out/rows" 2>"$out/err"; then
    fail "--threads 3 failed: $(cat "$out/err")"
fi
for model in timeseries images; do
    for phase in train infer; do
        grep -Eq "^$model +$phase +[a-z]+ +3 +[0-9.]+ " "$out/rows" ||
            fail "--threads 3 printed no $model $phase row"
    done
done

refused() { # expected message, then bench's arguments
    want=$1
    shift
    rc=0
    "$bench" "$@" >"$out/stdout" 2>"$out/stderr" || rc=$?
    [ $rc = 2 ] || fail "$*: exit status $rc, not 2"
    [ -s "$out/stdout" ] && fail "$*: printed on stdout"
    [ "$(wc -l <"$out/stderr")" = 1 ] && [ "$(cat "$out/stderr")" = "$want" ] ||
        fail "$*: stderr is not the one line \"$want\": $(cat "$out/stderr")"
}
refused "bench: --threads wants a whole number from 1 to 1024, got '0'" --threads 0
refused "bench: --threads wants a whole number from 1 to 1024, got '-2'" --threads -2
refused "bench: --threads wants a whole number from 1 to 1024, got 'two'" --threads two
refused "bench: --threads wants a whole number from 1 to 1024, got '3x'" --threads 3x
refused "bench: --threads wants a whole number from 1 to 1024, got '1025'" --threads 1025
refused "bench: --rounds wants a whole number from 1 to 64, got '65'" --rounds 65
refused "bench: --model wants timeseries or images, got 'mnist'" --model mnist
exit $status
