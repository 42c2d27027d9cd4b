/* Every gradient check the library registers, in the seed's order of
 * ideas: primitive ops, layers, the LSTM variants, losses. */
#ifndef TG_CLI_REGISTRY_H
#define TG_CLI_REGISTRY_H

#include "autograd/gradcheck_registry.h"

const tg_gradcheck_case *const *tg_cli_gradcheck_cases(int *n);

#endif
