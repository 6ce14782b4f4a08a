/* als_data — parsing ratings files and movie catalogues into dense arrays, and the string→index
 * maps behind them.
 *
 * The ratings parser is the one hot loop of the data path (ml-25m is 678 MB of text), so it works
 * straight from the file's bytes (mmap'd by als_ratings_load): one memchr per line, a byte loop
 * over the fields, a hand-written number parser, and no allocation per line.  Ids that are small
 * canonical decimal integers (the MovieLens case) are looked up in a direct array before the hash
 * map; they remain strings in first-seen order — the array only short-cuts the hash lookup.
 * Duplicate (user, item) pairs are resolved after the loop, with one pass over the ratings grouped
 * by user and a per-item stamp (no hash set of pairs). */
#include "als_data.h"

#include <errno.h>
#include <fcntl.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "als_util.h"

#define ALS_LINE_MAX 65536                 /* longest accepted line, in bytes (without '\n') */
#define ALS_NUMCACHE_LIMIT (1u << 22)      /* decimal ids below this use the direct array */

/* ==== id map ================================================================================= */

void als_idmap_init(als_idmap *m) { memset(m, 0, sizeof *m); }

void als_idmap_free(als_idmap *m)
{
    free(m->offs);
    free(m->arena);
    free(m->table);
    memset(m, 0, sizeof *m);
}

static inline uint64_t idmap_hash(const char *s, size_t len)
{
    uint64_t h = 0x243F6A8885A308D3ULL ^ (uint64_t)len;
    while (len >= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = (h ^ w) * 0x9E3779B97F4A7C15ULL;
        h ^= h >> 29;
        s += 8;
        len -= 8;
    }
    if (len) {
        uint64_t w = 0;
        memcpy(&w, s, len);
        h = (h ^ w) * 0x9E3779B97F4A7C15ULL;
    }
    h ^= h >> 32;
    h *= 0xD6E8FEB86659FD93ULL;
    h ^= h >> 32;
    return h;
}

/* Length of id i: ids are stored back to back, each NUL-terminated. */
static inline size_t idmap_len(const als_idmap *m, uint32_t i)
{
    size_t end = i + 1 < m->n ? m->offs[i + 1] : m->arena_len;
    return end - m->offs[i] - 1;
}

/* Slot holding s, or the empty slot where it would go (table_cap > 0). */
static inline size_t idmap_slot(const als_idmap *m, const char *s, size_t len)
{
    size_t mask = m->table_cap - 1, h = (size_t)idmap_hash(s, len) & mask;
    for (;;) {
        uint32_t e = m->table[h];
        if (!e)
            return h;
        uint32_t i = e - 1;
        if (idmap_len(m, i) == len && memcmp(m->arena + m->offs[i], s, len) == 0)
            return h;
        h = (h + 1) & mask;
    }
}

int64_t als_idmap_find(const als_idmap *m, const char *s, size_t len)
{
    if (!m->table_cap)
        return -1;
    uint32_t e = m->table[idmap_slot(m, s, len)];
    return e ? (int64_t)e - 1 : -1;
}

static als_status idmap_rehash(als_idmap *m, size_t cap)
{
    uint32_t *t = calloc(cap, sizeof *t);
    if (!t)
        return ALS_E_NOMEM;
    free(m->table);
    m->table = t;
    m->table_cap = cap;
    for (uint32_t i = 0; i < m->n; i++)
        t[idmap_slot(m, m->arena + m->offs[i], idmap_len(m, i))] = i + 1;
    return ALS_OK;
}

als_status als_idmap_intern(als_idmap *m, const char *s, size_t len, uint32_t *out)
{
    size_t slot = 0;
    if (m->table_cap) {
        slot = idmap_slot(m, s, len);
        if (m->table[slot]) {
            *out = m->table[slot] - 1;
            return ALS_OK;
        }
    }
    if (m->n >= UINT32_MAX - 1)
        return ALS_E_NOMEM;
    if (((size_t)m->n + 1) * 2 > m->table_cap) { /* load factor ≤ 1/2 */
        if (idmap_rehash(m, m->table_cap ? m->table_cap * 2 : 64))
            return ALS_E_NOMEM;
        slot = idmap_slot(m, s, len);
    }
    if (m->n == m->cap) {
        uint32_t ncap = m->cap ? (m->cap > UINT32_MAX / 2 ? UINT32_MAX : m->cap * 2) : 64;
        size_t *no = realloc(m->offs, (size_t)ncap * sizeof *no);
        if (!no)
            return ALS_E_NOMEM;
        m->offs = no;
        m->cap = ncap;
    }
    if (m->arena_len + len + 1 > m->arena_cap) {
        size_t ncap = m->arena_cap ? m->arena_cap * 2 : 1024;
        while (ncap < m->arena_len + len + 1)
            ncap *= 2;
        char *na = realloc(m->arena, ncap);
        if (!na)
            return ALS_E_NOMEM;
        m->arena = na;
        m->arena_cap = ncap;
    }
    memcpy(m->arena + m->arena_len, s, len);
    m->arena[m->arena_len + len] = '\0';
    m->offs[m->n] = m->arena_len;
    m->arena_len += len + 1;
    m->table[slot] = m->n + 1;
    *out = m->n++;
    return ALS_OK;
}

/* Direct array for ids that are canonical decimal integers below ALS_NUMCACHE_LIMIT ("0", "17",
 * not "017" or "+17", which are other strings): v[x] = index + 1.  Only a short cut in front of
 * the id map, which still receives every id, so first-seen order and lookups are unchanged. */
typedef struct {
    uint32_t *v;
    size_t cap;
} numcache;

static als_status numcache_set(numcache *c, uint32_t x, uint32_t idx)
{
    if (x >= c->cap) {
        size_t ncap = c->cap ? c->cap : 4096;
        while (ncap <= x)
            ncap *= 2;
        if (ncap > ALS_NUMCACHE_LIMIT)
            ncap = ALS_NUMCACHE_LIMIT;
        uint32_t *nv = realloc(c->v, ncap * sizeof *nv);
        if (!nv)
            return ALS_E_NOMEM;
        memset(nv + c->cap, 0, (ncap - c->cap) * sizeof *nv);
        c->v = nv;
        c->cap = ncap;
    }
    c->v[x] = idx + 1;
    return ALS_OK;
}

static inline __attribute__((always_inline)) als_status intern_id(als_idmap *m, numcache *c, const char *s, size_t len, uint32_t *out)
{
    if (len - 1 < 8 && (s[0] != '0' || len == 1)) { /* 1..8 digits: below 10^8 < 2^27 */
        uint32_t x = 0;
        size_t i = 0;
        for (; i < len; i++) {
            unsigned dg = (unsigned)(unsigned char)s[i] - '0';
            if (dg > 9)
                break;
            x = x * 10 + dg;
        }
        if (i == len) {
            if (x < c->cap && c->v[x]) {
                *out = c->v[x] - 1;
                return ALS_OK;
            }
            als_status st = als_idmap_intern(m, s, len, out);
            if (st == ALS_OK && x < ALS_NUMCACHE_LIMIT)
                st = numcache_set(c, x, *out);
            return st;
        }
    }
    return als_idmap_intern(m, s, len, out);
}

/* ==== numbers ================================================================================ */

static const double pow10_exact[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                       1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                       1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* Grammar: [+-]? (D+ ['.' D*] | '.' D+) ([eE] [+-]? D+)?  — what strtod accepts in decimal, minus
 * leading blanks, hex, inf and nan.  Fast path (Clinger): a mantissa of at most 2^53 and a power
 * of ten of at most 22 are both exact doubles, so one multiplication or division is correctly
 * rounded, i.e. bitwise strtod's answer.  Everything else (rare in ratings) goes to strtod. */
bool als_parse_double(const char *s, size_t len, double *out)
{
    const char *p = s, *e = s + len;
    bool neg = false;
    if (p < e && (*p == '+' || *p == '-')) {
        neg = *p == '-';
        p++;
    }
    uint64_t m = 0;
    int nsig = 0;       /* significant digits accumulated in m */
    long exp10 = 0;     /* value = m * 10^exp10 (before the exponent part) */
    bool dropped = false;
    size_t ndig = 0;
    for (; p < e; p++) {
        unsigned dg = (unsigned)(unsigned char)*p - '0';
        if (dg > 9)
            break;
        if (nsig < 19) {
            m = m * 10 + dg;
            nsig += m != 0;
        } else {
            exp10++;
            dropped |= dg != 0;
        }
        ndig++;
    }
    if (p < e && *p == '.') {
        for (p++; p < e; p++) {
            unsigned dg = (unsigned)(unsigned char)*p - '0';
            if (dg > 9)
                break;
            if (nsig < 19) {
                m = m * 10 + dg;
                nsig += m != 0;
                exp10--;
            } else {
                dropped |= dg != 0;
            }
            ndig++;
        }
    }
    if (ndig == 0)
        return false;
    if (p < e && (*p == 'e' || *p == 'E')) {
        p++;
        bool eneg = false;
        if (p < e && (*p == '+' || *p == '-')) {
            eneg = *p == '-';
            p++;
        }
        if (p == e || (unsigned)(unsigned char)*p - '0' > 9)
            return false;
        long ev = 0;
        for (; p < e; p++) {
            unsigned dg = (unsigned)(unsigned char)*p - '0';
            if (dg > 9)
                break;
            if (ev < 1000000)
                ev = ev * 10 + (long)dg;
        }
        exp10 += eneg ? -ev : ev;
    }
    if (p != e)
        return false;
    double v;
    if (m == 0 && !dropped) {
        v = 0.0;
    } else if (!dropped && m <= (1ULL << 53) && exp10 >= -22 && exp10 <= 22) {
        v = (double)m;
        v = exp10 < 0 ? v / pow10_exact[-exp10] : v * pow10_exact[exp10];
    } else {
        /* slow path: strtod on a NUL-terminated copy (the grammar above was already checked) */
        char small[128], *buf = small;
        if (len >= sizeof small && !(buf = malloc(len + 1)))
            return false;
        memcpy(buf, s, len);
        buf[len] = '\0';
        char *end;
        v = strtod(buf, &end);
        bool ok = end == buf + len;
        if (buf != small)
            free(buf);
        if (!ok || isinf(v))
            return false;
        *out = v;
        return true;
    }
    *out = neg ? -v : v;
    return true;
}

bool als_parse_long(const char *s, size_t len, long *out)
{
    const char *p = s, *e = s + len;
    bool neg = false;
    if (p < e && (*p == '+' || *p == '-')) {
        neg = *p == '-';
        p++;
    }
    if (p == e)
        return false;
    unsigned long v = 0, lim = neg ? (unsigned long)LONG_MAX + 1 : (unsigned long)LONG_MAX;
    for (; p < e; p++) {
        unsigned dg = (unsigned)(unsigned char)*p - '0';
        if (dg > 9 || v > (lim - dg) / 10)
            return false;
        v = v * 10 + dg;
    }
    if (!neg)
        *out = (long)v;
    else
        *out = v == (unsigned long)LONG_MAX + 1 ? LONG_MIN : -(long)v;
    return true;
}

/* ==== fields ================================================================================= */

typedef struct {
    const char *s;
    size_t len;
} span;

/* How lines are cut into fields.  Quoted fields ("a,b" and "say ""hi""") are honoured for CSV
 * and TSV; doubled quotes are unescaped into scratch (one line's worth, reset per line). */
typedef struct {
    char sep;           /* ',', '\t', or ':' meaning "::" */
    bool quotes;
    char *scratch;      /* ALS_LINE_MAX bytes, allocated on the first escaped quote */
    size_t soff;
} splitter;

static bool has_double_colon(const char *p, size_t n)
{
    for (const char *q = p; n >= 2 && (q = memchr(q, ':', n - 1 - (size_t)(q - p))); q++)
        if (q[1] == ':')
            return true;
    return false;
}

static const char *sep_name(char sep)
{
    return sep == ',' ? "','" : sep == '\t' ? "tabs" : sep == '|' ? "'|'" : "'::'";
}

static inline bool is_blank(char ch, char sep) { return ch == ' ' || (ch == '\t' && sep != '\t'); }

/* Cut the next field from *pp (< e or == e for a trailing empty field); *pp becomes NULL after
 * the last field.  Returns 0, or -1 for an unterminated quote, -2 for text after a closing quote,
 * -3 out of memory. */
static inline __attribute__((always_inline)) int next_field(splitter *sp, const char **pp, const char *e, span *f)
{
    const char *p = *pp, *q;
    if (sp->quotes && p < e && *p == '"') {
        bool esc = false;
        for (q = p + 1;; q += 2) {
            q = memchr(q, '"', (size_t)(e - q));
            if (!q)
                return -1;
            if (q + 1 < e && q[1] == '"')
                esc = true;
            else
                break;
        }
        if (!esc) {
            f->s = p + 1;
            f->len = (size_t)(q - p - 1);
        } else {
            if (!sp->scratch && !(sp->scratch = malloc(ALS_LINE_MAX + 1)))
                return -3;
            char *w = sp->scratch + sp->soff;
            f->s = w;
            for (const char *r = p + 1; r < q; r++) {
                *w++ = *r;
                if (*r == '"')
                    r++;
            }
            f->len = (size_t)(w - f->s);
            sp->soff += f->len;
        }
        for (q++; q < e && is_blank(*q, sp->sep); q++)
            ;
        if (q < e && *q != sp->sep)
            return -2;
        *pp = q < e ? q + (sp->sep == ':' ? 2 : 1) : NULL;
        return 0;
    }
    q = p;
    if (sp->sep == ':') {
        while (q + 1 < e && !(q[0] == ':' && q[1] == ':'))
            q++;
        if (q + 1 >= e)
            q = e;
    } else {
        while (q < e && *q != sp->sep)
            q++;
    }
    const char *fe = q;
    while (p < fe && is_blank(*p, sp->sep))
        p++;
    while (fe > p && is_blank(fe[-1], sp->sep))
        fe--;
    f->s = p;
    f->len = (size_t)(fe - p);
    *pp = q < e ? q + (sp->sep == ':' ? 2 : 1) : NULL;
    return 0;
}

/* Printable excerpt of s for messages: at most ~60 bytes, control bytes escaped. */
static const char *excerpt(char *out, size_t n, const char *s, size_t len)
{
    size_t o = 0;
    for (size_t i = 0; i < len && o + 8 < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (i >= 60) {
            memcpy(out + o, "...", 3);
            o += 3;
            break;
        }
        if (ch == '\t') {
            memcpy(out + o, "\\t", 2);
            o += 2;
        } else if (ch < 0x20 || ch == 0x7f) {
            o += (size_t)snprintf(out + o, n - o, "\\x%02x", ch);
        } else {
            out[o++] = (char)ch;
        }
    }
    out[o] = '\0';
    return out;
}

static const char *quote_err_msg(int q)
{
    return q == -1 ? "a closing '\"'" : "a separator after the closing '\"'";
}

/* ==== ratings ================================================================================ */

void als_load_opts_default(als_load_opts *o)
{
    memset(o, 0, sizeof *o);
    o->format = ALS_FMT_AUTO;
    o->duplicates = ALS_DUP_LAST;
}

void als_ratings_init(als_ratings *r)
{
    memset(r, 0, sizeof *r);
    als_idmap_init(&r->users);
    als_idmap_init(&r->items);
}

void als_ratings_free(als_ratings *r)
{
    free(r->user);
    free(r->item);
    free(r->rating);
    als_idmap_free(&r->users);
    als_idmap_free(&r->items);
    als_ratings_init(r);
}

const char *als_format_name(als_format f)
{
    switch (f) {
    case ALS_FMT_AUTO: return "auto";
    case ALS_FMT_CSV: return "csv";
    case ALS_FMT_COLONS: return "colons";
    case ALS_FMT_UDATA: return "udata";
    case ALS_FMT_TSV: return "tsv";
    }
    return "unknown";
}

bool als_format_parse(const char *s, als_format *f)
{
    static const struct { const char *name; als_format f; } names[] = {
        {"auto", ALS_FMT_AUTO},   {"csv", ALS_FMT_CSV},     {"dat", ALS_FMT_COLONS},
        {"colons", ALS_FMT_COLONS}, {"::", ALS_FMT_COLONS}, {"udata", ALS_FMT_UDATA},
        {"u.data", ALS_FMT_UDATA}, {"tsv", ALS_FMT_TSV},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(s, names[i].name) == 0) {
            *f = names[i].f;
            return true;
        }
    return false;
}

/* Header names recognised by default (case-insensitive), in order of preference. */
static const char *const user_names[] = {"userId", "user_id", "user", "uid", NULL};
static const char *const item_names[] = {"movieId", "movie_id", "movie", "itemId", "item_id", "item",
                                         "iid", "productId", "product_id", "product", NULL};
static const char *const rating_names[] = {"rating", "score", "count", "playcount", "play_count",
                                           "plays", "value", "weight", "stars", NULL};

static bool span_eq_ci(span f, const char *name)
{
    size_t n = strlen(name);
    if (f.len != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        char a = f.s[i], b = name[i];
        if (a >= 'A' && a <= 'Z')
            a = (char)(a - 'A' + 'a');
        if (b >= 'A' && b <= 'Z')
            b = (char)(b - 'A' + 'a');
        if (a != b)
            return false;
    }
    return true;
}

typedef struct {
    const char *path;
    const als_load_opts *o;
    als_diag *d;
    als_ratings *r;
    splitter sp;
    int nfields, cu, ci, cr;  /* field count per line; user, item, rating columns */
    size_t cap;               /* capacity of r's arrays */
    numcache ucache, icache;
    /* DUP_ERROR only: rating count at each line after base_line that gave no rating, so a rating's
     * line number can be recovered without storing one per rating */
    size_t *gaps, ngaps, gaps_cap;
    long base_line;
} pctx;

/* A malformed line: an error, or under skip_bad_lines a counted warning (the first one's message
 * stays in d).  Returns the status to fail with, ALS_OK to go on. */
static als_status bad_line(pctx *c, long line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static als_status bad_line(pctx *c, long line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    als_status st = ALS_E_INPUT;
    if (c->o->skip_bad_lines) {
        st = ALS_OK;
        if (c->r->n_bad_lines++ == 0) {
            c->r->first_bad_line = line;
            als_diag_vset(c->d, ALS_E_INPUT, c->path, line, 0, fmt, ap);
        }
    } else {
        als_diag_vset(c->d, ALS_E_INPUT, c->path, line, 0, fmt, ap);
    }
    va_end(ap);
    return st;
}

static als_status note_gap(pctx *c)
{
    if (c->o->duplicates != ALS_DUP_ERROR)
        return ALS_OK;
    if (c->ngaps == c->gaps_cap) {
        size_t ncap = c->gaps_cap ? c->gaps_cap * 2 : 64;
        size_t *ng = realloc(c->gaps, ncap * sizeof *ng);
        if (!ng)
            return ALS_E_NOMEM;
        c->gaps = ng;
        c->gaps_cap = ncap;
    }
    c->gaps[c->ngaps++] = c->r->n;
    return ALS_OK;
}

/* Line number of rating k (DUP_ERROR only): gaps[] is non-decreasing. */
static long rating_line(const pctx *c, size_t k)
{
    size_t g = 0;
    while (g < c->ngaps && c->gaps[g] <= k)
        g++;
    return c->base_line + (long)k + (long)g;
}

/* Ask for transparent huge pages on a big array: first touching 12 bytes per rating costs more in
 * page faults than the parsing itself, and 2 MiB pages cut the faults 512-fold.  A hint only. */
static void advise_huge(void *p, size_t bytes)
{
#ifdef MADV_HUGEPAGE
    const uintptr_t huge = (uintptr_t)2 << 20;
    uintptr_t a = ((uintptr_t)p + huge - 1) & ~(huge - 1), b = ((uintptr_t)p + bytes) & ~(huge - 1);
    if (b > a)
        madvise((void *)a, b - a, MADV_HUGEPAGE);
#else
    (void)p, (void)bytes;
#endif
}

/* Resize the rating arrays to ncap entries (growing or trimming); false when out of memory, the
 * arrays then keep their old size. */
static bool resize_arrays(als_ratings *r, size_t *cap, size_t ncap)
{
    uint32_t *nu = realloc(r->user, ncap * sizeof *nu);
    if (nu)
        r->user = nu;
    uint32_t *ni = realloc(r->item, ncap * sizeof *ni);
    if (ni)
        r->item = ni;
    float *nr = realloc(r->rating, ncap * sizeof *nr);
    if (nr)
        r->rating = nr;
    if (!nu || !ni || !nr)
        return false;
    if (ncap > *cap) {
        advise_huge(r->user, ncap * sizeof *nu);
        advise_huge(r->item, ncap * sizeof *ni);
        advise_huge(r->rating, ncap * sizeof *nr);
    }
    *cap = ncap;
    return true;
}

/* Next line of [p, end): sets *le (end of the line, before '\n') and returns the start of the next
 * line (end when none). */
static inline const char *line_end(const char *p, const char *end, const char **le)
{
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    *le = nl ? nl : end;
    return nl ? nl + 1 : end;
}

static inline bool blank_line(const char *p, const char *e)
{
    for (; p < e; p++)
        if (*p != ' ' && *p != '\t' && *p != '\r')
            return false;
    return true;
}

/* Work out format, header and columns from the first non-blank line [p, e), line number ln.
 * *header says whether that line is a header. */
static als_status detect(pctx *c, const char *p, const char *e, long ln, bool *header)
{
    char ex[256];
    als_format fmt = c->o->format;
    size_t ll = (size_t)(e - p);
    if (memchr(p, '\0', ll))
        return als_diag_set(c->d, ALS_E_INPUT, c->path, ln, 0,
                            "expected a text ratings file, found a NUL byte (binary data?)");
    if (fmt == ALS_FMT_AUTO) {
        if (has_double_colon(p, ll))
            fmt = ALS_FMT_COLONS;
        else if (memchr(p, '\t', ll))
            fmt = ALS_FMT_TSV; /* UDATA when there is no header, below */
        else if (memchr(p, ',', ll))
            fmt = ALS_FMT_CSV;
        else
            return als_diag_set(c->d, ALS_E_INPUT, c->path, ln, 0,
                                "expected fields separated by ',', tabs or '::', found '%s'",
                                excerpt(ex, sizeof ex, p, ll));
    }
    c->sp.sep = fmt == ALS_FMT_CSV ? ',' : fmt == ALS_FMT_COLONS ? ':' : '\t';
    c->sp.quotes = fmt == ALS_FMT_CSV || fmt == ALS_FMT_TSV;
    const char *named[3] = {c->o->user_col, c->o->item_col, c->o->rating_col};
    const char *const *defaults[3] = {user_names, item_names, rating_names};
    int col[3] = {-1, -1, -1};
    *header = false;
    if (fmt == ALS_FMT_CSV || fmt == ALS_FMT_TSV) {
        /* a header names at least one column the way we look for them; for each column the
         * first name of its list (in order of preference) that the header has wins */
        int k = 0;
        for (int w = 0; w < 3; w++) {
            const char *const one[2] = {named[w], NULL};
            for (const char *const *nm = named[w] ? one : defaults[w]; *nm && col[w] < 0; nm++) {
                c->sp.soff = 0;
                k = 0;
                for (const char *fp = p; fp; k++) {
                    span f;
                    int q = next_field(&c->sp, &fp, e, &f);
                    if (q == -3)
                        return als_diag_set(c->d, ALS_E_NOMEM, c->path, ln, 0, "out of memory");
                    if (q)
                        return als_diag_set(c->d, ALS_E_INPUT, c->path, ln, 0, "expected %s, found '%s'",
                                            quote_err_msg(q), excerpt(ex, sizeof ex, p, ll));
                    if (col[w] < 0 && span_eq_ci(f, *nm))
                        col[w] = k;
                }
            }
            if (col[w] >= 0)
                *header = true;
        }
        c->nfields = k;
        if (*header) {
            static const char *const what[3] = {"user", "item", "rating"};
            static const char *const hint[3] = {"userId, user_id, user", "movieId, itemId, item, ...",
                                                "rating, score, count, ..."};
            for (int w = 0; w < 3; w++) {
                if (col[w] >= 0)
                    continue;
                if (!named[w] && ((w == 0 && c->o->user_optional) || (w == 2 && c->o->rating_optional)))
                    continue; /* an optional column the header does not name */
                if (named[w])
                    return als_diag_set(c->d, ALS_E_INPUT, c->path, ln, 0,
                                        "expected a column named '%s' in the header, found '%s'",
                                        named[w], excerpt(ex, sizeof ex, p, ll));
                return als_diag_set(c->d, ALS_E_INPUT, c->path, ln, 0,
                                    "expected a header naming the %s column (%s), found '%s'", what[w],
                                    hint[w], excerpt(ex, sizeof ex, p, ll));
            }
            if (col[0] == col[1] || (col[2] >= 0 && (col[0] == col[2] || col[1] == col[2])))
                return als_diag_set(c->d, ALS_E_INPUT, c->path, ln, 0,
                                    "expected distinct user, item and rating columns, found '%s'",
                                    excerpt(ex, sizeof ex, p, ll));
        } else if (named[0] || named[1] || named[2]) {
            return als_diag_set(c->d, ALS_E_INPUT, c->path, ln, 0,
                                "expected a header naming column '%s', found '%s'",
                                named[0] ? named[0] : named[1] ? named[1] : named[2],
                                excerpt(ex, sizeof ex, p, ll));
        } else if (fmt == ALS_FMT_TSV && c->o->format == ALS_FMT_AUTO) {
            fmt = ALS_FMT_UDATA;
        }
    }
    if (!*header) {
        /* positional: user, item, rating[, anything]; the first line fixes the field count */
        int k = 0;
        c->sp.soff = 0;
        for (const char *fp = p; fp; k++) {
            span f;
            if (next_field(&c->sp, &fp, e, &f))
                break; /* the main loop reports it */
        }
        c->nfields = k;
        col[0] = 0, col[1] = 1, col[2] = 2;
        if (k == 2 && c->o->rating_optional)
            col[2] = -1; /* user, item pairs */
        else if (k < 3)
            return als_diag_set(c->d, ALS_E_INPUT, c->path, ln, 0,
                                "expected at least 3 fields (user, item, rating) separated by %s, "
                                "found %d in '%s'",
                                sep_name(c->sp.sep), k, excerpt(ex, sizeof ex, p, ll));
    }
    c->cu = col[0], c->ci = col[1], c->cr = col[2];
    c->r->format = fmt;
    c->r->has_user = col[0] >= 0;
    c->r->has_rating = col[2] >= 0;
    return ALS_OK;
}

#define LOSER UINT32_MAX /* user index of a duplicate that lost (ids are < UINT32_MAX - 1) */

/* Resolve duplicate (user, item) pairs.  Ratings are visited user by user (directly when the file
 * is grouped by user, as MovieLens files are, else through a stable counting sort), and
 * stamp[item] = user + 1 marks the items the current user already rated.  Losers get the user
 * index LOSER and are squeezed out in one pass that keeps file order. */
static als_status dedup(pctx *c, bool grouped)
{
    als_ratings *r = c->r;
    size_t n = r->n;
    uint32_t nu = r->users.n, ni = r->items.n;
    als_status st = ALS_OK;
    uint32_t *stamp = calloc(ni, sizeof *stamp), *pos = malloc(ni * sizeof *pos);
    uint32_t *perm = NULL, *start = NULL;
    if (!stamp || !pos)
        goto nomem;
    if (!grouped) {
        perm = malloc(n * sizeof *perm);
        start = calloc((size_t)nu + 1, sizeof *start);
        if (!perm || !start)
            goto nomem;
        for (size_t k = 0; k < n; k++)
            start[r->user[k] + 1]++;
        for (uint32_t u = 0; u < nu; u++)
            start[u + 1] += start[u];
        for (size_t k = 0; k < n; k++)
            perm[start[r->user[k]]++] = (uint32_t)k;
    }
    size_t ndup = 0, err_k = SIZE_MAX, err_j = 0;
    for (size_t t = 0; t < n; t++) {
        uint32_t k = perm ? perm[t] : (uint32_t)t;
        uint32_t u = r->user[k], i = r->item[k];
        if (stamp[i] != u + 1) {
            stamp[i] = u + 1;
            pos[i] = k;
            continue;
        }
        ndup++; /* pos[i] < k: within a user, ratings come in file order */
        if (c->o->duplicates == ALS_DUP_LAST) {
            r->user[pos[i]] = LOSER; /* already visited: safe to overwrite */
            pos[i] = k;
        } else if (c->o->duplicates == ALS_DUP_FIRST) {
            r->user[k] = LOSER;
        } else if (k < err_k) {
            err_k = k;
            err_j = pos[i];
        }
    }
    if (err_k != SIZE_MAX && !r->has_user) {
        st = als_diag_set(c->d, ALS_E_INPUT, c->path, rating_line(c, err_k), 0,
                          "expected one rating per item, found a second rating for item '%s' (first at "
                          "line %ld)", als_idmap_str(&r->items, r->item[err_k]), rating_line(c, err_j));
        goto done;
    }
    if (err_k != SIZE_MAX) {
        st = als_diag_set(c->d, ALS_E_INPUT, c->path, rating_line(c, err_k), 0,
                          "expected one rating per (user, item) pair, found a second rating of user "
                          "'%s' for item '%s' (first at line %ld)",
                          als_idmap_str(&r->users, r->user[err_k]),
                          als_idmap_str(&r->items, r->item[err_k]), rating_line(c, err_j));
        goto done;
    }
    if (ndup) {
        size_t w = 0;
        for (size_t k = 0; k < n; k++) {
            if (r->user[k] == LOSER)
                continue;
            r->user[w] = r->user[k];
            r->item[w] = r->item[k];
            r->rating[w] = r->rating[k];
            w++;
        }
        r->n = w;
    }
    r->n_duplicates = ndup;
    goto done;
nomem:
    st = als_diag_set(c->d, ALS_E_NOMEM, c->path, 0, 0, "out of memory resolving duplicates");
done:
    free(stamp);
    free(pos);
    free(perm);
    free(start);
    return st;
}

als_status als_ratings_parse(als_ratings *r, const char *buf, size_t len, const char *path,
                             const als_load_opts *o, als_diag *d)
{
    als_load_opts defaults;
    if (!o) {
        als_load_opts_default(&defaults);
        o = &defaults;
    }
    if (!path)
        path = "<memory>";
    als_ratings_init(r);
    als_diag_clear(d);
    pctx c = {.path = path, .o = o, .d = d, .r = r};
    als_status st = ALS_OK;
    char ex[256];
    const char *p = buf, *end = buf + len, *le, *next;
    long ln = 0;

    if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) /* UTF-8 byte-order mark */
        p += 3;
    /* first non-blank line: format, header and columns */
    for (;;) {
        if (p >= end) {
            st = als_diag_set(d, ALS_E_INPUT, path, ln + 1, 0, "expected ratings, found %s",
                              ln ? "only blank lines" : "an empty file");
            goto fail;
        }
        ln++;
        next = line_end(p, end, &le);
        if ((size_t)(le - p) > ALS_LINE_MAX) {
            st = als_diag_set(d, ALS_E_INPUT, path, ln, 0,
                              "expected a line of at most %d bytes, found %zu bytes", ALS_LINE_MAX,
                              (size_t)(le - p));
            goto fail;
        }
        if (!blank_line(p, le))
            break;
        p = next;
    }
    if (le > p && le[-1] == '\r')
        le--;
    bool header = false;
    if ((st = detect(&c, p, le, ln, &header)))
        goto fail;
    if (header) {
        p = next;
        c.base_line = ln + 1;
    } else {
        c.base_line = ln;
    }
    const long data_line = c.base_line;

    /* capacity from the average length of the first lines (grown by half when short) */
    {
        const char *q = p;
        size_t lines = 0;
        while (q < end && lines < 1000) {
            q = line_end(q, end, &le);
            lines++;
        }
        double est = lines ? (double)(end - p) / ((double)(q - p) / (double)lines) * 1.05 + 16 : 16;
        if (est > UINT32_MAX - 1)
            est = UINT32_MAX - 1;
        if (!resize_arrays(r, &c.cap, (size_t)est)) {
            st = als_diag_set(d, ALS_E_NOMEM, path, 0, 0, "out of memory for %.0f ratings", est);
            goto fail;
        }
    }

    const char *nul = memchr(p, '\0', (size_t)(end - p));
    uint32_t prev_u = 0;
    bool grouped = true;
    const int nf = c.nfields, cu = c.cu, ci = c.ci, cr = c.cr;
    const bool range = o->has_range;
    const double lo = o->min_rating, hi = o->max_rating;
    ln = data_line - 1;
    for (; p < end; p = next) {
        ln++;
        next = line_end(p, end, &le);
        const char *e = le;
        size_t ll = (size_t)(e - p);
        if (ll > ALS_LINE_MAX) {
            if ((st = bad_line(&c, ln, "expected a line of at most %d bytes, found %zu bytes",
                               ALS_LINE_MAX, ll)))
                goto fail;
            goto gap;
        }
        if (nul && nul < e) {
            long at = (long)(nul - p) + 1;
            nul = memchr(le, '\0', (size_t)(end - le));
            if ((st = bad_line(&c, ln, "expected text, found a NUL byte at byte %ld of the line (binary data?)", at)))
                goto fail;
            goto gap;
        }
        if (e > p && e[-1] == '\r')
            e--;
        if (e == p || ((*p == ' ' || *p == '\t' || *p == '\r') && blank_line(p, e)))
            goto gap;

        span fu = {0}, fi = {0}, fr = {0};
        int k = 0;
        c.sp.soff = 0;
        for (const char *fp = p; fp; k++) {
            span f;
            int q = next_field(&c.sp, &fp, e, &f);
            if (q) {
                if (q == -3) {
                    st = als_diag_set(d, ALS_E_NOMEM, path, ln, 0, "out of memory");
                    goto fail;
                }
                if ((st = bad_line(&c, ln, "expected %s, found '%s'", quote_err_msg(q),
                                   excerpt(ex, sizeof ex, p, ll))))
                    goto fail;
                goto gap;
            }
            if (k == cu)
                fu = f;
            else if (k == ci)
                fi = f;
            else if (k == cr)
                fr = f;
        }
        if (k != nf) {
            if ((st = bad_line(&c, ln, "expected %d fields separated by %s, found %d in '%s'", nf,
                               sep_name(c.sp.sep), k, excerpt(ex, sizeof ex, p, (size_t)(e - p)))))
                goto fail;
            goto gap;
        }
        if ((fu.len == 0 && cu >= 0) || fi.len == 0) {
            bool nou = fu.len == 0 && cu >= 0;
            if ((st = bad_line(&c, ln, "expected a non-empty %s id in field %d, found ''",
                               nou ? "user" : "item", (nou ? cu : ci) + 1)))
                goto fail;
            goto gap;
        }
        double v = NAN;
        if (cr < 0) {
            /* no rating column (rating_optional): NaN */
        } else if (!als_parse_double(fr.s, fr.len, &v) || fabs(v) > FLT_MAX) {
            if ((st = bad_line(&c, ln, "expected a finite number as the rating in field %d, found '%s'",
                               cr + 1, excerpt(ex, sizeof ex, fr.s, fr.len))))
                goto fail;
            goto gap;
        }
        if (range && cr >= 0 && !(v >= lo && v <= hi)) {
            if ((st = bad_line(&c, ln, "expected a rating in [%g, %g], found '%s'", lo, hi,
                               excerpt(ex, sizeof ex, fr.s, fr.len))))
                goto fail;
            goto gap;
        }
        if (r->n == c.cap) {
            if (c.cap >= UINT32_MAX - 1) {
                st = als_diag_set(d, ALS_E_INPUT, path, ln, 0,
                                  "expected at most %u ratings, found more", UINT32_MAX - 1);
                goto fail;
            }
            size_t ncap = c.cap + c.cap / 2 + 16;
            if (ncap > UINT32_MAX - 1)
                ncap = UINT32_MAX - 1;
            if (!resize_arrays(r, &c.cap, ncap)) {
                st = als_diag_set(d, ALS_E_NOMEM, path, ln, 0, "out of memory for %zu ratings", ncap);
                goto fail;
            }
        }
        uint32_t u, it;
        if ((cu >= 0 ? (st = intern_id(&r->users, &c.ucache, fu.s, fu.len, &u))
                     : (st = als_idmap_intern(&r->users, "", 0, &u))) ||
            (st = intern_id(&r->items, &c.icache, fi.s, fi.len, &it))) {
            st = als_diag_set(d, ALS_E_NOMEM, path, ln, 0, "out of memory for ids");
            goto fail;
        }
        if (u < prev_u)
            grouped = false;
        prev_u = u;
        r->user[r->n] = u;
        r->item[r->n] = it;
        r->rating[r->n] = (float)v;
        r->n++;
        continue;
    gap:
        if ((st = note_gap(&c))) {
            st = als_diag_set(d, ALS_E_NOMEM, path, ln, 0, "out of memory");
            goto fail;
        }
    }
    if (r->n == 0) {
        if (r->n_bad_lines)
            st = als_diag_set(d, ALS_E_INPUT, path, r->first_bad_line, 0,
                              "expected at least one valid rating, found none (%zu bad lines skipped, "
                              "the first here)", r->n_bad_lines);
        else
            st = als_diag_set(d, ALS_E_INPUT, path, ln + 1, 0, "expected ratings%s, found end of file",
                              header ? " after the header" : "");
        goto fail;
    }
    {
        /* keep the first skipped line's message across dedup */
        als_diag first;
        if (r->n_bad_lines && d)
            first = *d;
        if ((st = dedup(&c, grouped)))
            goto fail;
        if (r->n_bad_lines && d)
            *d = first;
    }
    if (r->n < c.cap) /* give back the estimate's slack (keeping the arrays if that fails) */
        resize_arrays(r, &c.cap, r->n);
    goto done;
fail:
    als_ratings_free(r);
done:
    free(c.ucache.v);
    free(c.icache.v);
    free(c.gaps);
    free(c.sp.scratch);
    return st;
}

als_status als_ratings_load(als_ratings *r, const char *path, const als_load_opts *o, als_diag *d)
{
    als_ratings_init(r);
    /* messages as in als_read_file, which reads what cannot be mapped (pipes, empty files) */
    struct stat sb;
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return als_diag_set(d, ALS_E_INPUT, path, 0, 0, "cannot open file: %s", strerror(errno));
    if (fstat(fd, &sb) != 0) {
        int err = errno;
        close(fd);
        return als_diag_set(d, ALS_E_INPUT, path, 0, 0, "cannot stat file: %s", strerror(err));
    }
    if (S_ISDIR(sb.st_mode)) {
        close(fd);
        return als_diag_set(d, ALS_E_INPUT, path, 0, 0, "is a directory, expected a ratings file");
    }
    als_status st;
    if (S_ISREG(sb.st_mode) && sb.st_size > 0) {
        size_t len = (size_t)sb.st_size;
        void *map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
        if (map != MAP_FAILED) {
            close(fd);
            madvise(map, len, MADV_SEQUENTIAL);
            st = als_ratings_parse(r, map, len, path, o, d);
            munmap(map, len);
            return st;
        }
    }
    close(fd);
    char *buf;
    size_t len;
    if ((st = als_read_file(path, &buf, &len, d)))
        return st;
    st = als_ratings_parse(r, buf, len, path, o, d);
    free(buf);
    return st;
}

/* ==== movies ================================================================================= */

static const char *const uitem_genres[19] = {
    "unknown", "Action",  "Adventure", "Animation", "Children's", "Comedy",   "Crime",
    "Documentary", "Drama", "Fantasy", "Film-Noir", "Horror",   "Musical",    "Mystery",
    "Romance",  "Sci-Fi",  "Thriller",  "War",       "Western"};

void als_movies_init(als_movies *m)
{
    memset(m, 0, sizeof *m);
    als_idmap_init(&m->ids);
}

void als_movies_free(als_movies *m)
{
    for (size_t i = 0; i < m->n; i++) {
        free(m->title[i]);
        free(m->genres[i]);
    }
    free(m->title);
    free(m->genres);
    als_idmap_free(&m->ids);
    als_movies_init(m);
}

static bool valid_utf8(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned char ch = s[i];
        size_t k;
        if (ch < 0x80)
            k = 0;
        else if (ch >= 0xC2 && ch <= 0xDF)
            k = 1;
        else if (ch >= 0xE0 && ch <= 0xEF)
            k = 2;
        else if (ch >= 0xF0 && ch <= 0xF4)
            k = 3;
        else
            return false;
        if (k > n - i - 1)
            return false;
        for (size_t j = 1; j <= k; j++)
            if ((s[i + j] & 0xC0) != 0x80)
                return false;
        i += k + 1;
    }
    return true;
}

/* Copy of s as UTF-8: kept when it is valid UTF-8, else read as Latin-1 (MovieLens' older files). */
static char *dup_text(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    bool utf8 = valid_utf8(u, n);
    size_t extra = 0;
    if (!utf8)
        for (size_t i = 0; i < n; i++)
            extra += u[i] >= 0x80;
    char *out = malloc(n + extra + 1), *w = out;
    if (!out)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (utf8 || u[i] < 0x80) {
            *w++ = (char)u[i];
        } else {
            *w++ = (char)(0xC0 | (u[i] >> 6));
            *w++ = (char)(0x80 | (u[i] & 0x3F));
        }
    }
    *w = '\0';
    return out;
}

typedef enum { MOV_CSV, MOV_UITEM, MOV_DAT } movies_fmt;

static als_status movies_add(als_movies *m, span id, char *title, char *genres,
                             const char *path, long ln, long *first_line, als_diag *d)
{
    if (!title || !genres) {
        free(title);
        free(genres);
        return als_diag_set(d, ALS_E_NOMEM, path, ln, 0, "out of memory");
    }
    int64_t prev = als_idmap_find(&m->ids, id.s, id.len);
    if (prev >= 0) {
        char ex[256];
        free(title);
        free(genres);
        return als_diag_set(d, ALS_E_INPUT, path, ln, 0,
                            "expected each movie id once, found movie '%s' again (first at line %ld)",
                            excerpt(ex, sizeof ex, id.s, id.len), first_line[prev]);
    }
    uint32_t idx;
    if (als_idmap_intern(&m->ids, id.s, id.len, &idx)) {
        free(title);
        free(genres);
        return als_diag_set(d, ALS_E_NOMEM, path, ln, 0, "out of memory");
    }
    m->title[idx] = title;
    m->genres[idx] = genres;
    m->n = (size_t)idx + 1;
    return ALS_OK;
}

als_status als_movies_load(als_movies *m, const char *path, als_diag *d)
{
    als_movies_init(m);
    char *buf = NULL, ex[256];
    size_t len, cap = 0;
    long *first_line = NULL;
    splitter sp = {0};
    als_status st = als_read_file(path, &buf, &len, d);
    if (st)
        return st;
    const char *p = buf, *end = buf + len, *le, *next = p;
    long ln = 0;
    if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3;
    if (memchr(p, '\0', (size_t)(end - p))) {
        const char *z = memchr(p, '\0', (size_t)(end - p));
        long zl = 1;
        for (const char *q = p; q < z; q++)
            zl += *q == '\n';
        st = als_diag_set(d, ALS_E_INPUT, path, zl, 0, "expected a text movies file, found a NUL byte");
        goto fail;
    }
    /* first non-blank line decides the format */
    const char *first = NULL, *first_end = NULL;
    for (const char *q = p; q < end;) {
        const char *nq = line_end(q, end, &le);
        if (!blank_line(q, le)) {
            first = q;
            first_end = le > q && le[-1] == '\r' ? le - 1 : le;
            break;
        }
        q = nq;
    }
    if (!first) {
        st = als_diag_set(d, ALS_E_INPUT, path, 1, 0, "expected movies, found an empty file");
        goto fail;
    }
    size_t fl = (size_t)(first_end - first);
    if (fl > ALS_LINE_MAX)
        fl = ALS_LINE_MAX; /* the loop below reports the long line */
    size_t pipes = 0;
    for (const char *q = first; q < first_end; q++)
        pipes += *q == '|';
    movies_fmt fmt;
    if (has_double_colon(first, fl))
        fmt = MOV_DAT, sp.sep = ':';
    else if (pipes >= 20) /* u.item: 23 pipes; a movies.csv line has a few at most, in genres */
        fmt = MOV_UITEM, sp.sep = '|';
    else if (memchr(first, ',', fl))
        fmt = MOV_CSV, sp.sep = ',', sp.quotes = true;
    else if (pipes)
        fmt = MOV_UITEM, sp.sep = '|'; /* reported as a u.item line with too few fields */
    else {
        st = als_diag_set(d, ALS_E_INPUT, path, 1, 0,
                          "expected movies.csv, u.item or movies.dat lines, found '%s'",
                          excerpt(ex, sizeof ex, first, fl));
        goto fail;
    }
    const int want = fmt == MOV_UITEM ? 24 : 3;
    bool skip_header = false;
    if (fmt == MOV_CSV) {
        /* "movieId,title,genres": the second field names the title column */
        span f = {0};
        const char *fp = first;
        if (next_field(&sp, &fp, first_end, &f) == 0 && fp && next_field(&sp, &fp, first_end, &f) == 0)
            skip_header = span_eq_ci(f, "title");
    }
    cap = 1024;
    m->title = malloc(cap * sizeof *m->title);
    m->genres = malloc(cap * sizeof *m->genres);
    first_line = malloc(cap * sizeof *first_line);
    if (!m->title || !m->genres || !first_line)
        goto nomem;
    for (; p < end; p = next) {
        ln++;
        next = line_end(p, end, &le);
        const char *e = le > p && le[-1] == '\r' ? le - 1 : le;
        if ((size_t)(le - p) > ALS_LINE_MAX) { /* also bounds the unescaping scratch */
            st = als_diag_set(d, ALS_E_INPUT, path, ln, 0, "expected a line of at most %d bytes, found %zu bytes",
                              ALS_LINE_MAX, (size_t)(le - p));
            goto fail;
        }
        if (blank_line(p, e))
            continue;
        if (skip_header) {
            skip_header = false;
            continue;
        }
        span f[24];
        int k = 0, q = 0;
        sp.soff = 0;
        for (const char *fp = p; fp; k++) {
            span t;
            if ((q = next_field(&sp, &fp, e, &t)))
                break;
            if (k < 24)
                f[k] = t;
        }
        if (q == -3)
            goto nomem;
        if (q) {
            st = als_diag_set(d, ALS_E_INPUT, path, ln, 0, "expected %s, found '%s'", quote_err_msg(q),
                              excerpt(ex, sizeof ex, p, (size_t)(e - p)));
            goto fail;
        }
        if (k != want) {
            st = als_diag_set(d, ALS_E_INPUT, path, ln, 0,
                              "expected %d fields separated by %s, found %d in '%s'", want,
                              sep_name(sp.sep), k, excerpt(ex, sizeof ex, p, (size_t)(e - p)));
            goto fail;
        }
        if (f[0].len == 0) {
            st = als_diag_set(d, ALS_E_INPUT, path, ln, 0, "expected a non-empty movie id, found ''");
            goto fail;
        }
        if (m->n == cap) {
            cap *= 2;
            char **nt = realloc(m->title, cap * sizeof *nt);
            if (nt)
                m->title = nt;
            char **ng = realloc(m->genres, cap * sizeof *ng);
            if (ng)
                m->genres = ng;
            long *nl = realloc(first_line, cap * sizeof *nl);
            if (nl)
                first_line = nl;
            if (!nt || !ng || !nl)
                goto nomem;
        }
        char *genres;
        if (fmt == MOV_UITEM) {
            char g[256];
            size_t gl = 0;
            for (int j = 0; j < 19; j++) {
                span fg = f[5 + j];
                if (fg.len != 1 || (fg.s[0] != '0' && fg.s[0] != '1')) {
                    st = als_diag_set(d, ALS_E_INPUT, path, ln, 0,
                                      "expected genre flag 0 or 1 in field %d (%s), found '%s'", 6 + j,
                                      uitem_genres[j], excerpt(ex, sizeof ex, fg.s, fg.len));
                    goto fail;
                }
                if (fg.s[0] == '1')
                    gl += (size_t)snprintf(g + gl, sizeof g - gl, "%s%s", gl ? "|" : "", uitem_genres[j]);
            }
            genres = dup_text(g, gl);
        } else if (f[2].len == 18 && memcmp(f[2].s, "(no genres listed)", 18) == 0) {
            genres = dup_text("", 0);
        } else {
            genres = dup_text(f[2].s, f[2].len);
        }
        first_line[m->n] = ln;
        if ((st = movies_add(m, f[0], dup_text(f[1].s, f[1].len), genres, path, ln, first_line, d)))
            goto fail;
    }
    if (m->n == 0) {
        st = als_diag_set(d, ALS_E_INPUT, path, ln + 1, 0, "expected movies after the header, found end of file");
        goto fail;
    }
    goto done;
nomem:
    st = als_diag_set(d, ALS_E_NOMEM, path, ln, 0, "out of memory");
fail:
    als_movies_free(m);
done:
    free(first_line);
    free(sp.scratch);
    free(buf);
    return st;
}

const char *als_movies_title(const als_movies *m, const char *id)
{
    int64_t i = als_idmap_find(&m->ids, id, strlen(id));
    return i < 0 ? NULL : m->title[i];
}

const char *als_movies_genres(const als_movies *m, const char *id)
{
    int64_t i = als_idmap_find(&m->ids, id, strlen(id));
    return i < 0 ? NULL : m->genres[i];
}
