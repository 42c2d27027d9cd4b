#include "layers/layers.h"

#include "autograd/autograd.h"

tg_tensor *tg_activate(tg_tape *tape, tg_tensor *x, tg_activation act)
{
    switch (act) {
    case TG_LINEAR:
        return x;
    case TG_RELU:
        return tg_relu(tape, x);
    case TG_SIGMOID:
        return tg_sigmoid(tape, x);
    case TG_TANH:
        return tg_tanh(tape, x);
    case TG_SOFTMAX:
        return tg_softmax(tape, x);
    }
    tg_fatal("activation: unknown activation %d", (int)act);
}

static const char *const names[] = {"linear", "relu", "sigmoid", "tanh", "softmax"};

const char *tg_activation_name(tg_activation act)
{
    if ((int)act < 0 || (int)act >= (int)(sizeof names / sizeof names[0]))
        tg_fatal("activation: unknown activation %d", (int)act);
    return names[act];
}
