/* The layers' named gradient checks, gathered by the one registry
 * (apps/gradcheck_registry.c) that `tapegrad gradcheck` and the tests share.
 * Not installed: a user runs them through tg_gradcheck_registry(). */
#ifndef TG_LAYERS_GRADCHECK_CASES_H
#define TG_LAYERS_GRADCHECK_CASES_H

#include "layers/layers.h"

/* conv1d, conv1d_fused, ..., maxpool2d_fused, rcl2d, ..., dense, dense_seq, flatten, ... */
const tg_gradcheck_case *tg_layer_gradcheck_cases(int *n);

/* lstm, lstm_fused, lstm_none, lstm_none_fused, lstm_full, lstm_full_fused,
 * lstm_no_cand_peephole(_fused), lstm_full_no_cand_peephole(_fused),
 * lstm_seq(_fused), lstm_full_seq(_fused). */
const tg_gradcheck_case *tg_lstm_gradcheck_cases(int *n);

/* simple_rnn, simple_rnn_fused, simple_rnn_seq, simple_rnn_seq_fused. */
const tg_gradcheck_case *tg_simple_rnn_gradcheck_cases(int *n);

/* gru, gru_fused, gru_reset_before(_fused), gru_seq(_fused),
 * gru_reset_before_seq(_fused). */
const tg_gradcheck_case *tg_gru_gradcheck_cases(int *n);

/* conv_lstm2d(_fused), conv_lstm2d_none, _no_cand_peephole, _same,
 * _same_stride2, _seq, _none_seq, each also _fused (gradcheck_conv_lstm.c). */
const tg_gradcheck_case *tg_conv_lstm2d_gradcheck_cases(int *n);

/* bidir_*: every recurrent layer inside, every merge mode, both
 * ways of return_sequences, both paths (gradcheck_bidirectional.c). */
const tg_gradcheck_case *tg_bidirectional_gradcheck_cases(int *n);

/* timedist_*: Dense, Conv1D/2D, MaxPool, Flatten, Reshape inside,
 * both paths where the layer has two (gradcheck_time_distributed.c). */
const tg_gradcheck_case *tg_time_distributed_gradcheck_cases(int *n);

#endif
