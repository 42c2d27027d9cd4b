/* The scalar type of the whole library.
 *
 * double by default so that gradient checks are tight (central differences
 * need the extra digits); `make REAL=float` defines TG_REAL_FLOAT and builds
 * everything in single precision. Every tolerance in tests and gradcheck is
 * taken from here, so it follows the type. */
#ifndef TG_REAL_H
#define TG_REAL_H

#include <float.h>

#ifdef TG_REAL_FLOAT
typedef float tg_real;
#define TG_REAL_NAME "float"
#define TG_REAL_EPSILON FLT_EPSILON
#define TG_REAL_MAX FLT_MAX
#else
typedef double tg_real;
#define TG_REAL_NAME "double"
#define TG_REAL_EPSILON DBL_EPSILON
#define TG_REAL_MAX DBL_MAX
#endif

#endif
