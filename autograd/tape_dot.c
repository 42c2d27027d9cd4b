/* The tape as a Graphviz DOT graph: one box per leaf, one ellipse per op,
 * an arrow from each input to the op that reads it, the ops of one named
 * result (an equation) gathered in a frame. Everything written comes from
 * the tape and from the options; any text taken from a tensor's name or a
 * caption is escaped, so that no name can end a DOT string. */
#include "autograd/autograd.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Colours of the kinds of box (a legend says so in the graph's label). */
#define FILL_INPUT "#cfe2f3"
#define FILL_PARAM "#fce5cd"
#define FILL_CONST "#eeeeee"
#define FILL_NAMED "#fff2cc"

typedef enum { LEAF_INPUT, LEAF_PARAM, LEAF_CONST, OP } tensor_kind;

/* One tensor of the picture: a leaf, or the output of the op of node `node`. */
typedef struct {
    const tg_tensor *t;
    tensor_kind kind;
    int group;   /* the frame it is drawn in, or -1 */
    int node;    /* index of the op's node (oldest first), or -1 for a leaf */
    int shared;  /* a leaf read by ops of two frames: drawn outside both */
} entry;

typedef struct {
    entry *e;
    int n;
} table;

static int find(const table *tab, const tg_tensor *t)
{
    for (int k = 0; k < tab->n; k++)
        if (tab->e[k].t == t)
            return k;
    return -1;
}

tg_tape_dot_opts tg_tape_dot_defaults(void)
{
    return (tg_tape_dot_opts){.params = NULL, .n_params = 0, .max_values = 4, .title = NULL,
                              .captions = NULL, .n_captions = 0};
}

/* Text from outside the library inside a DOT string: printable ASCII only,
 * the quote and the backslash escaped, anything else a '?'. */
static void put_text(FILE *out, const char *s)
{
    for (; *s; s++) {
        const unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else
            fputc(c >= 0x20 && c < 0x7f ? c : '?', out);
    }
}

/* A value with four significant digits; no "-0". */
static void put_number(FILE *out, double v)
{
    fprintf(out, "%.4g", v == 0 ? 0.0 : v);
}

static void put_values(FILE *out, const char *what, const tg_real *v, size_t n)
{
    fprintf(out, "\\n%s ", what);
    if (n == 1) {
        put_number(out, v[0]);
        return;
    }
    fputc('[', out);
    for (size_t k = 0; k < n; k++) {
        if (k)
            fputs(", ", out);
        put_number(out, v[k]);
    }
    fputc(']', out);
}

static int is_param(const tg_tape_dot_opts *o, const tg_tensor *t)
{
    for (int k = 0; k < o->n_params; k++)
        if (o->params[k] == t)
            return 1;
    return 0;
}

static const char *caption_of(const tg_tape_dot_opts *o, const char *name)
{
    for (int k = 0; name && k < o->n_captions; k++)
        if (o->captions[k].name && !strcmp(o->captions[k].name, name))
            return o->captions[k].text;
    return NULL;
}

static void put_entry(FILE *out, const table *tab, int k, const tg_node *const *order,
                      int last, const tg_tape_dot_opts *o)
{
    const entry *e = &tab->e[k];
    const tg_tensor *t = e->t;
    char shape[TG_SHAPE_STR_LEN];
    tg_shape_str(t->shape, shape, sizeof shape);
    fprintf(out, "  t%d [", k);
    if (e->kind == OP) {
        fprintf(out, "shape=ellipse, style=\"%s\", fillcolor=\"%s\"%s, label=\"",
                t->name ? "filled,bold" : "filled", t->name ? FILL_NAMED : "white",
                e->node == last ? ", peripheries=2" : "");
        if (t->name) {
            put_text(out, t->name);
            fputs("\\n", out);
        }
        fprintf(out, "%s %s", order[e->node]->op, shape);
    } else {
        static const char *const style[] = {"filled", "filled,rounded", "filled,dashed"};
        static const char *const fill[] = {FILL_INPUT, FILL_PARAM, FILL_CONST};
        static const char *const unnamed[] = {"input", "parameter", "constant"};
        fprintf(out, "shape=box, style=\"%s\", fillcolor=\"%s\", label=\"", style[e->kind],
                fill[e->kind]);
        put_text(out, t->name ? t->name : unnamed[e->kind]);
        fprintf(out, " %s", shape);
    }
    if (t->size <= o->max_values) {
        put_values(out, "=", t->data, t->size);
        if (t->grad)
            put_values(out, "grad", t->grad, t->size);
    }
    fputs("\"];\n", out);
}

/* What the colours mean, for the kinds of tensor the picture has. */
static void put_legend(FILE *out, const table *tab)
{
    static const char *const what[] = {"blue: inputs", "orange: parameters",
                                       "grey: constants", "ellipses: ops"};
    int seen[4] = {0, 0, 0, 0}, named = 0;
    for (int k = 0; k < tab->n; k++) {
        seen[tab->e[k].kind] = 1;
        named |= tab->e[k].kind == OP && tab->e[k].t->name;
    }
    const char *sep = "";
    for (int kind = 0; kind < 4; kind++)
        if (seen[kind]) {
            fprintf(out, "%s%s", sep, what[kind]);
            sep = "   ";
        }
    fprintf(out, "%s%sdouble: the last op", named ? " (yellow: a named result)" : "", sep);
}

/* Oldest first: the order the ops ran, the order of the equations. */
static const tg_node **nodes_in_order(const tg_tape *tape)
{
    const tg_node **order = tg_xmalloc((size_t)(tape->n_nodes ? tape->n_nodes : 1) * sizeof *order,
                                       "tape_write_dot");
    int n = tape->n_nodes;
    for (const tg_node *node = tape->last; node; node = node->prev)
        order[--n] = node;
    return order;
}

void tg_tape_write_dot(const tg_tape *tape, FILE *out, const tg_tape_dot_opts *opts)
{
    const tg_tape_dot_opts o = opts ? *opts : tg_tape_dot_defaults();
    const int n_nodes = tape->n_nodes;
    const tg_node **order = nodes_in_order(tape);
    int n_inputs = 0;
    for (int k = 0; k < n_nodes; k++)
        n_inputs += order[k]->n_in;
    table tab = {tg_xmalloc((size_t)(n_nodes + n_inputs + 1) * sizeof *tab.e, "tape_write_dot"), 0};
    /* closer[g]: the named result that closes frame g (its ops are the
     * ones recorded since the previous named result). */
    const tg_tensor **closer = tg_xmalloc((size_t)(n_nodes + 1) * sizeof *closer, "tape_write_dot");
    int n_groups = 0;
    for (int k = 0; k < n_nodes; k++) {
        const tg_node *node = order[k];
        for (int i = 0; i < node->n_in; i++) {
            const tg_tensor *in = node->in[i];
            int at = find(&tab, in);
            if (at < 0) {
                at = tab.n++;
                tab.e[at] = (entry){in, is_param(&o, in) ? LEAF_PARAM
                                        : in->requires_grad ? LEAF_INPUT : LEAF_CONST,
                                    n_groups, -1, 0};
            } else if (tab.e[at].node < 0 && tab.e[at].group != n_groups) {
                tab.e[at].shared = 1;
            }
        }
        tab.e[tab.n++] = (entry){node->out, OP, n_groups, k, 0};
        if (node->out->name)
            closer[n_groups++] = node->out;
    }
    /* Ops after the last named result belong to no frame. */
    for (int k = 0; k < tab.n; k++)
        if (tab.e[k].group == n_groups || tab.e[k].shared)
            tab.e[k].group = -1;
    /* A frame of one op says no more than the op's own label, unless a caption does. */
    int *framed = tg_xcalloc((size_t)n_groups + 1, sizeof *framed, "tape_write_dot");
    for (int k = 0; k < tab.n; k++)
        if (tab.e[k].group >= 0 && tab.e[k].kind == OP)
            framed[tab.e[k].group]++;
    for (int g = 0; g < n_groups; g++)
        if (framed[g] < 2 && !caption_of(&o, closer[g]->name))
            framed[g] = 0;

    fprintf(out, "digraph tape {\n  graph [rankdir=TB, fontname=\"Helvetica\", fontsize=11, "
                 "nodesep=0.2, ranksep=0.3, ordering=in, labelloc=b, label=\"");
    if (o.title) {
        put_text(out, o.title);
        fputs("\\n", out);
    }
    put_legend(out, &tab);
    fprintf(out, "\"];\n"
                 "  node [fontname=\"Helvetica\", fontsize=10, margin=\"0.08,0.03\"];\n"
                 "  edge [arrowsize=0.6];\n");
    const int last = n_nodes - 1;
    for (int k = 0; k < tab.n; k++)
        if (tab.e[k].group < 0 || !framed[tab.e[k].group])
            put_entry(out, &tab, k, order, last, &o);
    for (int g = 0; g < n_groups; g++) {
        if (!framed[g])
            continue;
        const char *caption = caption_of(&o, closer[g]->name);
        fprintf(out, "  subgraph cluster_%d {\n    style=\"rounded\"; color=\"#999999\"; labelloc=t; "
                     "fontsize=11; label=\"", g);
        put_text(out, caption ? caption : closer[g]->name);
        fputs("\";\n", out);
        for (int k = 0; k < tab.n; k++)
            if (tab.e[k].group == g) {
                fputs("  ", out);
                put_entry(out, &tab, k, order, last, &o);
            }
        fputs("  }\n", out);
    }
    for (int k = 0; k < n_nodes; k++) {
        const tg_node *node = order[k];
        const int to = find(&tab, node->out);
        for (int i = 0; i < node->n_in; i++)
            fprintf(out, "  t%d -> t%d;\n", find(&tab, node->in[i]), to);
    }
    fputs("}\n", out);
    free(framed);
    free(closer);
    free(tab.e);
    free(order);
}
