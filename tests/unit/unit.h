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

#endif
