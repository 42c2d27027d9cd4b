/* Every gradient check the library registers, in the document's order of
 * ideas: primitive ops, layers, the LSTM variants, losses. */
#ifndef TG_GRADCHECK_REGISTRY_ALL_H
#define TG_GRADCHECK_REGISTRY_ALL_H

#include "autograd/gradcheck_registry.h"

const tg_gradcheck_case *const *tg_gradcheck_registry(int *n);

#endif
