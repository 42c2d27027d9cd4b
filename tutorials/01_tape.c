/* Tutorial 1: the tape.
 *
 * One expression of three one-element tensors,
 *
 *     L = a * tanh(a * b + c),
 *
 * built op by op while we watch the tape grow; then the chain rule worked by
 * hand next to what tg_tape_backward derives, the tape drawn as a graph,
 * the numerical gradient, and what happens to gradients across passes. docs/tutorial-01-tape.md is the
 * page that goes with it. */
#include "tutorials/steps.h"

/* The whole expression as one function of its inputs {a, b, c}: what the
 * numerical checks evaluate again and again. */
static tg_tensor *expression(tg_tape *tape, tg_tensor *const *in, void *ctx)
{
    tg_tensor *a = in[0], *b = in[1], *c = in[2];
    /* L = a * tanh(a * b + c) */
    return tg_mul(tape, a, tg_tanh(tape, tg_add(tape, tg_mul(tape, a, b), c)));
}

static void show_tape(const tg_tape *tape)
{
    tg_tape_print(tape, stdout);
}

int main(int argc, char **argv)
{
    tg_steps s;
    tg_steps_start(&s, argc, argv, "Tutorial 1: the tape (reverse-mode automatic differentiation)");

    tg_tensor *a = tg_tensor_from(TG_SCALAR, (const tg_real[]){0.5});
    tg_tensor *b = tg_tensor_from(TG_SCALAR, (const tg_real[]){-1.5});
    tg_tensor *c = tg_tensor_from(TG_SCALAR, (const tg_real[]){2.0});
    a->name = "a";
    b->name = "b";
    c->name = "c";
    tg_tape *tape = tg_tape_new();

    tg_steps_step(&s, "Leaves: the tensors we want gradients for", "a = 0.5, b = -1.5, c = 2.0");
    tg_tensor_requires_grad(a);
    tg_tensor_requires_grad(b);
    tg_tensor_requires_grad(c);
    tg_steps_tensor("a", a);
    tg_steps_tensor("b", b);
    tg_steps_tensor("c", c);
    tg_steps_say("Nothing has been computed yet, so the tape is empty:");
    show_tape(tape);

    tg_steps_step(&s, "First op: a product", "u = a * b");
    tg_tensor *u = tg_mul(tape, a, b);
    u->name = "u";
    tg_steps_tensor("u", u);
    tg_steps_say("The op appended one node: its name, its output's shape, its inputs.");
    show_tape(tape);

    tg_steps_step(&s, "Second op: a sum", "v = u + c");
    tg_tensor *v = tg_add(tape, u, c);
    v->name = "v";
    tg_steps_tensor("v", v);
    show_tape(tape);

    tg_steps_step(&s, "Third op: a squashing function", "w = tanh(v)");
    tg_tensor *w = tg_tanh(tape, v);
    w->name = "w";
    tg_steps_tensor("w", w);
    show_tape(tape);

    tg_steps_step(&s, "Last op: a is used a second time", "L = a * w");
    tg_tensor *L = tg_mul(tape, a, w);
    L->name = "L";
    tg_steps_tensor("L", L);
    tg_steps_say("a now reaches L along two paths: through u and directly.");
    show_tape(tape);

    tg_steps_step(&s, "Backward: the chain rule, node by node from the last",
                  "dL/dL = 1\n"
                  "dL/dw = a                      (node #3, mul)\n"
                  "dL/dv = dL/dw * (1 - w^2)      (node #2, tanh' = 1 - tanh^2)\n"
                  "dL/du = dL/dv,  dL/dc = dL/dv  (node #1, add)\n"
                  "dL/db = dL/du * a              (node #0, mul)\n"
                  "dL/da = w + dL/du * b          (both paths add up)");
    tg_tape_backward(tape, L);
    const double A = a->data[0], B = b->data[0], W = w->data[0];
    const double dw = A, dv = dw * (1 - W * W), du = dv, dc = dv, db = du * A, da = W + du * B;
    tg_steps_say("What the tape derived, held against the chain rule by hand:");
    tg_steps_expect(&s, "dL/dw", w->grad[0], dw, TG_STEPS_TOL);
    tg_steps_expect(&s, "dL/dv", v->grad[0], dv, TG_STEPS_TOL);
    tg_steps_expect(&s, "dL/du", u->grad[0], du, TG_STEPS_TOL);
    tg_steps_expect(&s, "dL/dc", c->grad[0], dc, TG_STEPS_TOL);
    tg_steps_expect(&s, "dL/db", b->grad[0], db, TG_STEPS_TOL);
    tg_steps_expect(&s, "dL/da", a->grad[0], da, TG_STEPS_TOL);

    tg_steps_step(&s, "The tape, drawn: tg_tape_write_dot",
                  "one box per leaf, one ellipse per op, an arrow per input; values and gradients");
    tg_steps_say("Graphviz's DOT text of this tape after backward (docs/pictures/tape.png is it\n"
                 "drawn: `tapegrad graph tape -o tape.png`, or `dot -Tpng -o tape.png tape.dot`):");
    tg_tape_dot_opts dot = tg_tape_dot_defaults();
    dot.title = "L = a tanh(a b + c), after tg_tape_backward (tutorial 1)";
    tg_tape_write_dot(tape, stdout, &dot);

    tg_steps_step(&s, "The numerical gradient: nudge each input, watch L",
                  "dL/dx ~ (L(x + h) - L(x - h)) / (2h)");
    tg_tensor *inputs[] = {a, b, c};
    tg_steps_gradients(&s, "L = a * tanh(a * b + c)", expression, NULL, inputs, 3);

    tg_steps_step(&s, "Gradients accumulate: zero them between passes",
                  "a.grad += dL/da  (every backward adds, it never overwrites)");
    tg_tensor_zero_grad(a);
    tg_tensor_zero_grad(b);
    tg_tensor_zero_grad(c);
    for (int pass = 1; pass <= 2; pass++) {
        tg_tape_reset(tape);
        tg_tape_backward(tape, expression(tape, inputs, NULL));
        printf("  after backward pass %d without zeroing:", pass);
        tg_steps_num(a->grad[0]);
        printf("\n");
    }
    tg_steps_expect(&s, "a.grad after two passes", a->grad[0], 2 * da, TG_STEPS_TOL);
    tg_steps_say("An optimizer therefore zeroes the parameters' gradients before each step.");

    tg_steps_step(&s, "Reset: one pass, one arena",
                  "tg_tape_reset: every node and intermediate tensor released at once");
    tg_tape_reset(tape);
    show_tape(tape);
    tg_steps_say("The leaves a, b, c live on the heap and keep their values and gradients;\n"
                 "u, v, w and L lived in the tape's arena and are gone.");

    tg_tape_free(tape);
    tg_tensor_free(a);
    tg_tensor_free(b);
    tg_tensor_free(c);
    return tg_steps_finish(&s);
}
