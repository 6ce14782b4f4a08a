/* als_sbuf — growing strings; contracts in als_sbuf.h. */
#include "config.h"

#include "als_sbuf.h"

#include <stdio.h>
#include <stdlib.h>

void als_sbuf_vprintf(als_sbuf *b, const char *fmt, va_list ap)
{
    if (b->oom)
        return;
    va_list ap2;
    va_copy(ap2, ap);
    int need = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (need < 0) {
        b->oom = true;
        return;
    }
    if (b->n + (size_t)need + 1 > b->cap) {
        size_t ncap = (b->cap ? 2 * b->cap : 8192) + (size_t)need;
        char *ns = realloc(b->s, ncap);
        if (!ns) {
            b->oom = true;
            return;
        }
        b->s = ns;
        b->cap = ncap;
    }
    vsnprintf(b->s + b->n, b->cap - b->n, fmt, ap);
    b->n += (size_t)need;
}

void als_sbuf_printf(als_sbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    als_sbuf_vprintf(b, fmt, ap);
    va_end(ap);
}

void als_sbuf_puts(als_sbuf *b, const char *s) { als_sbuf_printf(b, "%s", s); }

void als_sbuf_putn(als_sbuf *b, const char *s, size_t n) { als_sbuf_printf(b, "%.*s", (int)n, s); }

