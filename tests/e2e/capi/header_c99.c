/* The public header compiles as strict C99 on its own (the test target builds
 * this file with -std=c99 -pedantic-errors). */
#include "wasmacro.h"

int wasmacro_header_c99_check(void) {
    wasmacro_limits limits;
    wasmacro_limits_default(&limits);
    return limits.fuel > 0 ? WASMACRO_OK : WASMACRO_ERROR_INTERNAL;
}
