/* The Bidirectional wrapper's gradient checks: the document's LSTM in every
 * peephole variant, the GRU both ways and the SimpleRNN inside, every merge mode, with and
 * without return_sequences, each on the reference and the fused path of
 * the inner layers (the wrapper itself is tape ops). Every case checks d/dx
 * and d/d(every parameter of both copies). */
#include "layers/layers.h"

#include "tensor/tensor.h"
#include "layers/internal/gradcheck_cases.h"

enum { UNITS = 3 };

static tg_layer *lstm(tg_peephole peephole, int no_cand, int sequences)
{
    return tg_lstm((tg_lstm_opts){.units = UNITS, .return_sequences = sequences,
                                  .peephole = peephole, .no_candidate_peephole = no_cand});
}

static tg_layer *gru(int reset_before, int sequences)
{
    return tg_gru((tg_gru_opts){.units = UNITS, .return_sequences = sequences,
                                .reset_before = reset_before});
}

static tg_layer *simple_rnn(int sequences)
{
    return tg_simple_rnn((tg_simple_rnn_opts){.units = UNITS, .return_sequences = sequences});
}

/* The wrapper on (2, 3, 2): batch 2, T = 3, D = 2, on the given path. */
static tg_gradcheck_report check(tg_layer *bi, tg_path path, uint64_t seed)
{
    bi->path = path;
    tg_gradcheck_report r = tg_layer_gradcheck(bi, TG_SHAPE(2, 3, 2), seed);
    tg_layer_free(bi);
    return r;
}

/* A case on both paths: name (reference) and name_fused; make(...) gives a
 * fresh inner layer each time it is evaluated. */
#define CASE(case_name, merge, make)                                                              \
    static tg_gradcheck_report case_##case_name(uint64_t seed)                                    \
    {                                                                                             \
        return check(tg_bidirectional(make, make, merge), TG_PATH_REFERENCE, seed);               \
    }                                                                                             \
    static tg_gradcheck_report case_##case_name##_fused(uint64_t seed)                            \
    {                                                                                             \
        return check(tg_bidirectional(make, make, merge), TG_PATH_FUSED, seed);                   \
    }

CASE(bidir_lstm, TG_MERGE_CONCAT, lstm(TG_PEEPHOLE_DIAGONAL, 0, 1))
CASE(bidir_lstm_no_cand, TG_MERGE_CONCAT, lstm(TG_PEEPHOLE_DIAGONAL, 1, 1))
CASE(bidir_lstm_none, TG_MERGE_CONCAT, lstm(TG_PEEPHOLE_NONE, 0, 1))
CASE(bidir_lstm_full, TG_MERGE_CONCAT, lstm(TG_PEEPHOLE_FULL, 0, 1))
CASE(bidir_lstm_full_no_cand, TG_MERGE_CONCAT, lstm(TG_PEEPHOLE_FULL, 1, 1))
CASE(bidir_lstm_last, TG_MERGE_CONCAT, lstm(TG_PEEPHOLE_DIAGONAL, 0, 0))
CASE(bidir_gru, TG_MERGE_CONCAT, gru(0, 1))
CASE(bidir_gru_reset_before, TG_MERGE_CONCAT, gru(1, 1))
CASE(bidir_gru_last, TG_MERGE_CONCAT, gru(0, 0))
CASE(bidir_simple_rnn, TG_MERGE_CONCAT, simple_rnn(1))
CASE(bidir_simple_rnn_last, TG_MERGE_CONCAT, simple_rnn(0))
CASE(bidir_sum, TG_MERGE_SUM, gru(0, 1))
CASE(bidir_sum_last, TG_MERGE_SUM, lstm(TG_PEEPHOLE_DIAGONAL, 0, 0))
CASE(bidir_mul, TG_MERGE_MUL, lstm(TG_PEEPHOLE_DIAGONAL, 0, 1))
CASE(bidir_mul_last, TG_MERGE_MUL, gru(1, 0))
CASE(bidir_ave, TG_MERGE_AVE, lstm(TG_PEEPHOLE_NONE, 0, 1))
CASE(bidir_ave_last, TG_MERGE_AVE, gru(0, 0))
CASE(bidir_none, TG_MERGE_NONE, gru(0, 1))
CASE(bidir_none_last, TG_MERGE_NONE, lstm(TG_PEEPHOLE_FULL, 0, 0))

#define ENTRY(n) {#n, case_##n}, {#n "_fused", case_##n##_fused}
static const tg_gradcheck_case cases[] = {
    ENTRY(bidir_lstm),
    ENTRY(bidir_lstm_no_cand),
    ENTRY(bidir_lstm_none),
    ENTRY(bidir_lstm_full),
    ENTRY(bidir_lstm_full_no_cand),
    ENTRY(bidir_lstm_last),
    ENTRY(bidir_gru),
    ENTRY(bidir_gru_reset_before),
    ENTRY(bidir_gru_last),
    ENTRY(bidir_simple_rnn),
    ENTRY(bidir_simple_rnn_last),
    ENTRY(bidir_sum),
    ENTRY(bidir_sum_last),
    ENTRY(bidir_mul),
    ENTRY(bidir_mul_last),
    ENTRY(bidir_ave),
    ENTRY(bidir_ave_last),
    ENTRY(bidir_none),
    ENTRY(bidir_none_last),
};

const tg_gradcheck_case *tg_bidirectional_gradcheck_cases(int *n)
{
    *n = (int)(sizeof cases / sizeof cases[0]);
    return cases;
}
