#include "apps/apps.h"

#include "apps/internal/gradcheck_cases.h"
#include "autograd/internal/gradcheck_cases.h"
#include "layers/internal/gradcheck_cases.h"
#include "train/internal/gradcheck_cases.h"

#include "layers/layers.h"
#include "train/train.h"

typedef const tg_gradcheck_case *(*case_list_fn)(int *n);

static const case_list_fn lists[] = {
    tg_op_gradcheck_cases,
    tg_layer_gradcheck_cases,
    tg_lstm_gradcheck_cases,
    tg_simple_rnn_gradcheck_cases,
    tg_gru_gradcheck_cases,
    tg_conv_lstm2d_gradcheck_cases,
    tg_bidirectional_gradcheck_cases,
    tg_time_distributed_gradcheck_cases,
    tg_loss_gradcheck_cases,
    tg_app_model_gradcheck_cases,
};

#define MAX_CASES 256

const tg_gradcheck_case *const *tg_gradcheck_registry(int *n)
{
    static const tg_gradcheck_case *all[MAX_CASES];
    static int count = -1;
    if (count < 0) {
        count = 0;
        for (size_t l = 0; l < sizeof lists / sizeof lists[0]; l++) {
            int k;
            const tg_gradcheck_case *c = lists[l](&k);
            for (int i = 0; i < k; i++) {
                if (count == MAX_CASES)
                    tg_fatal("gradcheck registry: more than %d checks", MAX_CASES);
                all[count++] = &c[i];
            }
        }
    }
    *n = count;
    return all;
}
