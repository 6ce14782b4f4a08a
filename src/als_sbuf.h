/* als_sbuf — a growing string for text built in memory (the report's Markdown and HTML, gnuplot
 * scripts).  Appends never fail: running out of memory sets oom and later appends do nothing, so
 * a writer checks oom once at the end.  Zero-initialise ({0}) to start; free(b.s) to finish. */
#ifndef ALS_SBUF_H
#define ALS_SBUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct {
    char *s;
    size_t n, cap;
    bool oom;
} als_sbuf;

void als_sbuf_vprintf(als_sbuf *b, const char *fmt, va_list ap);
void als_sbuf_printf(als_sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void als_sbuf_puts(als_sbuf *b, const char *s);
void als_sbuf_putn(als_sbuf *b, const char *s, size_t n);

#endif
