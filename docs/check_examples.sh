#!/bin/sh
# Every code example compiles (make check): the ```c blocks of README.md and
# docs/*.md, and the examples in the public headers' comments, each built
# against tapegrad.h and linked with the library.
#
#   CC=cc SNIPPET_FLAGS='-std=gnu11 ...' SNIPPET_LIBS='build/libtapegrad.a -lz -lm' \
#       sh docs/check_examples.sh BUILD_DIR
#
# The conventions (docs/contributing.md, "Code examples"):
#
#   ```c                  a program when it defines main(), else statements,
#                         compiled as the body of a function
#   ```c (given DECLS)    statements that use what the text around them
#                         has: DECLS, such as "tg_tape *tape, tg_tensor *x",
#                         become the function's parameters
#   ```c (run)            a program that is also run and must exit 0
#   ```c (from FILE)      an excerpt of FILE (which make compiles anyway):
#                         its lines, comments and indentation aside, must
#                         stand in FILE as they stand in the block, one
#                         after the other, so the page cannot drift from it
#   ```text, ```sh, ...   anything not meant to compile
#
# In a header, a block indented two spaces or more after a paragraph that
# ends with "Example:" or "Example (given DECLS):" is such an example
# (docs/gen_api.sh finds them, and shows them as C on the API pages). The
# API pages themselves are skipped: their examples are the headers', and
# their declarations are the headers' own text.
#
# Compiler messages name the page or header and its line (#line). Prints
# how many examples compiled and ran on stdout; each failure goes to stderr.
set -u

build=${1:?usage: sh docs/check_examples.sh BUILD_DIR}
: "${CC:=cc}" "${SNIPPET_FLAGS:=-std=gnu11 -I.}" "${SNIPPET_LIBS:=$build/libtapegrad.a -lz -lm -pthread}"
dir=$build/doc-examples
rm -rf "$dir"
mkdir -p "$dir"

# Header examples, as the API pages show them.
sh docs/gen_api.sh examples "$dir" || exit 2

# Markdown examples: one .src file each (origin, first line, given, run; then the code).
for page in README.md docs/*.md; do
    sed -n 3p "$page" | grep -q '^<!-- Generated from' && continue
    awk -v page="$page" -v dir="$dir" '
        !inblock && /^```c( .*)?$/ {
            inblock = 1
            info = substr($0, 5)
            given = ""
            run = 0
            if (info ~ /^ *\(given [^)]*\) *$/) {
                given = info
                sub(/^ *\(given /, "", given)
                sub(/\) *$/, "", given)
            } else if (info ~ /^ *\(run\) *$/) {
                run = 1
            } else if (info ~ /^ *\(from [^)]*\) *$/) {
                from = info
                sub(/^ *\(from /, "", from)
                sub(/\) *$/, "", from)
            } else if (info !~ /^ *$/) {
                printf "%s:%d: unknown fence ```c%s (want (given DECLS), (run) or (from FILE))\n", page, NR, info > "/dev/stderr"
                bad = 1
            }
            name = page
            gsub(/[^A-Za-z0-9]/, "_", name)
            f = dir "/" name "-" NR (from != "" ? ".from" : ".src")
            print page > f
            print NR + 1 > f
            print (from != "" ? from : given) > f
            print run > f
            from = ""
            next
        }
        inblock && /^```/ { inblock = 0; close(f); next }
        inblock { print > f }
        END { exit bad }
    ' "$page" || exit 2
done

count=0
compiled=0
ran=0
status=0
for src in "$dir"/*.src; do
    [ -f "$src" ] || continue
    count=$((count + 1))
    c=${src%.src}.c
    exe=${src%.src}
    # A program as it is; statements in a function whose parameters are
    # what they are given, their #include lines moved to the top.
    awk '
        NR == 1 { origin = $0; next }
        NR == 2 { first = $0; next }
        NR == 3 { given = ($0 == "" ? "void" : $0); next }
        NR == 4 { next }
        { code[++n] = $0; if ($0 ~ /(^|[^A-Za-z0-9_])main *\(/) program = 1 }
        END {
            print "#include \"tapegrad.h\""
            if (!program) {
                for (i = 1; i <= n; i++)
                    if (code[i] ~ /^#include/) { print code[i]; code[i] = "" }
                print "void tg_example(" given ");"
                print "void tg_example(" given ")"
                print "{"
            }
            printf "#line %d \"%s\"\n", first, origin
            for (i = 1; i <= n; i++)
                print code[i]
            if (!program) {
                print "}"
                print "int main(void) { return 0; }"
            }
        }
    ' "$src" >"$c"
    where="$(sed -n 1p "$src"):$(sed -n 2p "$src")"
    # shellcheck disable=SC2086 # the flags are words
    if ! $CC $SNIPPET_FLAGS "$c" $SNIPPET_LIBS -o "$exe" >"$exe.log" 2>&1; then
        {
            echo "$where: this example does not compile (built as $c; see docs/contributing.md, \"Code examples\"):"
            head -n 20 "$exe.log"
        } >&2
        status=1
        continue
    fi
    compiled=$((compiled + 1))
    [ "$(sed -n 4p "$src")" = 1 ] || continue
    ran=$((ran + 1))
    "$exe" </dev/null >"$exe.out" 2>&1
    rc=$?
    if [ $rc != 0 ]; then
        {
            echo "$where: this example, run, exits with status $rc (its output: $exe.out):"
            tail -n 20 "$exe.out"
        } >&2
        status=1
    fi
done
# Excerpts: the block's lines, each without its comments and its white
# space at either end, must be consecutive such lines of the file (blank
# lines skipped on both sides).
for src in "$dir"/*.from; do
    [ -f "$src" ] || continue
    count=$((count + 1))
    where="$(sed -n 1p "$src"):$(sed -n 2p "$src")"
    file=$(sed -n 3p "$src")
    if [ ! -f "$file" ]; then
        echo "$where: this excerpt names $file, which is not there" >&2
        status=1
        continue
    fi
    if awk '
        function norm(line) {
            gsub(/\/\*.*\*\//, "", line)
            sub(/\/\/.*$/, "", line)
            gsub(/^[ \t]+|[ \t]+$/, "", line)
            return line
        }
        FNR == NR { if (FNR > 4 && (l = norm($0)) != "") want[++w] = l; next }
        { l = norm($0); if (l != "") have[++h] = l }
        END {
            for (i = 1; i + w - 1 <= h; i++) {
                for (j = 1; j <= w && have[i + j - 1] == want[j]; j++)
                    ;
                if (j > w)
                    exit 0
            }
            exit 1
        }
    ' "$src" "$file"; then
        compiled=$((compiled + 1))
    else
        echo "$where: this excerpt no longer stands in $file as written (copy it again from there)" >&2
        status=1
    fi
done
if [ $compiled = $count ]; then echo "$count code examples compile, $ran run"; else echo "$compiled of $count code examples compile"; fi
exit $status
