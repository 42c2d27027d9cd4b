#!/bin/sh
# Keeps the tutorial outputs pasted in docs/*.md equal to what the tutorials
# print now, so the docs never lie.
#
#   sh tutorials/docs_sync.sh update BUILD_DIR REAL   (make docs)
#   sh tutorials/docs_sync.sh check  BUILD_DIR REAL   (make check)
#
# A page marks a pasted output with two lines,
#   <!-- output:02_lstm -->
#   <!-- end -->
# and everything between them is the output of BUILD_DIR/tutorials/02_lstm
# in a ```text block. `check` fails when a page differs from a fresh run,
# ignoring only the digits of numbers in scientific notation (the tutorials
# print measured errors that way; their last digits follow the compiler's
# rounding, not the maths). The pages show the double build, so a float
# build skips the comparison. `check` prints nothing when every page is
# fresh (make check sums up).
set -eu

mode=${1:?usage: docs_sync.sh update|check BUILD_DIR REAL}
build=${2:?usage: docs_sync.sh update|check BUILD_DIR REAL}
real=${3:-double}
case $mode in update | check) ;; *) echo "docs_sync: unknown mode $mode" >&2; exit 2 ;; esac

if [ "$real" != double ]; then
    if [ "$mode" = update ]; then
        echo "docs_sync: the pages show the double build; run make docs without REAL=float" >&2
        exit 2
    fi
    exit 0 # nothing to compare: the pages show the double build
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

mask() { sed -e 's/[0-9]\.[0-9]*e[-+][0-9][0-9]*/N.Ne-NN/g' "$1"; }

status=0
stale=0
for page in docs/*.md; do
    names=$(sed -n 's/^<!-- output:\([A-Za-z0-9_]*\) -->$/\1/p' "$page")
    [ -n "$names" ] || continue
    for name in $names; do
        [ -f "$tmp/$name.out" ] && continue
        if [ ! -x "$build/tutorials/$name" ]; then
            echo "docs: $page wants the output of $name, which $build/tutorials does not hold" >&2
            status=1
            : >"$tmp/$name.out"
            continue
        fi
        # make check has just run every tutorial into NAME.out: reuse that.
        if [ "$mode" = check ] && [ "$build/tutorials/$name.out" -nt "$build/tutorials/$name" ]; then
            cp "$build/tutorials/$name.out" "$tmp/$name.out"
            continue
        fi
        "$build/tutorials/$name" </dev/null >"$tmp/$name.out" 2>&1 || {
            echo "docs: tutorial $name failed" >&2
            status=1
        }
    done
    awk -v dir="$tmp" '
        /^<!-- output:[A-Za-z0-9_]+ -->$/ {
            print
            name = $0
            sub(/^<!-- output:/, "", name)
            sub(/ -->$/, "", name)
            file = dir "/" name ".out"
            print "```text"
            while ((getline line < file) > 0)
                print line
            close(file)
            print "```"
            skipping = 1
            next
        }
        /^<!-- end -->$/ { skipping = 0 }
        !skipping { print }
    ' "$page" >"$tmp/page.md"
    if [ "$mode" = update ]; then
        if ! cmp -s "$tmp/page.md" "$page"; then
            cp "$tmp/page.md" "$page"
            echo "docs: refreshed $page"
        fi
    else
        mask "$tmp/page.md" >"$tmp/fresh"
        mask "$page" >"$tmp/pasted"
        if ! cmp -s "$tmp/fresh" "$tmp/pasted"; then
            echo "docs: $page is stale (its pasted output differs from a fresh run; run make docs):" >&2
            diff "$tmp/pasted" "$tmp/fresh" | head -n 20 >&2 || true
            stale=1
        fi
    fi
done

[ $stale = 0 ] || status=1
exit $status
