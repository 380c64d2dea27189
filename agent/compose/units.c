/*
 * units.c - compose's units: durations ("1m30s") and byte sizes ("512m").
 */
#include <limits.h>
#include <string.h>

#include "compose/compose.h"

int
compose_parse_duration(const char *s, long long *ns)
{
	static const struct {
		const char *name;
		long long mult;
	} units[] = {
		{ "ns", 1LL }, { "us", 1000LL }, { "\xc2\xb5s", 1000LL },
		{ "\xce\xbcs", 1000LL }, { "ms", 1000000LL },
		{ "s", 1000000000LL }, { "m", 60000000000LL },
		{ "h", 3600000000000LL },
	};
	long long total = 0;
	const char *p = s;
	int bare = 1;

	if (s == NULL || *s == '\0')
		return -1;
	while (*p != '\0') {
		long long whole = 0, frac = 0, scale = 1, v, mult = 0;
		size_t i, ulen = 0;
		int digits = 0;

		while (*p >= '0' && *p <= '9') {
			if (__builtin_mul_overflow(whole, 10, &whole) ||
			    __builtin_add_overflow(whole, *p - '0', &whole))
				return -1;
			p++;
			digits++;
		}
		if (*p == '.') {
			p++;
			while (*p >= '0' && *p <= '9') {
				if (scale < 1000000000000000LL) {
					frac = frac * 10 + (*p - '0');
					scale *= 10;
				}
				p++;
				digits++;
			}
		}
		if (digits == 0)
			return -1;
		if (*p == '\0' && bare && p - s == (ptrdiff_t)strlen(s)) {
			mult = 1000000000LL;    /* a plain number: seconds */
		} else {
			for (i = 0; i < ARRAY_SIZE(units); i++) {
				size_t n = strlen(units[i].name);

				if (n > ulen &&
				    strncmp(p, units[i].name, n) == 0) {
					ulen = n;
					mult = units[i].mult;
				}
			}
			if (ulen == 0)
				return -1;
			p += ulen;
		}
		bare = 0;
		if (__builtin_mul_overflow(whole, mult, &v) ||
		    __builtin_add_overflow(v,
		    (long long)((long double)frac * mult / scale), &v) ||
		    __builtin_add_overflow(total, v, &total))
			return -1;
	}
	*ns = total;
	return 0;
}

int
compose_parse_bytes(const char *s, long long *bytes)
{
	const char *p = s;
	long double v = 0, f = 0.1L, mult = 1;
	int digits = 0;

	if (s == NULL)
		return -1;
	while (*p >= '0' && *p <= '9') {
		v = v * 10 + (*p++ - '0');
		digits++;
	}
	if (digits == 0)
		return -1;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return -1;
		while (*p >= '0' && *p <= '9') {
			v += f * (*p++ - '0');
			f /= 10;
		}
	}
	if (*p == ' ')
		p++;
	if (*p != '\0') {
		static const char units[] = "kmgtp";
		const char *u = strchr(units, *p | 0x20);

		if (u != NULL) {
			ptrdiff_t n = u - units + 1;

			while (n-- > 0)
				mult *= 1024;
			p++;
			if (*p == 'i' || *p == 'I')
				p++;
		}
		if (*p == 'b' || *p == 'B')
			p++;
	}
	if (*p != '\0' || v * mult >= (long double)LLONG_MAX)
		return -1;
	*bytes = (long long)(v * mult);
	return 0;
}
