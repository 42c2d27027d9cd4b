#!/bin/sh
# The house's one rule, checked: a file includes headers of its own folder
# or of a floor below it, never above or beside it; a public header
# (<folder>/<folder>.h) never includes a private one (internal/); programs
# written as a user would (tutorials, bench, examples) include public
# headers only. The floors, from the ground up:
#
#   1 tensor   2 kernels datasets   3 autograd   4 layers   5 train   6 apps
#   7 cli tutorials bench examples   8 tests
#
# Prints every breach and exits 1 if there is one.
floor() {
    case $1 in
    tensor) echo 1 ;; kernels | datasets) echo 2 ;; autograd) echo 3 ;; layers) echo 4 ;;
    train) echo 5 ;; apps) echo 6 ;; cli | tutorials | bench | examples | exercises) echo 7 ;;
    tests) echo 8 ;; *) echo 0 ;;
    esac
}
# The tracked sources; outside a git work tree (a tarball, a copy in a
# container without git) every source but the build directories'.
files=$(git ls-files '*.c' '*.h' 2>/dev/null) ||
    files=$(find . \( -name 'build*' -o -name .git \) -prune -o \( -name '*.c' -o -name '*.h' \) -print | sed 's|^\./||' | sort)
status=0
for f in $files; do
    dir=${f%%/*}
    [ "$dir" = "$f" ] && continue # tapegrad.h
    from=$(floor "$dir")
    [ "$from" = 0 ] && continue
    for inc in $(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f"); do
        to_dir=${inc%%/*}
        [ "$to_dir" = "$inc" ] && continue # "tapegrad.h"
        to=$(floor "$to_dir")
        [ "$to" = 0 ] && continue
        why=
        if [ "$to_dir" != "$dir" ] && [ "$to" -ge "$from" ] && [ "$from" != 7 -o "$to" = 7 ] && [ "$from" != 8 ]; then
            why="a folder on floor $to from floor $from"
        fi
        case $inc in */internal/*)
            case $f in "$dir/$dir.h") why="a private header from the public one" ;; esac
            case $dir in tutorials | bench | examples | exercises) why="a private header from a user's program" ;; esac
        esac
        if [ -n "$why" ]; then
            echo "layering: $f includes $inc: $why"
            status=1
        fi
    done
done
[ $status = 0 ] && echo "layering: every include points down a floor"
exit $status
