/*
 * unit.h - what every cmocka unit test includes. Tests run from tests/unit,
 * so fixtures are found at relative paths.
 */
#ifndef SLIPWAY_UNIT_H
#define SLIPWAY_UNIT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "lib/json.h"

/* Every test program allocates JSON as the agent does (set before main). */
__attribute__((constructor)) static void
unit_setup(void)
{
	jsonx_alloc_init();
}

#endif
