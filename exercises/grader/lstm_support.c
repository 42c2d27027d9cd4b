/* What the graders of the LSTM exercises share: the library's LSTM set up
 * like the exercises' parameters, and its values read back. */
#include <stdlib.h>
#include <string.h>

#include "exercises/grader/grader.h"

tg_layer *ex_lstm_layer(int steps, int D, int H, int return_sequences, uint64_t seed)
{
    tg_layer *l = tg_lstm((tg_lstm_opts){.units = H, .return_sequences = return_sequences});
    tg_rng rng;
    tg_rng_seed(&rng, seed);
    tg_layer_build(l, TG_SHAPE(steps, D), &rng);
    for (int k = 0; k < l->n_params; k++)
        tg_init_uniform(l->params[k], &rng, -0.5, 0.5);
    l->path = TG_PATH_REFERENCE;
    if (l->n_params != 16)
        tg_fatal("grader: the document's LSTM has 16 parameters, the library's %d", l->n_params);
    return l;
}

int ex_lstm_inputs(int steps, int N, int D, int H, uint64_t seed, tg_layer **lstm,
                   tg_tensor **in)
{
    static const char *const one[3] = {"x", "h_prev", "c_prev"};
    static const char *const two[4] = {"x_1", "x_2", "h_0", "c_0"};
    *lstm = ex_lstm_layer(steps, D, H, steps > 1, seed);
    tg_rng rng;
    tg_rng_seed(&rng, seed + 1);
    const int n_x = steps, n_state = steps + 2;
    for (int k = 0; k < n_state; k++)
        in[k] = ex_random(steps > 1 ? two[k] : one[k], TG_SHAPE(N, k < n_x ? D : H), &rng, -1, 1);
    for (int k = 0; k < 16; k++)
        in[n_state + k] = (*lstm)->params[k];
    return n_state + 16;
}

void ex_lstm_inputs_free(int steps, tg_layer *lstm, tg_tensor **in)
{
    for (int k = 0; k < steps + 2; k++)
        tg_tensor_free(in[k]);
    tg_layer_free(lstm);
}

ex_lstm_params ex_lstm_params_of(tg_tensor *const *t)
{
    ex_lstm_params p = {t[0], t[1], t[2],  t[3],  t[4],  t[5],  t[6],  t[7],
                        t[8], t[9], t[10], t[11], t[12], t[13], t[14], t[15]};
    return p;
}

ex_lstm_step ex_lstm_step_new(int N, int H)
{
    ex_lstm_step s;
    memset(&s, 0, sizeof s);
    tg_tensor **out[] = {&s.i, &s.f, &s.c_tilde, &s.c, &s.o, &s.tanh_c, &s.h};
    for (size_t k = 0; k < sizeof out / sizeof out[0]; k++)
        *out[k] = tg_tensor_zeros(TG_SHAPE(N, H));
    return s;
}

void ex_lstm_step_free(ex_lstm_step *s)
{
    tg_tensor *out[] = {s->i, s->f, s->c_tilde, s->c, s->o, s->tanh_c, s->h};
    for (size_t k = 0; k < sizeof out / sizeof out[0]; k++)
        tg_tensor_free(out[k]);
}

void ex_lstm_library_gates(const tg_tape *tape, int steps, tg_tensor **gates)
{
    /* The tape links its nodes newest first; walk them oldest first. */
    const tg_node **order = tg_xmalloc((size_t)tape->n_nodes * sizeof *order, "grader");
    int n = 0;
    for (const tg_node *node = tape->last; node; node = node->prev)
        order[n++] = node;
    int sigmoids = 0, tanhs = 0;
    for (int k = n - 1; k >= 0; k--) {
        const int is_sigmoid = !strcmp(order[k]->op, "sigmoid");
        if (!is_sigmoid && strcmp(order[k]->op, "tanh"))
            continue;
        const int t = is_sigmoid ? sigmoids / 3 : tanhs / 2;
        /* sigmoids i, f, o -> slots 0, 1, 3; tanhs c~, tanh(c) -> slots 2, 4 */
        const int slot = is_sigmoid ? (int[]){0, 1, 3}[sigmoids % 3] : (int[]){2, 4}[tanhs % 2];
        if (t < steps)
            gates[5 * t + slot] = order[k]->out;
        sigmoids += is_sigmoid;
        tanhs += !is_sigmoid;
    }
    free(order);
    if (sigmoids != 3 * steps || tanhs != 2 * steps)
        tg_fatal("grader: the library's LSTM recorded %d sigmoids and %d tanhs for %d steps "
                 "(expected 3 and 2 a step)", sigmoids, tanhs, steps);
}

tg_tensor *ex_lstm_library_two_steps(tg_layer *lstm, tg_tape *tape, tg_tensor *const *in)
{
    const int N = in[0]->shape.dim[0], H = in[2]->shape.dim[1];
    tg_tensor *c_2;
    tg_tensor *h = tg_lstm_run(lstm, tape, tg_stack(tape, in, 2, 1), in[2], in[3], NULL, &c_2);
    tg_tensor *parts[3] = {tg_reshape(tape, tg_slice(tape, h, 1, 0, 1, 1), TG_SHAPE(N, H)),
                           tg_reshape(tape, tg_slice(tape, h, 1, 1, 1, 1), TG_SHAPE(N, H)), c_2};
    return tg_stack(tape, parts, 3, 0);
}
