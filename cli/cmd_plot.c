/* tapegrad plot HISTORY.csv [-o out.png] [--size WxH]: the training curves
 * of a History CSV as a PNG and, on stdout, as text. */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "train/plot.h"

/* path with its extension (if any) replaced by ext, as tg_plot_history names its outputs. */
static void with_extension(const char *path, const char *ext, char *buf, size_t len)
{
    const char *slash = strrchr(path, '/'), *dot = strrchr(path, '.');
    size_t stem = dot && (!slash || dot > slash) ? (size_t)(dot - path) : strlen(path);
    snprintf(buf, len, "%.*s%s", (int)stem, path, ext);
}

static int usage(void)
{
    fprintf(stderr, "usage: tapegrad plot HISTORY.csv [-o out.png] [--size WxH]\n");
    return 2;
}

int tg_cmd_plot(int argc, char **argv)
{
    tg_plot_opts o = tg_plot_defaults();
    const char *csv = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-o") && i + 1 < argc) {
            o.png_path = argv[++i];
        } else if (!strcmp(argv[i], "--size") && i + 1 < argc) {
            char extra;
            if (sscanf(argv[++i], "%dx%d%c", &o.width, &o.height, &extra) != 2)
                return usage();
        } else if (argv[i][0] == '-' || csv) {
            return usage();
        } else {
            csv = argv[i];
        }
    }
    if (!csv)
        return usage();
    char png[4096], txt[4096];
    if (o.png_path)
        snprintf(png, sizeof png, "%s", o.png_path);
    else
        with_extension(csv, ".png", png, sizeof png);
    with_extension(png, ".txt", txt, sizeof txt);
    o.png_path = png;
    o.text_path = txt;
    tg_status s = tg_plot_history(csv, &o);
    if (!tg_is_ok(&s)) {
        fprintf(stderr, "tapegrad: %s\n", s.msg);
        return 1;
    }
    FILE *f = fopen(txt, "r");
    if (f) {
        char buf[4096];
        size_t n;
        while ((n = fread(buf, 1, sizeof buf, f)) > 0)
            fwrite(buf, 1, n, stdout);
        fclose(f);
    }
    printf("wrote %s (%d x %d) and %s\n", png, o.width, o.height, txt);
    return 0;
}
