/* Exercise 6: backpropagation through time, over two steps of the LSTM.
 *
 * The forward (given below) runs exercise 5's step twice, the second from
 * the first's states:
 *
 *     (h_1, c_1) = step(x_1, h_0, c_0),    (h_2, c_2) = step(x_2, h_1, c_1)
 *
 * with the same parameters both times. The loss reads h_1, h_2 and c_2
 * (a model with return_sequences reads every h_t; c_2 stands for whatever
 * comes after the last step). You are handed what the loss sends back:
 * dh[0] = dL/dh_1, dh[1] = dL/dh_2 and dc_2 = dL/dc_2 -- from the loss
 * only, not yet what step 2 sends back to h_1 and c_1.
 *
 * Write the backward: dx[0] = dL/dx_1, dx[1] = dL/dx_2, dh_0 = dL/dh_0,
 * dc_0 = dL/dc_0 and every parameter's gradient in d, all starting at zero,
 * using your ex_lstm_step_backward of exercise 5 for each step: this is
 * what the tape does for the library's reference path, by itself.
 *
 * Shapes: as in exercise 5; s[0] is step 1, s[1] step 2, as the forward
 * filled them.
 *
 * Grade it (after exercise 5 passes): make exercise E=bptt
 * Page: docs/exercise-06-bptt.md */
#include "tapegrad.h"
#include "exercises/exercises.h"

void ex_lstm_bptt2_forward(const ex_lstm_params *p, ex_lstm_step s[2])
{
    ex_lstm_step_forward(p, &s[0]);
    s[1].h_prev = s[0].h;
    s[1].c_prev = s[0].c;
    ex_lstm_step_forward(p, &s[1]);
}

void ex_lstm_bptt2_backward(const ex_lstm_params *p, const ex_lstm_step s[2],
                            const tg_tensor *const dh[2], const tg_tensor *dc_2,
                            ex_lstm_params *d, tg_tensor *const dx[2], tg_tensor *dh_0,
                            tg_tensor *dc_0)
{
    /* ======== YOUR CODE: step 2 backward, then step 1 backward ======== */
}

/* Hints
 *
 * - Go backwards in time: step 2 first. What it sends to h_1 and c_1 is
 *   its dh_prev and dc_prev.
 * - h_1 reaches the loss twice: directly (dh[0]) and through step 2. Its
 *   gradient is the sum. c_1 reaches the loss only through step 2 -- but
 *   through ALL of step 2 (c_2 = f_2 c_1 + ..., and three peepholes).
 * - The parameters are shared by both steps, so their gradients add up
 *   over the steps. Exercise 5's backward adds into d: hand it the same d
 *   both times.
 * - You need (N, H) temporaries for what step 2 sends back:
 *   tg_tensor_zeros(h->shape), and free them at the end.
 * - The grader first checks the forward above (h_1, h_2, c_2) against the
 *   library's LSTM run over two steps. */
