#!/bin/sh
# The API pages, generated from the public headers' comments, so that they
# say what the headers say:
#
#   sh docs/gen_api.sh update   (make docs)    writes docs/api.md and docs/api-<folder>.md
#   sh docs/gen_api.sh check    (make check)   fails when a page differs from a fresh one
#
# The public headers are those tapegrad.h includes ("<folder>/<folder>.h"),
# in its order; each gets the page docs/api-<folder>.md. A header is read as
# the house writes it (docs/contributing.md):
#
#   /* folder/: what it holds ... */          the page's introduction
#   /* ==== Title (file.c) ==== */             a section: "## Title", linked to file.c
#   /* The section's explanatory comment */   prose
#   declarations and their comments           one C block, verbatim
#   /* ---- Subtitle (file.c) ---- */          a subsection inside a section
#
# In prose, a block indented two spaces or more is shown as it is written:
# as C when the line before it ends with "Example:" or "Example (given
# ...):" (docs/check_examples.sh compiles it), as plain text otherwise.
# Plain POSIX sh and awk (Debian's mawk), nothing else.
set -eu

mode=${1:-}
exdir=
case $mode in
update | check) ;;
examples) exdir=${2:?usage: sh docs/gen_api.sh examples DIR} ;;
*) echo "usage: sh docs/gen_api.sh update|check|examples DIR" >&2; exit 2 ;;
esac

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

folders=$(sed -n 's|^#include "\([a-z_]*\)/\1\.h"$|\1|p' tapegrad.h)
[ -n "$folders" ] || { echo "gen_api: tapegrad.h includes no <folder>/<folder>.h" >&2; exit 2; }

# One header -> one page on stdout.
page() {
    awk -v header="$1" -v folder="$2" -v sections="$3" -v exdir="$exdir" '
    function strip(line) {            # a comment line without its /* , * or */
        sub(/^\/\* ?/, "", line)
        sub(/^ \*\/$/, "", line)
        sub(/^ \* ?/, "", line)
        sub(/^ \*$/, "", line)
        sub(/ *\*\/$/, "", line)
        return line
    }
    function indent_of(s) { match(s, /^ */); return RLENGTH }
    function escape(s,    out, n, parts, i) {   # Markdown specials, outside `code`
        n = split(s, parts, "`")
        out = ""
        for (i = 1; i <= n; i++) {
            if (i % 2 == 1) {
                while (match(parts[i], /<[A-Za-z\/!?]/))   # would open an HTML tag
                    parts[i] = substr(parts[i], 1, RSTART - 1) "&lt;" substr(parts[i], RSTART + 1)
                gsub(/\*/, "\\*", parts[i])
                gsub(/docs\/[a-z0-9_-]+\.md/, "[&](&)", parts[i])
                gsub(/\(docs\//, "(", parts[i])
            }
            out = out (i > 1 ? "`" : "") parts[i]
        }
        return out
    }
    function slug(s) {                # the anchor GitHub gives a heading
        s = tolower(s)
        gsub(/[^a-z0-9 _-]/, "", s)
        gsub(/ /, "-", s)
        return s
    }
    # "Title (a.c, b.c)" -> title in T_TITLE, a Markdown line of links in T_SRC
    function split_title(raw,    inner, n, items, i, rest, src, f) {
        T_TITLE = raw
        T_SRC = ""
        if (raw !~ /\([^()]*\)$/)
            return
        match(raw, /\([^()]*\)$/)
        inner = substr(raw, RSTART + 1, RLENGTH - 2)
        T_TITLE = substr(raw, 1, RSTART - 1)
        sub(/ +$/, "", T_TITLE)
        gsub(/;/, ",", inner)
        n = split(inner, items, ",")
        rest = ""
        src = ""
        for (i = 1; i <= n; i++) {
            sub(/^ +/, "", items[i])
            sub(/ +$/, "", items[i])
            if (items[i] ~ /^[A-Za-z0-9_]+\.c$/) {
                f = folder "/" items[i]
                src = src (src == "" ? "" : ", ") ((system("test -f " f) == 0) ? "[`" f "`](../" f ")" : "`" f "`")
            } else {
                rest = rest (rest == "" ? "" : ", ") items[i]
            }
        }
        if (rest != "")
            T_TITLE = T_TITLE " (" rest ")"
        if (src != "")
            T_SRC = "Source: " src "."
    }
    function out(s) { body[++nbody] = s }
    function blank() { if (nbody > 0 && body[nbody] != "") out("") }
    # Prose: the comment lines in pl[1..np], as Markdown.
    function flush_prose(    i, j, k, line, ind, min, tag, in_list, para, fresh) {
        i = 1
        in_list = 0
        para = ""
        fresh = 1
        while (i <= np) {
            line = pl[i]
            if (line ~ /^ *$/) { blank(); in_list = 0; fresh = 1; i++; continue }
            ind = indent_of(line)
            if (ind >= 2 && !in_list) {
                j = i                 # a block as written, to the next unindented line
                while (j + 1 <= np && (pl[j + 1] ~ /^ *$/ || indent_of(pl[j + 1]) >= 2))
                    j++
                while (pl[j] ~ /^ *$/)
                    j--
                min = 1000
                for (k = i; k <= j; k++)
                    if (pl[k] !~ /^ *$/ && indent_of(pl[k]) < min)
                        min = indent_of(pl[k])
                tag = (para ~ /Example( \(given [^)]*\))?:$/) ? "c" : "text"
                blank()
                out("```" tag)
                for (k = i; k <= j; k++)
                    out(substr(pl[k], min + 1))
                out("```")
                if (tag == "c" && exdir != "")
                    write_example(i, j, min, para)
                out("")
                para = ""
                fresh = 1
                i = j + 1
                continue
            }
            if (line ~ /^- /)
                in_list = 1
            if (!in_list)
                sub(/^ +/, "", line)
            if (line ~ /^#/)
                line = "\\" line
            out(escape(line))
            sub(/^ +/, "", line)
            para = fresh ? line : para " " line
            fresh = 0
            i++
        }
        np = 0
    }
    # For docs/check_examples.sh: the example in pl[i..j] as a .src file
    # (origin, first line, what it is given, 0: not run; then the code).
    function write_example(i, j, min, para,    f, k, given) {
        given = ""
        if (match(para, /\(given [^)]*\):$/))
            given = substr(para, RSTART + 7, RLENGTH - 9)
        f = exdir "/" folder "-" pn[i] ".src"
        print header > f
        print pn[i] > f
        print given > f
        print 0 > f
        for (k = i; k <= j; k++)
            print substr(pl[k], min + 1) > f
        close(f)
    }
    function flush_code(    first, lastl, k, prev_blank) {
        first = 1
        lastl = nc
        while (first <= lastl && cl[first] ~ /^ *$/) first++
        while (lastl >= first && cl[lastl] ~ /^ *$/) lastl--
        if (first <= lastl) {
            blank()
            out("```c")
            prev_blank = 0
            for (k = first; k <= lastl; k++) {
                if (cl[k] ~ /^ *$/) { if (!prev_blank) out(""); prev_blank = 1; continue }
                prev_blank = 0
                out(cl[k])
            }
            out("```")
            out("")
        }
        nc = 0
    }
    BEGIN { state = "intro"; nsec = 0 }
    # The file comment first; nothing else before the first banner counts.
    state == "intro" && !/^\/\* ====/ {
        if ($0 ~ /^\/\*/) state = "intro_comment"
        else next
    }
    state == "intro_comment" {
        pl[++np] = strip($0); pn[np] = NR
        if ($0 ~ /\*\/ *$/) { flush_prose(); state = "pre" }
        next
    }
    /^\/\* ==== .* =+ \*\/$/ {
        flush_prose(); flush_code()
        t = $0
        sub(/^\/\* ==== /, "", t)
        sub(/ =+ \*\/$/, "", t)
        split_title(t)
        sec[++nsec] = T_TITLE
        blank()
        out("## " T_TITLE)
        out("")
        if (T_SRC != "") { out(T_SRC); out("") }
        state = "expect_prose"
        next
    }
    state == "pre" { next }
    /^\/\* ---- .* ----( \*\/)?$/ {
        flush_prose(); flush_code()
        t = $0
        sub(/^\/\* ---- /, "", t)
        open = (t !~ /\*\/$/)
        sub(/ ----( \*\/)?$/, "", t)
        split_title(t)
        blank()
        out("### " T_TITLE)
        out("")
        if (T_SRC != "") { out(T_SRC); out("") }
        state = open ? "prose" : "code"
        next
    }
    state == "expect_prose" {
        if ($0 ~ /^ *$/) next
        if ($0 ~ /^\/\*/) state = "prose"
        else state = "code"
    }
    state == "prose" {
        pl[++np] = strip($0); pn[np] = NR
        if ($0 ~ /\*\/ *$/) { flush_prose(); state = "code" }
        next
    }
    state == "code" { cl[++nc] = $0 }
    END {
        # The include guard closes the file: not part of the last section.
        while (nc > 0 && cl[nc] ~ /^ *$/) nc--
        if (nc > 0 && cl[nc] ~ /^#endif/) nc--
        flush_code()
        print "# API reference: `" header "`"
        print ""
        print "<!-- Generated from " header " by docs/gen_api.sh: edit the header, then run make docs. -->"
        print ""
        for (i = 1; i <= nbody; i++) {
            if (body[i] ~ /^## /) break
            print body[i]
        }
        print "Sections:"
        print ""
        for (k = 1; k <= nsec; k++)
            print "- [" sec[k] "](#" slug(sec[k]) ")"
        print ""
        for (; i <= nbody; i++)
            if (!(i == nbody && body[i] == ""))
                print body[i]
        for (k = 1; k <= nsec; k++)
            print sec[k] > sections
    }
    ' "$1"
}

# The index: one line per page with its sections.
{
    echo "# API reference"
    echo
    echo "<!-- Generated from tapegrad.h and the headers it includes by docs/gen_api.sh: run make docs. -->"
    echo
    echo "A program includes one header, \`tapegrad.h\`, which includes one public header per folder,"
    echo "from the ground floor up. Each page below is generated from its header's comments"
    echo "(\`make docs\`), so it says what the header says."
    echo
} >"$tmp/api.md"
for f in $folders; do
    h=$f/$f.h
    [ -f "$h" ] || { echo "gen_api: tapegrad.h includes $h, which does not exist" >&2; exit 2; }
    page "$h" "$f" "$tmp/$f.sections" >"$tmp/api-$f.md"
    echo "- [\`$h\`](api-$f.md): $(awk 'NR > 1 { printf ", " } { printf "%s", $0 }' "$tmp/$f.sections")" >>"$tmp/api.md"
    rm "$tmp/$f.sections"
done

[ "$mode" = examples ] && exit 0

status=0
for new in "$tmp"/*.md; do
    name=docs/${new##*/}
    if [ "$mode" = update ]; then
        if ! cmp -s "$new" "$name"; then
            cp "$new" "$name"
            echo "docs: wrote $name"
        fi
    elif [ ! -f "$name" ]; then
        echo "docs: $name is missing; run make docs" >&2
        status=1
    elif ! cmp -s "$new" "$name"; then
        echo "docs: $name is stale (its header changed); run make docs" >&2
        diff "$name" "$new" | head -n 10 >&2 || true
        status=1
    fi
done
# A generated page whose header is gone.
for old in docs/api-*.md; do
    [ -f "$old" ] || continue
    [ -f "$tmp/${old##*/}" ] && continue
    if [ "$mode" = update ]; then
        rm "$old"
        echo "docs: removed $old (no such public header)"
    else
        echo "docs: $old has no public header any more; run make docs" >&2
        status=1
    fi
done
exit $status
