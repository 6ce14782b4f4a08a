/* als_util — files, SHA-256, .npy and counter-based random numbers. */
#define _POSIX_C_SOURCE 200809L
#include "als_util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

als_status als_afile_open(als_afile *a, const char *path, als_diag *d)
{
    memset(a, 0, sizeof *a);
    snprintf(a->path, sizeof a->path, "%s", path);
    snprintf(a->tmp, sizeof a->tmp, "%s.tmp.%ld", path, (long)getpid());
    a->f = fopen(a->tmp, "wb");
    if (!a->f)
        return als_diag_set(d, ALS_E_IO, path, 0, 0, "cannot create file: %s", strerror(errno));
    return ALS_OK;
}

als_status als_afile_open_at(als_afile *a, const char *dir, const char *name, als_diag *d)
{
    char path[sizeof a->path];
    als_path_join(path, sizeof path, dir, name);
    return als_afile_open(a, path, d);
}

als_status als_afile_finish(als_afile *a, als_diag *d)
{
    if (!a->f)
        return als_diag_set(d, ALS_E_IO, a->path, 0, 0, "file was not open");
    /* Every step is checked: a full disk shows up in fflush (or as the error flag of an earlier
     * buffered write), some file systems only report it at fsync or close. */
    int err = 0, earlier = errno; /* the reason of a buffered write that already failed */
    errno = 0;
    if (fflush(a->f) != 0)
        err = errno ? errno : EIO;
    else if (ferror(a->f))
        err = earlier ? earlier : EIO;
    else if (fsync(fileno(a->f)) != 0)
        err = errno;
    if (fclose(a->f) != 0 && !err)
        err = errno ? errno : EIO;
    a->f = NULL;
    if (err) {
        unlink(a->tmp);
        a->tmp[0] = '\0';
        return als_diag_set(d, ALS_E_IO, a->path, 0, 0, "write failed: %s", strerror(err));
    }
    return ALS_OK;
}

als_status als_afile_rename(als_afile *a, als_diag *d)
{
    if (!a->tmp[0])
        return als_diag_set(d, ALS_E_IO, a->path, 0, 0, "file was not written");
    if (rename(a->tmp, a->path) != 0) {
        int err = errno;
        unlink(a->tmp);
        a->tmp[0] = '\0';
        return als_diag_set(d, ALS_E_IO, a->path, 0, 0, "cannot rename temporary file: %s", strerror(err));
    }
    a->tmp[0] = '\0';
    return ALS_OK;
}

als_status als_afile_commit(als_afile *a, als_diag *d)
{
    als_status st = als_afile_finish(a, d);
    return st ? st : als_afile_rename(a, d);
}

void als_afile_abort(als_afile *a)
{
    if (a->f) {
        fclose(a->f);
        a->f = NULL;
    }
    if (a->tmp[0]) {
        unlink(a->tmp);
        a->tmp[0] = '\0';
    }
}

als_status als_read_file(const char *path, char **buf, size_t *len, als_diag *d)
{
    *buf = NULL;
    *len = 0;
    struct stat st;
    /* A missing, unreadable or wrong-kind input file is bad input (exit 2), not an I/O failure. */
    if (stat(path, &st) != 0)
        return als_diag_set(d, ALS_E_INPUT, path, 0, 0, "cannot open file: %s", strerror(errno));
    if (S_ISDIR(st.st_mode))
        return als_diag_set(d, ALS_E_INPUT, path, 0, 0, "is a directory, expected a file");
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return als_diag_set(d, ALS_E_INPUT, path, 0, 0, "cannot open file: %s", strerror(errno));
    size_t cap = S_ISREG(st.st_mode) ? (size_t)st.st_size : 65536, n = 0;
    char *b = malloc(cap + 1);
    if (!b) {
        close(fd);
        return als_diag_set(d, ALS_E_NOMEM, path, 0, 0, "out of memory reading %zu bytes", cap);
    }
    for (;;) {
        if (n == cap) {
            size_t ncap = cap * 2 + 65536;
            char *nb = realloc(b, ncap + 1);
            if (!nb) {
                free(b);
                close(fd);
                return als_diag_set(d, ALS_E_NOMEM, path, 0, 0, "out of memory");
            }
            b = nb;
            cap = ncap;
        }
        ssize_t got = read(fd, b + n, cap - n);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            int err = errno;
            free(b);
            close(fd);
            return als_diag_set(d, ALS_E_IO, path, 0, 0, "read error: %s", strerror(err));
        }
        if (got == 0)
            break;
        n += (size_t)got;
    }
    close(fd);
    b[n] = '\0';
    *buf = b;
    *len = n;
    return ALS_OK;
}

als_status als_mkdir_p(const char *path, als_diag *d)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s", path);
    size_t n = strlen(tmp);
    for (size_t i = 1; i <= n; i++) {
        if (tmp[i] == '/' || tmp[i] == '\0') {
            char c = tmp[i];
            tmp[i] = '\0';
            if (mkdir(tmp, 0777) != 0 && errno != EEXIST)
                return als_diag_set(d, ALS_E_IO, tmp, 0, 0, "cannot create directory: %s", strerror(errno));
            tmp[i] = c;
        }
    }
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
        return als_diag_set(d, ALS_E_IO, path, 0, 0, "not a directory");
    return ALS_OK;
}

bool als_file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

void als_path_join(char *out, size_t n, const char *dir, const char *rel)
{
    if (rel[0] == '/' || !dir || !dir[0] || strcmp(dir, ".") == 0)
        snprintf(out, n, "%s", rel);
    else
        snprintf(out, n, "%s/%s", dir, rel);
}

void als_path_dirname(char *out, size_t n, const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(out, n, ".");
    else if (slash == path)
        snprintf(out, n, "/");
    else
        snprintf(out, n, "%.*s", (int)(slash - path), path);
}

/* ---- SHA-256 (FIPS 180-4) ------------------------------------------------------------------ */
static const uint32_t K256[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void sha256_block(uint32_t h[8], const unsigned char *p)
{
    uint32_t w[64];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = h[0], b = h[1], c = h[2], dd = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
    for (int i = 0; i < 64; i++) {
        uint32_t S1 = ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25);
        uint32_t ch = (e & f) ^ (~e & g);
        uint32_t t1 = hh + S1 + ch + K256[i] + w[i];
        uint32_t S0 = ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22);
        uint32_t mj = (a & b) ^ (a & c) ^ (b & c);
        uint32_t t2 = S0 + mj;
        hh = g; g = f; f = e; e = dd + t1; dd = c; c = b; b = a; a = t1 + t2;
    }
    h[0] += a; h[1] += b; h[2] += c; h[3] += dd; h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
}

void als_sha256_init(als_sha256 *s)
{
    static const uint32_t h0[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    memcpy(s->h, h0, sizeof h0);
    s->len = 0;
    s->nbuf = 0;
}

void als_sha256_update(als_sha256 *s, const void *data, size_t n)
{
    const unsigned char *p = data;
    s->len += n;
    while (n > 0) {
        if (s->nbuf == 0 && n >= 64) {
            sha256_block(s->h, p);
            p += 64;
            n -= 64;
            continue;
        }
        size_t take = 64 - s->nbuf < n ? 64 - s->nbuf : n;
        memcpy(s->buf + s->nbuf, p, take);
        s->nbuf += take;
        p += take;
        n -= take;
        if (s->nbuf == 64) {
            sha256_block(s->h, s->buf);
            s->nbuf = 0;
        }
    }
}

void als_sha256_hex(als_sha256 *s, char out[65])
{
    uint64_t bits = s->len * 8;
    unsigned char pad = 0x80;
    als_sha256_update(s, &pad, 1);
    unsigned char zero = 0;
    while (s->nbuf != 56)
        als_sha256_update(s, &zero, 1);
    unsigned char lenb[8];
    for (int i = 0; i < 8; i++)
        lenb[i] = (unsigned char)(bits >> (56 - 8 * i));
    als_sha256_update(s, lenb, 8);
    for (int i = 0; i < 8; i++)
        snprintf(out + 8 * i, 9, "%08x", s->h[i]);
    out[64] = '\0';
}

als_status als_sha256_file(const char *path, char out[65], als_diag *d)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return als_diag_set(d, ALS_E_INPUT, path, 0, 0, "cannot open file: %s", strerror(errno));
    als_sha256 s;
    als_sha256_init(&s);
    unsigned char buf[1 << 16];
    size_t got;
    while ((got = fread(buf, 1, sizeof buf, f)) > 0)
        als_sha256_update(&s, buf, got);
    int bad = ferror(f);
    fclose(f);
    if (bad)
        return als_diag_set(d, ALS_E_IO, path, 0, 0, "read error");
    als_sha256_hex(&s, out);
    return ALS_OK;
}

/* ---- .npy ---------------------------------------------------------------------------------- */
als_status als_npy_write_f32(const char *path, const float *data, size_t rows, size_t cols, als_diag *d)
{
    char hdr[128];
    int n = snprintf(hdr, sizeof hdr, "{'descr': '<f4', 'fortran_order': False, 'shape': (%zu, %zu), }",
                     rows, cols);
    size_t total = 10 + (size_t)n + 1;
    size_t padded = (total + 63) / 64 * 64;
    als_afile a;
    als_status st = als_afile_open(&a, path, d);
    if (st)
        return st;
    unsigned char magic[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 0, 0};
    uint16_t hl = (uint16_t)(padded - 10);
    magic[8] = (unsigned char)(hl & 0xff);
    magic[9] = (unsigned char)(hl >> 8);
    fwrite(magic, 1, 10, a.f);
    fwrite(hdr, 1, (size_t)n, a.f);
    for (size_t i = 10 + (size_t)n; i < padded - 1; i++)
        fputc(' ', a.f);
    fputc('\n', a.f);
    if (rows > 0 && cols > 0)
        fwrite(data, sizeof(float), rows * cols, a.f); /* x86-64 and aarch64 are little-endian */
    return als_afile_commit(&a, d);
}

als_status als_npy_read_f32(const char *path, float **data, size_t *rows, size_t *cols, als_diag *d)
{
    *data = NULL;
    char *buf;
    size_t len;
    als_status st = als_read_file(path, &buf, &len, d);
    if (st)
        return st;
    if (len < 10 || memcmp(buf, "\x93NUMPY", 6) != 0) {
        free(buf);
        return als_diag_set(d, ALS_E_INPUT, path, 0, 0, "not a .npy file (bad magic)");
    }
    int major = (unsigned char)buf[6];
    size_t hl, off;
    if (major == 1) {
        hl = (unsigned char)buf[8] | (size_t)(unsigned char)buf[9] << 8;
        off = 10;
    } else if ((major == 2 || major == 3) && len >= 12) {
        hl = (unsigned char)buf[8] | (size_t)(unsigned char)buf[9] << 8 |
             (size_t)(unsigned char)buf[10] << 16 | (size_t)(unsigned char)buf[11] << 24;
        off = 12;
    } else {
        free(buf);
        return als_diag_set(d, ALS_E_INPUT, path, 0, 0, "unsupported .npy version %d", major);
    }
    if (off + hl > len) {
        free(buf);
        return als_diag_set(d, ALS_E_INPUT, path, 0, 0, "truncated .npy header");
    }
    char hdr[512];
    snprintf(hdr, sizeof hdr, "%.*s", (int)(hl < sizeof hdr - 1 ? hl : sizeof hdr - 1), buf + off);
    if (!strstr(hdr, "'descr': '<f4'")) {
        free(buf);
        return als_diag_set(d, ALS_E_INPUT, path, 0, 0, "expected dtype '<f4' (float32), header is %s", hdr);
    }
    if (strstr(hdr, "'fortran_order': True")) {
        free(buf);
        return als_diag_set(d, ALS_E_INPUT, path, 0, 0, "expected C order, found Fortran order");
    }
    const char *sh = strstr(hdr, "'shape': (");
    unsigned long long r = 0, c = 0;
    if (!sh || sscanf(sh + 10, "%llu, %llu)", &r, &c) != 2) {
        free(buf);
        return als_diag_set(d, ALS_E_INPUT, path, 0, 0, "expected a 2-D shape, header is %s", hdr);
    }
    size_t need = (size_t)r * (size_t)c * sizeof(float);
    size_t have = len - off - hl;
    if (have != need) {
        free(buf);
        return als_diag_set(d, ALS_E_INPUT, path, 0, 0,
                            "truncated or oversized data: shape (%llu, %llu) needs %zu bytes, file has %zu",
                            r, c, need, have);
    }
    float *out = malloc(need ? need : 1);
    if (!out) {
        free(buf);
        return als_diag_set(d, ALS_E_NOMEM, path, 0, 0, "out of memory");
    }
    memcpy(out, buf + off + hl, need);
    free(buf);
    *data = out;
    *rows = (size_t)r;
    *cols = (size_t)c;
    return ALS_OK;
}

/* ---- random numbers ------------------------------------------------------------------------- */
uint64_t als_mix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

static uint64_t rand_bits(uint64_t seed, uint64_t stream, uint64_t index)
{
    return als_mix64(als_mix64(als_mix64(seed) ^ stream) ^ index);
}

double als_rand_uniform(uint64_t seed, uint64_t stream, uint64_t index)
{
    return ((double)(rand_bits(seed, stream, index) >> 11) + 0.5) * (1.0 / 9007199254740992.0);
}

double als_rand_normal(uint64_t seed, uint64_t stream, uint64_t index)
{
    /* Box–Muller from two independent counter draws. */
    double u1 = als_rand_uniform(seed, stream, 2 * index);
    double u2 = als_rand_uniform(seed, stream, 2 * index + 1);
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

/* ---- number parsing ------------------------------------------------------------------------ */
bool als_str_to_double(const char *s, double *out)
{
    if (!s || !*s || isspace((unsigned char)*s))
        return false;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end != '\0')
        return false;
    if (errno == ERANGE && isinf(v))
        return false; /* overflow ("1e400"); underflow to a subnormal or 0 is kept, as strtod gives it */
    *out = v;
    return true;
}

bool als_str_to_long(const char *s, long lo, long hi, long *out)
{
    if (!s || !*s || isspace((unsigned char)*s))
        return false;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end != '\0' || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

char *als_str_next_line(char **p)
{
    char *line = *p;
    if (!*line)
        return NULL;
    char *nl = strchr(line, '\n');
    if (nl)
        *nl = '\0';
    *p = nl ? nl + 1 : line + strlen(line);
    size_t n = strlen(line);
    if (n && line[n - 1] == '\r')
        line[n - 1] = '\0';
    return line;
}

char *als_str_trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = '\0';
    return s;
}

bool als_str_to_u64(const char *s, uint64_t *out)
{
    if (!s || !isdigit((unsigned char)*s))
        return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end != '\0')
        return false;
    *out = (uint64_t)v;
    return true;
}

/* ---- JSON ----------------------------------------------------------------------------------- */
void als_json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': fputs("\\\"", f); break;
        case '\\': fputs("\\\\", f); break;
        case '\n': fputs("\\n", f); break;
        case '\r': fputs("\\r", f); break;
        case '\t': fputs("\\t", f); break;
        default:
            if (*p < 0x20)
                fprintf(f, "\\u%04x", *p);
            else
                fputc(*p, f);
        }
    }
    fputc('"', f);
}

void als_csv_field(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

char *als_fmt_double(char out[32], double v)
{
    if (isnan(v)) {
        snprintf(out, 32, "nan");
        return out;
    }
    if (isinf(v)) {
        snprintf(out, 32, v > 0 ? "inf" : "-inf");
        return out;
    }
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(out, 32, "%.*g", prec, v);
        if (strtod(out, NULL) == v)
            break;
    }
    return out;
}

double als_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}
