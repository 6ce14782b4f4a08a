/* als_limits — the table of bounds (see als_limits.h) and the one message that refuses a value. */
#include "als_limits.h"

#include <math.h>
#include <stdio.h>

static const als_limit table[ALS_LIM_N] = {
#define ALS_LIMIT_ROW(id, name, lo, hi, integer, why) {name, lo, hi, integer, why},
    ALS_LIMITS(ALS_LIMIT_ROW)
#undef ALS_LIMIT_ROW
};

const als_limit *als_limit_get(als_limit_id id)
{
    return &table[(unsigned)id < ALS_LIM_N ? id : 0];
}

long als_limit_lo(als_limit_id id) { return (long)als_limit_get(id)->lo; }
long als_limit_hi(als_limit_id id) { return (long)als_limit_get(id)->hi; }

bool als_limit_ok(als_limit_id id, double v)
{
    const als_limit *l = als_limit_get(id);
    return isfinite(v) && v >= l->lo && v <= l->hi && (!l->integer || v == floor(v));
}

void als_limit_want(als_limit_id id, char *buf, size_t n)
{
    const als_limit *l = als_limit_get(id);
    if (l->integer)
        snprintf(buf, n, "an integer in [%.0f, %.0f]", l->lo, l->hi);
    else
        snprintf(buf, n, "a number in [%g, %g]", l->lo, l->hi);
}

als_status als_limit_check(als_limit_id id, double v, als_diag *d, const char *path, long line, long col)
{
    if (als_limit_ok(id, v))
        return ALS_OK;
    const als_limit *l = als_limit_get(id);
    char want[96];
    als_limit_want(id, want, sizeof want);
    return als_diag_set(d, ALS_E_INPUT, path ? path : "", line, col, "%s must be %s, got %.17g (%s)", l->name,
                        want, v, l->why);
}
