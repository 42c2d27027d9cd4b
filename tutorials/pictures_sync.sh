#!/bin/sh
# Keeps the pictures in docs/pictures/ equal to what the library draws now,
# as docs_sync.sh does for the pasted tutorial outputs.
#
#   sh tutorials/pictures_sync.sh update BUILD_DIR REAL   (make pictures, which make docs runs)
#   sh tutorials/pictures_sync.sh check  BUILD_DIR REAL   (make check)
#
# update draws every picture `BUILD_DIR/tapegrad graph --list` names into
# docs/pictures/NAME.png (tapegrad graph --dir), with its data (NAME.dot or
# NAME.dat), its gnuplot script (NAME.gp) and text plot (NAME.txt) beside it. check writes the data
# and scripts again (--no-draw) into a temporary directory and fails when
# the committed ones differ: the PNGs and text plots are not compared
# (their bytes follow the version of gnuplot and Graphviz), the numbers
# behind them are: a tape's DOT text exactly, the data and scripts of the
# gnuplot pictures each number to two units of its last printed digit or
# 1e-4 of its size (the last digits of a training run follow the
# compiler's rounding). check also fails when a page shows a picture that is not there
# or a picture is shown by no page. The pictures show the double build, so
# a float build skips the comparison.
set -eu

mode=${1:?usage: pictures_sync.sh update|check BUILD_DIR REAL}
build=${2:?usage: pictures_sync.sh update|check BUILD_DIR REAL}
real=${3:-double}
dir=docs/pictures
case $mode in update | check) ;; *) echo "pictures: unknown mode $mode" >&2; exit 2 ;; esac

if [ "$real" != double ]; then
    if [ "$mode" = update ]; then
        echo "pictures: the pictures show the double build; run make docs without REAL=float" >&2
        exit 2
    fi
    echo "pictures: picture data is checked in double builds only ($real build)"
    exit 0
fi

names=$("$build/tapegrad" graph --list | sed 's/ .*//')

if [ "$mode" = update ]; then
    mkdir -p "$dir"
    "$build/tapegrad" graph --dir "$dir" >/dev/null
    for name in $names; do echo "pictures: drew $dir/$name.png"; done
    exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

# Two files, token by token; numbers within two units of the last digit
# either prints, or 1e-4 of their size. Prints the first difference.
same_numbers() {
    awk -v other="$2" '
        function numeric(s) { return s ~ /^[-+]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][-+]?[0-9]+)?$/ }
        function ulp(s,    m, e, d) {
            m = s; e = 0
            if (match(s, /[eE]/)) { m = substr(s, 1, RSTART - 1); e = substr(s, RSTART + 1) + 0 }
            d = index(m, ".") ? length(m) - index(m, ".") : 0
            return 10 ^ (e - d)
        }
        function split_tokens(line, t) {
            gsub(/[\\"=,;()\[\]]/, " ", line)
            return split(line, t, /[ \t]+/)
        }
        {
            if ((getline theirs < other) <= 0) { print "line " NR ": the committed file is shorter"; bad = 1; exit }
            n = split_tokens($0, a); m = split_tokens(theirs, b)
            if (n != m) { print "line " NR ": " substr($0, 1, 120); bad = 1; exit }
            for (k = 1; k <= n; k++) {
                if (a[k] == b[k]) continue
                if (numeric(a[k]) && numeric(b[k])) {
                    x = a[k] + 0; y = b[k] + 0; diff = x > y ? x - y : y - x
                    tol = 2 * (ulp(a[k]) > ulp(b[k]) ? ulp(a[k]) : ulp(b[k]))
                    big = (x < 0 ? -x : x) > (y < 0 ? -y : y) ? (x < 0 ? -x : x) : (y < 0 ? -y : y)
                    if (diff <= tol || diff <= 1e-4 * big) continue
                }
                print "line " NR ": " a[k] " now, " b[k] " committed"
                bad = 1; exit
            }
        }
        END {
            if (!bad && (getline theirs < other) > 0) { print "the committed file is longer"; bad = 1 }
            exit bad
        }
    ' "$1"
}

status=0
if ! "$build/tapegrad" graph --dir "$tmp" --no-draw >/dev/null; then
    echo "pictures: tapegrad graph --dir failed" >&2
    exit 1
fi
for name in $names; do
    for fresh in "$tmp/$name".*; do
        file=$dir/${fresh##*/}
        if [ ! -f "$file" ]; then
            echo "pictures: $file is missing (run make docs)" >&2
            status=1
            continue
        fi
        # The scripts name their files: compare them as if written in docs/pictures.
        sed "s|$tmp/|$dir/|g" "$fresh" >"$tmp/renamed"
        case $file in
        # A tape's numbers are four significant digits of a few operations:
        # the same to the digit (%g drops trailing zeros, so no ulp is known).
        *.dot) why=$(diff "$tmp/renamed" "$file" | sed -n 2p) ;;
        *) why=$(same_numbers "$tmp/renamed" "$file") || why=${why:-differs} ;;
        esac
        if [ -n "$why" ]; then
            printf 'pictures: %s is stale (the data behind it differs from a fresh run; run make docs): %s\n' \
                "$file" "$why" >&2
            status=1
        fi
    done
    [ -f "$dir/$name.png" ] || { echo "pictures: $dir/$name.png is missing (run make docs)" >&2; status=1; }
    grep -q "pictures/$name\.png" docs/*.md || { echo "pictures: no page shows $dir/$name.png" >&2; status=1; }
done
for shown in $(grep -ho 'pictures/[A-Za-z0-9_]*\.png' docs/*.md | sort -u); do
    [ -f "docs/$shown" ] || { echo "pictures: a page shows docs/$shown, which is not there" >&2; status=1; }
done
[ $status = 0 ] && echo "pictures: the data behind every picture is fresh"
exit $status
