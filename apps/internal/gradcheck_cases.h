/* The applications' named gradient checks (models.c), gathered by the one
 * registry (gradcheck_registry.c). Not installed. */
#ifndef TG_APPS_GRADCHECK_CASES_H
#define TG_APPS_GRADCHECK_CASES_H

#include "apps/apps.h"

/* lstm_cnn: the LSTM -> CNN stack; frames_cnn_lstm: the CNN-LSTM of frames;
 * bilstm_series: the BiLSTM series model's core. Each small, every
 * parameter and the input. */
const tg_gradcheck_case *tg_app_model_gradcheck_cases(int *n);

#endif
