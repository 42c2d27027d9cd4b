/* tapegrad graph: the pictures of the docs (a tape drawn by Graphviz, the
 * vanishing gradient, the gates, the filters), each from the library's own
 * numbers.
 *
 *   tapegrad graph NAME [-o out.png] [--no-draw]     one picture
 *   tapegrad graph --dir DIR [--no-draw] [NAME...]   several (all: none named), as DIR/NAME.png
 *   tapegrad graph --list                            the names */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "tapegrad.h"

static const char usage_text[] =
    "usage: tapegrad graph NAME [-o out.png] [--no-draw]\n"
    "       tapegrad graph --dir DIR [--no-draw] [NAME...]\n"
    "       tapegrad graph --list\n";

static int bad(const char *what, const char *value)
{
    fprintf(stderr, "tapegrad graph: %s '%s'\n%s", what, value, usage_text);
    return 2;
}

static int usage_error(const char *what)
{
    fprintf(stderr, "tapegrad graph: %s\n%s", what, usage_text);
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

/* A path that would go into a script or a command line, refused. */
static int bad_path(const char *option, const char *value)
{
    fprintf(stderr, "tapegrad graph: %s wants a path without quotes or control characters, not "
                    "starting with '<', '|' or '-', got '%s'\n%s", option, value, usage_text);
    return 2;
}

static int parse(int argc, char **argv, tg_cmd_graph_opts *o)
{
    for (int i = 1; i < argc; i++) {
        const int has_value = i + 1 < argc;
        if (!strcmp(argv[i], "-o") && has_value) {
            o->png = argv[++i];
            if (!tg_picture_path_ok(o->png))
                return bad_path("-o", o->png);
        } else if (!strcmp(argv[i], "--dir") && has_value) {
            o->dir = argv[++i];
            if (!tg_picture_path_ok(o->dir))
                return bad_path("--dir", o->dir);
        } else if (!strcmp(argv[i], "-o") || !strcmp(argv[i], "--dir")) {
            return bad("missing value after", argv[i]);
        } else if (!strcmp(argv[i], "--no-draw")) {
            o->draw = 0;
        } else if (!strcmp(argv[i], "--list")) {
            o->list = 1;
        } else if (argv[i][0] == '-') {
            return bad("unknown option", argv[i]);
        } else if (!known(argv[i])) {
            fprintf(stderr, "tapegrad graph: no picture named '%s' (tapegrad graph --list "
                            "names them)\n%s", argv[i], usage_text);
            return 2;
        } else {
            o->names[o->n_names++] = argv[i];
        }
    }
    if (o->list && (o->n_names || o->png || o->dir || !o->draw))
        return usage_error("--list takes nothing else");
    if (o->png && o->dir)
        return usage_error("-o names one picture's file, --dir a directory for several: not both");
    if (!o->list && !o->dir && o->n_names == 0)
        return usage_error("no picture NAME given");
    if (!o->dir && o->n_names > 1)
        return bad("unexpected argument (several pictures go to a --dir)", o->names[1]);
    return -1;
}

int tg_cmd_graph_parse(int argc, char **argv, tg_cmd_graph_opts *out)
{
    if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
        fputs(usage_text, stdout);
        return 0;
    }
    tg_cmd_graph_opts o = {.n_names = 0, .names = NULL, .png = NULL, .dir = NULL, .draw = 1,
                           .list = 0};
    o.names = tg_xmalloc((size_t)argc * sizeof *o.names, "graph");
    const int status = parse(argc, argv, &o);
    if (status >= 0) {
        free(o.names);
        return status;
    }
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

static int run(const tg_cmd_graph_opts *o)
{
    if (o->list) {
        int n;
        const tg_picture *all = tg_pictures(&n);
        for (int k = 0; k < n; k++)
            printf("%-12s %s\n", all[k].name, all[k].what);
        return 0;
    }
    tg_status s;
    if (o->dir) {
        s = tg_pictures_make(o->dir, (const char *const *)o->names, o->n_names, o->draw);
        if (tg_is_ok(&s))
            printf("%s %s pictures in %s\n", o->draw ? "drew" : "wrote the data of",
                   o->n_names ? "the named" : "all the", o->dir);
    } else {
        char png[TG_PATH_MAX];
        snprintf(png, sizeof png, "%s.png", o->names[0]);
        tg_picture_files files;
        s = tg_picture_make(o->names[0], o->png ? o->png : png, o->draw, &files);
        if (tg_is_ok(&s)) {
            if (o->draw)
                show_text(files.text);
            printf("wrote %s%s%s%s%s\n", files.data, files.script[0] ? " and " : "",
                   files.script, o->draw ? ", drew " : "", o->draw ? files.png : "");
        }
    }
    if (!tg_is_ok(&s)) {
        fprintf(stderr, "tapegrad: %s\n", s.msg);
        return 1;
    }
    return 0;
}

int tg_cmd_graph(int argc, char **argv)
{
    tg_cmd_graph_opts o;
    const int parsed = tg_cmd_graph_parse(argc, argv, &o);
    if (parsed >= 0)
        return parsed;
    const int status = run(&o);
    free(o.names);
    return status;
}
