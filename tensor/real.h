/* The scalar type of the whole library.
 *
 * double by default so that gradient checks are tight (central differences
 * need the extra digits); `make REAL=float` defines TG_REAL_FLOAT and builds
 * everything in single precision. Every tolerance in tests and gradcheck is
 * taken from here, so it follows the type. */
#ifndef TG_REAL_H
#define TG_REAL_H

#include <float.h>
#include <math.h>

#ifdef TG_REAL_FLOAT
typedef float tg_real;
#define TG_REAL_NAME "float"
#define TG_REAL_EPSILON FLT_EPSILON
#define TG_REAL_MAX FLT_MAX
static inline tg_real tg_real_exp(tg_real x) { return expf(x); }
static inline tg_real tg_real_log(tg_real x) { return logf(x); }
static inline tg_real tg_real_tanh(tg_real x) { return tanhf(x); }
static inline tg_real tg_real_sqrt(tg_real x) { return sqrtf(x); }
static inline tg_real tg_real_fabs(tg_real x) { return fabsf(x); }
#else
typedef double tg_real;
#define TG_REAL_NAME "double"
#define TG_REAL_EPSILON DBL_EPSILON
#define TG_REAL_MAX DBL_MAX
static inline tg_real tg_real_exp(tg_real x) { return exp(x); }
static inline tg_real tg_real_log(tg_real x) { return log(x); }
static inline tg_real tg_real_tanh(tg_real x) { return tanh(x); }
static inline tg_real tg_real_sqrt(tg_real x) { return sqrt(x); }
static inline tg_real tg_real_fabs(tg_real x) { return fabs(x); }
#endif

#endif
