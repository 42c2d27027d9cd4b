/* tapegrad graph NAME [-o out.png] [--no-draw] | --list: the pictures of
 * the docs (a tape drawn by Graphviz, the vanishing gradient, the gates,
 * the filters), each from the library's own numbers. */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "tapegrad.h"

static const char usage_text[] =
    "usage: tapegrad graph NAME [-o out.png] [--no-draw]\n"
    "       tapegrad graph --list\n";

static int bad(const char *what, const char *value)
{
    fprintf(stderr, "tapegrad graph: %s '%s'\n%s", what, value, usage_text);
    return 2;
}

static int known(const char *name)
{
    int n;
    const tg_picture *all = tg_pictures(&n);
    for (int k = 0; k < n; k++)
        if (!strcmp(all[k].name, name))
            return 1;
    return 0;
}

int tg_cmd_graph_parse(int argc, char **argv, tg_cmd_graph_opts *out)
{
    if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
        fputs(usage_text, stdout);
        return 0;
    }
    tg_cmd_graph_opts o = {.name = NULL, .png = NULL, .draw = 1, .list = 0};
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-o") && i + 1 < argc)
            o.png = argv[++i];
        else if (!strcmp(argv[i], "-o"))
            return bad("missing value after", argv[i]);
        else if (!strcmp(argv[i], "--no-draw"))
            o.draw = 0;
        else if (!strcmp(argv[i], "--list"))
            o.list = 1;
        else if (argv[i][0] == '-')
            return bad("unknown option", argv[i]);
        else if (o.name)
            return bad("unexpected argument", argv[i]);
        else if (!known(argv[i])) {
            fprintf(stderr, "tapegrad graph: no picture named '%s' (tapegrad graph --list "
                            "names them)\n%s", argv[i], usage_text);
            return 2;
        }
        else
            o.name = argv[i];
    }
    if (o.list && (o.name || o.png || !o.draw)) {
        fprintf(stderr, "tapegrad graph: --list takes nothing else\n%s", usage_text);
        return 2;
    }
    if (!o.list && !o.name) {
        fprintf(stderr, "tapegrad graph: no picture NAME given\n%s", usage_text);
        return 2;
    }
    if (o.png && !tg_picture_path_ok(o.png))
        return bad("-o wants a path without quotes or control characters, not starting with "
                   "'<', '|' or '-', got", o.png);
    *out = o;
    return -1;
}

/* A text plot, when the picture has one, on stdout. */
static void show_text(const char *path)
{
    FILE *f = path[0] ? fopen(path, "r") : NULL;
    if (!f)
        return;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        fwrite(buf, 1, n, stdout);
    fclose(f);
}

int tg_cmd_graph(int argc, char **argv)
{
    tg_cmd_graph_opts o;
    const int parsed = tg_cmd_graph_parse(argc, argv, &o);
    if (parsed >= 0)
        return parsed;
    if (o.list) {
        int n;
        const tg_picture *all = tg_pictures(&n);
        for (int k = 0; k < n; k++)
            printf("%-12s %s\n", all[k].name, all[k].what);
        return 0;
    }
    char png[TG_PATH_MAX];
    if (!o.png)
        snprintf(png, sizeof png, "%s.png", o.name);
    tg_picture_files files;
    tg_status s = tg_picture_make(o.name, o.png ? o.png : png, o.draw, &files);
    if (!tg_is_ok(&s)) {
        fprintf(stderr, "tapegrad: %s\n", s.msg);
        return 1;
    }
    if (o.draw)
        show_text(files.text);
    printf("wrote %s%s%s%s%s\n", files.data, files.script[0] ? " and " : "", files.script,
           o.draw ? ", drew " : "", o.draw ? files.png : "");
    return 0;
}
