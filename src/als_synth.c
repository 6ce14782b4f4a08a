/* als_synth — deterministic MovieLens-like synthetic ratings (docs/synthetic.md).
 *
 * The generative model, in the order it is drawn:
 *   1. item popularity: the item at popularity rank q (a seeded permutation) has weight
 *      exp(-(q/s)^β)·(1 - q/(I+1))^γ — a stretched exponential with a finite-catalogue cut-off,
 *      fitted to ml-100k's rank/count curve;
 *   2. user activity: n_u = min_per_user + a share of the remaining ratings proportional to a
 *      Weibull draw (shape < 1: many light users, a long tail of heavy ones), rounded by
 *      cumulative rounding so that Σ n_u is exact;
 *   3. which items a user rates: n_u distinct items drawn by popularity (explicit) or from a
 *      planted topic mixture P_u(i) = (1-ε) Σ_c θ_uc φ_c(i) + ε p(i) (implicit: a rank-`rank`
 *      non-negative affinity), by rejection of repeats (a per-thread bitmap), falling back to
 *      weighted sampling without replacement by exponential keys for the few heavy users;
 *   4. the value: explicit  round(clip(μ + b_u + b_i + x_u·y_i + σ z, 1, 5)) from a planted
 *      rank-`rank` model; implicit  max(1, ⌊√lift_ui / √U⌋), U uniform — a Pareto(2) play count
 *      scaled by the user's affinity for the item;
 *   5. a coverage pass gives every item at least one rating (when ratings ≥ items), as in the
 *      MovieLens files, by moving ratings off the most popular items.
 * Every draw is a counter-based function of (seed, purpose, user, item or position), so the
 * output is identical whatever the thread count.  Normal deviates are Irwin–Hall sums of eight
 * 16-bit uniforms (rescaled), which use integer arithmetic only; libm enters only through the
 * per-user/per-item setup (exp, pow, log), never through per-rating values. */
#define _POSIX_C_SOURCE 200809L
#include "als_synth.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "als_util.h"

#define GOLDEN 0x9e3779b97f4a7c15ULL

/* purposes (streams) of the random draws */
enum {
    K_PERM = 1, K_ACT, K_BU, K_BI, K_X, K_Y, K_NOISE, K_SEL, K_KEYS, K_COVER, K_THETA, K_TOPIC,
    K_TOPIC2, K_COUNT, K_GENRE, K_YEAR
};

/* ---- model constants (calibrated in docs/synthetic.md) ---------------------------------- */
#define SYN_MU 3.66          /* global offset before clipping and rounding */
#define SYN_SD_USER 0.5      /* user bias sd */
#define SYN_SD_ITEM 0.5      /* item bias sd (independent part) */
#define SYN_POP_BIAS 0.3     /* item bias per sd of log-popularity: popular films rate higher */
#define SYN_SD_DOT 0.6       /* sd of x_u·y_i */
#define SYN_EPS 0.2          /* implicit: share of plays drawn by popularity alone */
#define SYN_THETA_GAIN 1.6   /* implicit: user topic preference = softmax(gain · z) */
#define SYN_MAX_COUNT 100000 /* implicit: play counts are capped here */

typedef struct {
    const char *name;
    uint32_t users, items;
    uint64_t ratings;
    bool implicit;
    uint32_t min_per_user;
    double noise;
    double pop_scale;  /* s as a fraction of the number of items */
    double pop_beta;   /* stretch exponent β */
    double pop_gamma;  /* finite-catalogue factor (1 - q/(I+1))^γ: the newest films' short tail */
    double act_shape;  /* Weibull shape k of the activity beyond the minimum */
    int year_max;      /* newest film year in titles */
} preset_def;

static const preset_def PRESETS[] = {
    {"ml-100k", 943, 1682, 100000, false, 20, 0.82, 0.02, 0.42, 0.8, 0.72, 1998},
    {"ml-1m", 6040, 3706, 1000209, false, 20, 0.82, 0.02, 0.42, 0.8, 0.75, 2000},
    {"ml-25m", 162541, 59047, 25000095, false, 20, 0.82, 0.00093, 0.35, 0.5, 0.62, 2019},
    {"msd", 20000, 10000, 1000000, true, 10, 0.0, 0.01, 0.4, 0.5, 0.7, 2011},
};
#define NPRESETS (sizeof PRESETS / sizeof PRESETS[0])

static const preset_def *find_preset(const char *name)
{
    if (!name || !*name)
        return &PRESETS[0];
    for (size_t i = 0; i < NPRESETS; i++)
        if (strcmp(PRESETS[i].name, name) == 0)
            return &PRESETS[i];
    return NULL;
}

bool als_synth_preset(als_synth_opts *o, const char *preset, uint64_t seed)
{
    const preset_def *p = find_preset(preset);
    if (!p)
        return false;
    memset(o, 0, sizeof *o);
    o->preset = p->name;
    o->users = p->users;
    o->items = p->items;
    o->ratings = p->ratings;
    o->rank = 10;
    o->noise = p->noise;
    o->implicit = p->implicit;
    o->min_per_user = p->min_per_user;
    o->seed = seed;
    return true;
}

als_status als_synth_check(const als_synth_opts *o, als_diag *d)
{
    if (o->preset && o->preset[0] && !find_preset(o->preset))
        return als_diag_set(d, ALS_E_INPUT, NULL, 0, 0,
                            "unknown synthetic preset '%s' (expected ml-100k, ml-1m, ml-25m or msd)", o->preset);
    if (o->users < 1 || o->users > UINT32_MAX - 2)
        return als_diag_set(d, ALS_E_INPUT, NULL, 0, 0, "users must be in [1, %u], got %u", UINT32_MAX - 2, o->users);
    if (o->items < 1 || o->items > UINT32_MAX - 2)
        return als_diag_set(d, ALS_E_INPUT, NULL, 0, 0, "items must be in [1, %u], got %u", UINT32_MAX - 2, o->items);
    if (o->ratings < 1)
        return als_diag_set(d, ALS_E_INPUT, NULL, 0, 0, "ratings must be at least 1, got 0");
    if (o->ratings > (uint64_t)o->users * o->items)
        return als_diag_set(d, ALS_E_INPUT, NULL, 0, 0,
                            "ratings (%llu) must not exceed users × items (%u × %u): pairs are distinct",
                            (unsigned long long)o->ratings, o->users, o->items);
    if (o->ratings > ((uint64_t)1 << 40))
        return als_diag_set(d, ALS_E_INPUT, NULL, 0, 0, "ratings must be at most 2^40, got %llu",
                            (unsigned long long)o->ratings);
    if (o->min_per_user > o->items)
        return als_diag_set(d, ALS_E_INPUT, NULL, 0, 0, "min_per_user (%u) must not exceed items (%u)",
                            o->min_per_user, o->items);
    if ((uint64_t)o->min_per_user * o->users > o->ratings)
        return als_diag_set(d, ALS_E_INPUT, NULL, 0, 0,
                            "min_per_user × users (%u × %u) exceeds ratings (%llu)", o->min_per_user,
                            o->users, (unsigned long long)o->ratings);
    if (o->rank < 1 || o->rank > 1000)
        return als_diag_set(d, ALS_E_INPUT, NULL, 0, 0, "rank must be in [1, 1000], got %d", o->rank);
    if (!(o->noise >= 0.0 && o->noise <= 100.0))
        return als_diag_set(d, ALS_E_INPUT, NULL, 0, 0, "noise must be in [0, 100], got %g", o->noise);
    return ALS_OK;
}

/* ---- random draws ----------------------------------------------------------------------- */

static inline uint64_t mix(uint64_t x)
{
    x += GOLDEN;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

static inline uint64_t key3(uint64_t seed, uint64_t purpose, uint64_t a, uint64_t b)
{
    return mix(mix(mix(seed ^ mix(purpose)) ^ a) ^ b);
}

static inline double u01(uint64_t bits) { return ((double)(bits >> 11) + 0.5) * 0x1p-53; }

/* Approximately standard normal: Irwin–Hall sum of eight 16-bit uniforms, centred and scaled to
 * unit variance (tails end at ±4.9; kurtosis -0.15).  Integer arithmetic only, so identical on
 * every machine. */
static inline double normal_bits(uint64_t w1, uint64_t w2)
{
    uint64_t s = 0;
    for (int j = 0; j < 4; j++) {
        s += (w1 >> (16 * j)) & 0xffff;
        s += (w2 >> (16 * j)) & 0xffff;
    }
    /* Σ (c_j + ½)/65536 − 4, times √(12/8) */
    return (((double)s + 4.0) * (1.0 / 65536.0) - 4.0) * 1.2247448713915890491;
}

static inline double normal3(uint64_t seed, uint64_t purpose, uint64_t a, uint64_t b)
{
    uint64_t w1 = key3(seed, purpose, a, b);
    return normal_bits(w1, mix(w1 ^ 0x5851f42d4c957f2dULL));
}

static inline uint64_t mulhi(uint64_t a, uint64_t b) { return (uint64_t)(((unsigned __int128)a * b) >> 64); }

/* ---- alias tables (Vose) ---------------------------------------------------------------- */

typedef struct {
    uint32_t n;
    double *prob;
    uint32_t *alias;
    uint32_t *item; /* slot → item id; NULL = identity */
} alias_table;

static void alias_free(alias_table *a)
{
    free(a->prob);
    free(a->alias);
    free(a->item);
    memset(a, 0, sizeof *a);
}

/* w[0..n) ≥ 0 with a positive sum; item may be NULL (identity) and is then owned by the table
 * only when passed in (ownership transfers). */
static bool alias_build(alias_table *a, const double *w, uint32_t n, uint32_t *item)
{
    memset(a, 0, sizeof *a);
    a->n = n;
    a->item = item;
    a->prob = malloc((size_t)n * sizeof *a->prob);
    a->alias = malloc((size_t)n * sizeof *a->alias);
    uint32_t *stack = malloc((size_t)n * sizeof *stack);
    if (!a->prob || !a->alias || !stack) {
        free(stack);
        alias_free(a);
        return false;
    }
    double sum = 0.0;
    for (uint32_t i = 0; i < n; i++)
        sum += w[i];
    /* one array holds both work lists: "small" (prob < 1) grows up from 0, "large" down from n */
    uint32_t ns = 0, nl = n;
    for (uint32_t i = 0; i < n; i++) {
        a->prob[i] = w[i] * (double)n / sum;
        a->alias[i] = i;
        if (a->prob[i] < 1.0)
            stack[ns++] = i;
        else
            stack[--nl] = i;
    }
    while (ns > 0 && nl < n) {
        uint32_t sm = stack[--ns], lg = stack[nl++];
        a->alias[sm] = lg;
        a->prob[lg] = (a->prob[lg] + a->prob[sm]) - 1.0;
        if (a->prob[lg] < 1.0)
            stack[ns++] = lg;
        else
            stack[--nl] = lg;
    }
    /* what is left is full columns up to rounding */
    while (ns > 0)
        a->prob[stack[--ns]] = 1.0;
    while (nl < n)
        a->prob[stack[nl++]] = 1.0;
    free(stack);
    return true;
}

static inline uint32_t alias_draw(const alias_table *a, uint64_t bits)
{
    unsigned __int128 p = (unsigned __int128)bits * a->n;
    uint32_t slot = (uint32_t)(p >> 64);
    double frac = (double)((uint64_t)p >> 11) * 0x1p-53;
    uint32_t s = frac < a->prob[slot] ? slot : a->alias[slot];
    return a->item ? a->item[s] : s;
}

/* ---- the model -------------------------------------------------------------------------- */

#define MAX_MEMB 3 /* implicit: topics per item */

typedef struct {
    uint64_t seed;
    uint32_t U, I;
    int K;
    bool implicit;
    double noise;
    const preset_def *shape;
    double *pop;          /* I: popularity weight */
    alias_table global;   /* by popularity */
    /* explicit */
    double *X, *Y;        /* U×K, I×K */
    double *bu, *bi;
    /* implicit */
    double *theta;        /* U×K topic preferences (rows sum to 1) */
    uint8_t *nmemb;       /* I: topics of the item */
    uint32_t *memb_topic; /* I×MAX_MEMB */
    double *memb_w;       /* I×MAX_MEMB: membership weights (sum 1) */
    double *topic_mass;   /* K: Σ_i pop_i·m_ic / Σ_i pop_i  (so φ_c(i) = pop_i·m_ic/(Z·mass_c)) */
    alias_table *topic;   /* K tables */
} model;

static void model_free(model *m)
{
    free(m->pop);
    alias_free(&m->global);
    free(m->X);
    free(m->Y);
    free(m->bu);
    free(m->bi);
    free(m->theta);
    free(m->nmemb);
    free(m->memb_topic);
    free(m->memb_w);
    free(m->topic_mass);
    if (m->topic)
        for (int c = 0; c < m->K; c++)
            alias_free(&m->topic[c]);
    free(m->topic);
    memset(m, 0, sizeof *m);
}

static inline double dot(const double *a, const double *b, int k)
{
    double s = 0.0;
    for (int j = 0; j < k; j++)
        s += a[j] * b[j];
    return s;
}

/* lift of item i for user u: P_u(i)/p(i) = (1-ε) Σ_c θ_uc m_ic / mass_c + ε */
static inline double lift(const model *m, uint32_t u, uint32_t i)
{
    double s = 0.0;
    const double *th = m->theta + (size_t)u * (size_t)m->K;
    for (int t = 0; t < m->nmemb[i]; t++) {
        uint32_t c = m->memb_topic[(size_t)i * MAX_MEMB + (size_t)t];
        s += th[c] * m->memb_w[(size_t)i * MAX_MEMB + (size_t)t] / m->topic_mass[c];
    }
    return (1.0 - SYN_EPS) * s + SYN_EPS;
}

/* Per-user prefix of the pair draws: key3(seed, purpose, u, i) == mix(user_key(...) ^ i). */
static inline uint64_t user_key(const model *m, uint64_t purpose, uint32_t u)
{
    return mix(mix(m->seed ^ mix(purpose)) ^ u);
}

/* The value of the pair (u, i): a pure function of the pair, so any pass may recompute it.
 * ukey = user_key(m, K_COUNT or K_NOISE, u). */
static float pair_value(const model *m, uint32_t u, uint32_t i, uint64_t ukey)
{
    uint64_t w1 = mix(ukey ^ i);
    if (m->implicit) {
        double p = 1.0 / sqrt(u01(w1)); /* Pareto(2) on [1, ∞) */
        double c = floor(sqrt(lift(m, u, i)) * p);
        if (c < 1.0)
            c = 1.0;
        if (c > SYN_MAX_COUNT)
            c = SYN_MAX_COUNT;
        return (float)c;
    }
    double v = SYN_MU + m->bu[u] + m->bi[i] +
               dot(m->X + (size_t)u * (size_t)m->K, m->Y + (size_t)i * (size_t)m->K, m->K);
    if (m->noise > 0.0)
        v += m->noise * normal_bits(w1, mix(w1 ^ 0x5851f42d4c957f2dULL));
    if (v < 1.0)
        v = 1.0;
    if (v > 5.0)
        v = 5.0;
    return (float)floor(v + 0.5);
}

static inline uint64_t value_key(const model *m, uint32_t u)
{
    return user_key(m, m->implicit ? K_COUNT : K_NOISE, u);
}

static als_status model_build(model *m, const als_synth_opts *o, als_diag *d)
{
    memset(m, 0, sizeof *m);
    m->seed = o->seed;
    m->U = o->users;
    m->I = o->items;
    m->K = o->rank;
    m->implicit = o->implicit;
    m->noise = o->noise;
    m->shape = find_preset(o->preset);
    const uint32_t U = m->U, I = m->I;
    const size_t K = (size_t)m->K;

    /* 1. popularity: a seeded permutation assigns popularity ranks to items */
    uint32_t *perm = malloc((size_t)I * sizeof *perm);
    m->pop = malloc((size_t)I * sizeof *m->pop);
    if (!perm || !m->pop) {
        free(perm);
        goto nomem;
    }
    for (uint32_t i = 0; i < I; i++)
        perm[i] = i;
    for (uint32_t i = I; i > 1; i--) {
        uint32_t j = (uint32_t)mulhi(key3(m->seed, K_PERM, 0, i), i);
        uint32_t t = perm[i - 1];
        perm[i - 1] = perm[j];
        perm[j] = t;
    }
    double s = m->shape->pop_scale * (double)I, beta = m->shape->pop_beta, gam = m->shape->pop_gamma;
    if (s < 1.0)
        s = 1.0;
    for (uint32_t q = 0; q < I; q++)
        m->pop[perm[q]] = exp(-pow(((double)q + 1.0) / s, beta)) * pow(1.0 - (double)q / ((double)I + 1.0), gam);
    free(perm);
    if (!alias_build(&m->global, m->pop, I, NULL))
        goto nomem;

    if (!m->implicit) {
        /* 4. the planted explicit model; item bias leans on popularity */
        m->X = malloc((size_t)U * K * sizeof *m->X);
        m->Y = malloc((size_t)I * K * sizeof *m->Y);
        m->bu = malloc((size_t)U * sizeof *m->bu);
        m->bi = malloc((size_t)I * sizeof *m->bi);
        if (!m->X || !m->Y || !m->bu || !m->bi)
            goto nomem;
        /* x, y ~ N(0, f²) per component with K f⁴ = SD_DOT², so Var(x·y) = SD_DOT² */
        double f = sqrt(SYN_SD_DOT / sqrt((double)K));
        for (uint32_t u = 0; u < U; u++) {
            m->bu[u] = SYN_SD_USER * normal3(m->seed, K_BU, u, 0);
            for (size_t k = 0; k < K; k++)
                m->X[u * K + k] = f * normal3(m->seed, K_X, u, k);
        }
        /* log-popularity standardised by its spread over items, centred on its mean over
         * *ratings* (popularity-weighted): the bias is then 0 on average per rating whatever
         * the shape of the popularity curve, so μ sets the mean rating of every preset */
        double lsum = 0.0, lsq = 0.0, wsum = 0.0, wl = 0.0;
        for (uint32_t i = 0; i < I; i++) {
            double l = log(m->pop[i]);
            lsum += l;
            lsq += l * l;
            wsum += m->pop[i];
            wl += m->pop[i] * l;
        }
        double lmean = lsum / I, lsd = sqrt(fmax(lsq / I - lmean * lmean, 1e-12)), lcentre = wl / wsum;
        for (uint32_t i = 0; i < I; i++) {
            m->bi[i] = SYN_POP_BIAS * (log(m->pop[i]) - lcentre) / lsd + SYN_SD_ITEM * normal3(m->seed, K_BI, i, 0);
            for (size_t k = 0; k < K; k++)
                m->Y[i * K + k] = f * normal3(m->seed, K_Y, i, k);
        }
        return ALS_OK;
    }

    /* implicit: topics.  θ_u = softmax(gain · z_u); each item belongs to 1–3 topics. */
    m->theta = malloc((size_t)U * K * sizeof *m->theta);
    m->nmemb = malloc((size_t)I);
    m->memb_topic = malloc((size_t)I * MAX_MEMB * sizeof *m->memb_topic);
    m->memb_w = malloc((size_t)I * MAX_MEMB * sizeof *m->memb_w);
    m->topic_mass = calloc(K, sizeof *m->topic_mass);
    m->topic = calloc(K, sizeof *m->topic);
    if (!m->theta || !m->nmemb || !m->memb_topic || !m->memb_w || !m->topic_mass || !m->topic)
        goto nomem;
    for (uint32_t u = 0; u < U; u++) {
        double *th = m->theta + (size_t)u * K, mx = -1e300, sum = 0.0;
        for (size_t c = 0; c < K; c++) {
            th[c] = SYN_THETA_GAIN * normal3(m->seed, K_THETA, u, c);
            mx = fmax(mx, th[c]);
        }
        for (size_t c = 0; c < K; c++)
            sum += th[c] = exp(th[c] - mx);
        for (size_t c = 0; c < K; c++)
            th[c] /= sum;
    }
    double Z = 0.0;
    size_t *cnt = calloc(K, sizeof *cnt);
    if (!cnt)
        goto nomem;
    for (uint32_t i = 0; i < I; i++) {
        uint64_t h = key3(m->seed, K_TOPIC, i, 0);
        uint32_t c0 = (uint32_t)mulhi(h, K);
        int nm = 1;
        m->memb_topic[(size_t)i * MAX_MEMB] = c0;
        m->memb_w[(size_t)i * MAX_MEMB] = 1.0;
        double r2 = u01(key3(m->seed, K_TOPIC2, i, 0));
        if (K > 1 && r2 < 0.35) { /* a second topic for about a third of the items */
            uint32_t c1 = (c0 + 1 + (uint32_t)mulhi(key3(m->seed, K_TOPIC2, i, 1), K - 1)) % (uint32_t)K;
            m->memb_topic[(size_t)i * MAX_MEMB + 1] = c1;
            m->memb_w[(size_t)i * MAX_MEMB] = 0.7;
            m->memb_w[(size_t)i * MAX_MEMB + 1] = 0.3;
            nm = 2;
        }
        m->nmemb[i] = (uint8_t)nm;
        Z += m->pop[i];
        for (int t = 0; t < nm; t++)
            cnt[m->memb_topic[(size_t)i * MAX_MEMB + (size_t)t]]++;
    }
    for (size_t c = 0; c < K; c++) {
        uint32_t nc = (uint32_t)cnt[c];
        if (nc == 0) { /* an empty topic: fall back to the global table */
            m->topic_mass[c] = 1.0;
            continue;
        }
        uint32_t *items = malloc((size_t)nc * sizeof *items);
        double *w = malloc((size_t)nc * sizeof *w);
        if (!items || !w) {
            free(items);
            free(w);
            free(cnt);
            goto nomem;
        }
        uint32_t j = 0;
        double mass = 0.0;
        for (uint32_t i = 0; i < I; i++)
            for (int t = 0; t < m->nmemb[i]; t++)
                if (m->memb_topic[(size_t)i * MAX_MEMB + (size_t)t] == c) {
                    items[j] = i;
                    w[j] = m->pop[i] * m->memb_w[(size_t)i * MAX_MEMB + (size_t)t];
                    mass += w[j];
                    j++;
                }
        m->topic_mass[c] = mass / Z;
        bool ok = alias_build(&m->topic[c], w, nc, items);
        free(w);
        if (!ok) {
            free(items);
            free(cnt);
            goto nomem;
        }
    }
    free(cnt);
    return ALS_OK;

nomem:
    model_free(m);
    return als_diag_set(d, ALS_E_NOMEM, NULL, 0, 0, "out of memory building the synthetic model");
}

/* ---- per-user selection ----------------------------------------------------------------- */

typedef struct {
    uint64_t *bits;   /* I bits, all clear between users */
    double *keys;     /* I, heavy-user fallback */
    uint32_t *cand;   /* I */
    double *cdf;      /* K, implicit topic CDF of the user */
} workspace;

static void ws_free(workspace *w)
{
    free(w->bits);
    free(w->keys);
    free(w->cand);
    free(w->cdf);
}

static bool ws_alloc(workspace *w, const model *m)
{
    w->bits = calloc(((size_t)m->I + 63) / 64, sizeof *w->bits);
    w->keys = malloc((size_t)m->I * sizeof *w->keys);
    w->cand = malloc((size_t)m->I * sizeof *w->cand);
    w->cdf = malloc((size_t)m->K * sizeof *w->cdf);
    if (!w->bits || !w->keys || !w->cand || !w->cdf) {
        ws_free(w);
        memset(w, 0, sizeof *w);
        return false;
    }
    return true;
}

static inline bool bit_test_set(uint64_t *b, uint32_t i)
{
    uint64_t mask = (uint64_t)1 << (i & 63);
    bool was = (b[i >> 6] & mask) != 0;
    b[i >> 6] |= mask;
    return was;
}

/* Selection weight of item i for user u (fallback path), proportional to P_u(i). */
static inline double sel_weight(const model *m, uint32_t u, uint32_t i)
{
    return m->implicit ? m->pop[i] * lift(m, u, i) : m->pop[i];
}

/* Move the n largest keys[0..len) (with their cand entries) to the front: quickselect with a
 * deterministic middle pivot. */
static void select_top(double *keys, uint32_t *cand, size_t len, size_t n)
{
    size_t lo = 0, hi = len; /* the boundary n lies in [lo, hi) */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        double pivot = keys[mid];
        /* three-way partition of [lo, hi): > pivot | == pivot | < pivot */
        size_t lt = lo, i = lo, gt = hi;
        while (i < gt) {
            if (keys[i] > pivot) {
                double tk = keys[i]; keys[i] = keys[lt]; keys[lt] = tk;
                uint32_t tc = cand[i]; cand[i] = cand[lt]; cand[lt] = tc;
                lt++;
                i++;
            } else if (keys[i] < pivot) {
                gt--;
                double tk = keys[i]; keys[i] = keys[gt]; keys[gt] = tk;
                uint32_t tc = cand[i]; cand[i] = cand[gt]; cand[gt] = tc;
            } else {
                i++;
            }
        }
        if (n < lt)
            hi = lt;
        else if (n >= gt)
            lo = gt;
        else
            return; /* the boundary falls among equal keys */
    }
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* Choose user u's n distinct items into out[0..n), ascending. */
static void select_items(const model *m, uint32_t u, uint32_t n, uint32_t *out, workspace *w)
{
    const uint32_t I = m->I;
    uint32_t got = 0;
    bool fallback = (uint64_t)n * 3 > I;
    if (!fallback) {
        if (m->implicit) {
            const double *th = m->theta + (size_t)u * (size_t)m->K;
            double acc = 0.0;
            for (int c = 0; c < m->K; c++)
                w->cdf[c] = acc += th[c];
        }
        uint64_t ctr = key3(m->seed, K_SEL, u, 0);
        uint64_t tries = 0, max_tries = 8 * (uint64_t)n + 256;
        while (got < n) {
            if (tries++ == max_tries) {
                fallback = true;
                for (uint32_t t = 0; t < got; t++)
                    w->bits[out[t] >> 6] = 0;
                got = 0;
                break;
            }
            uint64_t b = mix(ctr += GOLDEN);
            uint32_t i;
            if (!m->implicit) {
                i = alias_draw(&m->global, b);
            } else {
                uint64_t b2 = mix(ctr += GOLDEN);
                double r = u01(b2);
                if (r < SYN_EPS) {
                    i = alias_draw(&m->global, b);
                } else {
                    double x = (r - SYN_EPS) / (1.0 - SYN_EPS) * w->cdf[m->K - 1];
                    int c = 0;
                    while (c < m->K - 1 && w->cdf[c] <= x)
                        c++;
                    i = m->topic[c].n ? alias_draw(&m->topic[c], b) : alias_draw(&m->global, b);
                }
            }
            if (!bit_test_set(w->bits, i))
                out[got++] = i;
        }
    }
    if (fallback) {
        /* weighted sampling without replacement (Efraimidis–Spirakis): the n largest
         * log(U_i)/w_i.  O(I) per user, used only for heavy users. */
        size_t len = 0;
        uint64_t uk = user_key(m, K_KEYS, u);
        for (uint32_t i = 0; i < I; i++) {
            double wt = sel_weight(m, u, i);
            if (!(wt > 0.0))
                continue;
            w->keys[len] = log(u01(mix(uk ^ i))) / wt;
            w->cand[len++] = i;
        }
        if (len < n) { /* cannot happen with positive weights; be safe: add the rest */
            for (uint32_t i = 0; i < I && len < I; i++)
                if (!(sel_weight(m, u, i) > 0.0)) {
                    w->keys[len] = -1e308;
                    w->cand[len++] = i;
                }
        }
        select_top(w->keys, w->cand, len, n);
        for (uint32_t t = 0; t < n; t++) {
            out[t] = w->cand[t];
            bit_test_set(w->bits, out[t]);
        }
    }
    /* ascending order: scan the bitmap when it is cheaper than sorting, and clear it */
    size_t words = ((size_t)I + 63) / 64;
    if ((size_t)n * 8 >= words) {
        uint32_t t = 0;
        for (size_t wd = 0; wd < words; wd++) {
            uint64_t x = w->bits[wd];
            while (x) {
                out[t++] = (uint32_t)(wd * 64 + (size_t)__builtin_ctzll(x));
                x &= x - 1;
            }
            w->bits[wd] = 0;
        }
    } else {
        qsort(out, n, sizeof *out, cmp_u32);
        for (uint32_t t = 0; t < n; t++)
            w->bits[out[t] >> 6] = 0;
    }
}

/* ---- activity ----------------------------------------------------------------------------- */

/* n_u = min + extra_u, Σ extra_u = R - min·U exactly, extra_u ≤ I - min. */
static als_status plan_activity(const model *m, const als_synth_opts *o, uint64_t *nu, als_diag *d)
{
    const uint32_t U = m->U;
    const uint64_t mn = o->min_per_user, cap = (uint64_t)m->I - mn;
    uint64_t E = o->ratings - mn * U;
    double *a = malloc((size_t)U * sizeof *a);
    unsigned char *capped = calloc(U, 1);
    if (!a || !capped) {
        free(a);
        free(capped);
        return als_diag_set(d, ALS_E_NOMEM, NULL, 0, 0, "out of memory planning user activity");
    }
    for (uint32_t u = 0; u < U; u++)
        a[u] = pow(-log(u01(key3(m->seed, K_ACT, u, 0))), 1.0 / m->shape->act_shape); /* Weibull */
    /* cap users whose ideal share exceeds the number of items, and redistribute */
    uint64_t left = E;
    for (;;) {
        double sum = 0.0;
        for (uint32_t u = 0; u < U; u++)
            if (!capped[u])
                sum += a[u];
        bool changed = false;
        for (uint32_t u = 0; u < U; u++)
            if (!capped[u] && sum > 0.0 && (double)left * a[u] / sum > (double)cap) {
                capped[u] = 1;
                nu[u] = cap;
                left -= cap;
                changed = true;
            }
        if (!changed) {
            /* cumulative rounding: each share within one of its ideal value, exact total */
            double acc = 0.0;
            uint64_t given = 0;
            for (uint32_t u = 0; u < U; u++) {
                if (capped[u])
                    continue;
                acc += sum > 0.0 ? (double)left * a[u] / sum : 0.0;
                uint64_t upto = (uint64_t)floor(acc + 0.5);
                if (upto > left)
                    upto = left;
                nu[u] = upto >= given ? upto - given : 0;
                if (nu[u] > cap)
                    nu[u] = cap;
                given += nu[u];
            }
            /* floating-point drift: settle the last few ratings deterministically */
            for (uint32_t u = 0; given < left; u = (u + 1) % U)
                if (nu[u] < cap) {
                    nu[u]++;
                    given++;
                }
            for (uint32_t u = 0; given > left; u = (u + 1) % U)
                if (!capped[u] && nu[u] > 0) {
                    nu[u]--;
                    given--;
                }
            break;
        }
    }
    for (uint32_t u = 0; u < U; u++)
        nu[u] += mn;
    free(a);
    free(capped);
    return ALS_OK;
}

/* ---- ids and movies ----------------------------------------------------------------------- */

static char *fmt_u64(char *end, uint64_t v)
{
    /* digits written backwards ending at end (exclusive); returns the start */
    do {
        *--end = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    return end;
}

static als_status intern_range(als_idmap *m, uint32_t n, als_diag *d)
{
    char buf[24];
    for (uint32_t i = 0; i < n; i++) {
        char *s = fmt_u64(buf + sizeof buf, (uint64_t)i + 1);
        uint32_t idx;
        if (als_idmap_intern(m, s, (size_t)(buf + sizeof buf - s), &idx) || idx != i)
            return als_diag_set(d, ALS_E_NOMEM, NULL, 0, 0, "out of memory interning %u ids", n);
    }
    return ALS_OK;
}

static const char *const GENRES[] = {"Action", "Adventure", "Animation", "Children", "Comedy", "Crime",
                                     "Documentary", "Drama", "Fantasy", "Film-Noir", "Horror", "Musical",
                                     "Mystery", "Romance", "Sci-Fi", "Thriller", "War", "Western"};
#define NGENRES 18

static als_status make_movies(const model *m, als_movies *mv, als_diag *d)
{
    als_movies_init(mv);
    const uint32_t I = m->I;
    mv->title = calloc(I, sizeof *mv->title);
    mv->genres = calloc(I, sizeof *mv->genres);
    if (!mv->title || !mv->genres)
        goto nomem;
    mv->n = I; /* als_movies_free frees the (possibly NULL) entries */
    if (intern_range(&mv->ids, I, d))
        goto nomem;
    for (uint32_t i = 0; i < I; i++) {
        /* primary genre from the item's strongest latent direction (explicit) or its main topic
         * (implicit), so that similar items tend to share genres */
        int g1;
        if (m->implicit) {
            g1 = (int)(m->memb_topic[(size_t)i * MAX_MEMB] % NGENRES);
        } else {
            const double *y = m->Y + (size_t)i * (size_t)m->K;
            int best = 0;
            for (int k = 1; k < m->K; k++)
                if (fabs(y[k]) > fabs(y[best]))
                    best = k;
            g1 = (2 * best + (y[best] < 0)) % NGENRES;
        }
        bool on[NGENRES] = {false};
        on[g1] = true;
        double r = u01(key3(m->seed, K_GENRE, i, 0));
        int extra = r < 0.12 ? 2 : r < 0.45 ? 1 : 0;
        for (int e = 0; e < extra; e++)
            on[mulhi(key3(m->seed, K_GENRE, i, 1 + (uint64_t)e), NGENRES)] = true;
        char g[256];
        size_t gl = 0;
        for (int k = 0; k < NGENRES; k++)
            if (on[k])
                gl += (size_t)snprintf(g + gl, sizeof g - gl, "%s%s", gl ? "|" : "", GENRES[k]);
        double yr = u01(key3(m->seed, K_YEAR, i, 0));
        int year = m->shape->year_max - (int)floor(80.0 * yr * yr); /* most films are recent */
        char t[96];
        snprintf(t, sizeof t, "Synthetic Movie %u (%d)", i + 1, year);
        mv->title[i] = strdup(t);
        mv->genres[i] = strdup(g);
        if (!mv->title[i] || !mv->genres[i])
            goto nomem;
    }
    return ALS_OK;
nomem:
    als_movies_free(mv);
    return als_diag_set(d, ALS_E_NOMEM, NULL, 0, 0, "out of memory building the movie catalogue");
}

/* ---- coverage ----------------------------------------------------------------------------- */

/* Give every item at least one rating (needs R ≥ I): for each unrated item, in item order, a
 * deterministic user swaps their most-rated item (rated ≥ 2 times) for it. */
static als_status cover_items(const model *m, als_ratings *r, const size_t *off, als_diag *d)
{
    const uint32_t U = m->U, I = m->I;
    if (r->n < I)
        return ALS_OK;
    uint32_t *cnt = calloc(I, sizeof *cnt);
    unsigned char *dirty = calloc(U, 1);
    if (!cnt || !dirty) {
        free(cnt);
        free(dirty);
        return als_diag_set(d, ALS_E_NOMEM, NULL, 0, 0, "out of memory in the coverage pass");
    }
    for (size_t e = 0; e < r->n; e++)
        cnt[r->item[e]]++;
    for (uint32_t z = 0; z < I; z++) {
        if (cnt[z])
            continue;
        uint32_t u = (uint32_t)mulhi(key3(m->seed, K_COVER, z, 0), U);
        for (uint32_t scanned = 0; scanned < U; scanned++, u = u + 1 == U ? 0 : u + 1) {
            size_t best = off[u + 1];
            uint32_t bc = 1;
            for (size_t e = off[u]; e < off[u + 1]; e++)
                if (cnt[r->item[e]] > bc) {
                    bc = cnt[r->item[e]];
                    best = e;
                }
            if (best == off[u + 1])
                continue;
            cnt[r->item[best]]--;
            cnt[z]++;
            r->item[best] = z;
            r->rating[best] = pair_value(m, u, z, value_key(m, u));
            dirty[u] = 1;
            break;
        }
    }
    for (uint32_t u = 0; u < U; u++) {
        if (!dirty[u])
            continue;
        qsort(r->item + off[u], off[u + 1] - off[u], sizeof *r->item, cmp_u32);
        uint64_t vk = value_key(m, u);
        for (size_t e = off[u]; e < off[u + 1]; e++)
            r->rating[e] = pair_value(m, u, r->item[e], vk);
    }
    free(cnt);
    free(dirty);
    return ALS_OK;
}

/* ---- generate ----------------------------------------------------------------------------- */

als_status als_synth_generate(const als_synth_opts *o, als_ratings *r, als_movies *movies, als_diag *d)
{
    als_ratings_init(r);
    if (movies)
        als_movies_init(movies);
    als_status st = als_synth_check(o, d);
    if (st)
        return st;
    model m;
    st = model_build(&m, o, d);
    if (st)
        return st;
    const uint32_t U = m.U;
    uint64_t *nu = malloc((size_t)U * sizeof *nu);
    size_t *off = malloc(((size_t)U + 1) * sizeof *off);
    size_t R = (size_t)o->ratings;
    r->user = malloc(R * sizeof *r->user);
    r->item = malloc(R * sizeof *r->item);
    r->rating = malloc(R * sizeof *r->rating);
    if (!nu || !off || !r->user || !r->item || !r->rating) {
        st = als_diag_set(d, ALS_E_NOMEM, NULL, 0, 0, "out of memory for %zu synthetic ratings", R);
        goto fail;
    }
    r->n = R;
    r->format = ALS_FMT_CSV;
    st = plan_activity(&m, o, nu, d);
    if (st)
        goto fail;
    off[0] = 0;
    for (uint32_t u = 0; u < U; u++)
        off[u + 1] = off[u] + (size_t)nu[u];
    if (off[U] != R) {
        st = als_diag_set(d, ALS_E_INTERNAL, NULL, 0, 0, "activity plan sums to %zu, not %zu", off[U], R);
        goto fail;
    }

    int failed = 0;
#pragma omp parallel
    {
        workspace w;
        bool ok = ws_alloc(&w, &m);
        if (!ok) {
#pragma omp atomic write
            failed = 1;
        }
#pragma omp for schedule(dynamic, 16)
        for (long uu = 0; uu < (long)U; uu++) {
            if (!ok)
                continue;
            uint32_t u = (uint32_t)uu;
            uint32_t *items = r->item + off[u];
            uint32_t n = (uint32_t)nu[u];
            select_items(&m, u, n, items, &w);
            uint64_t vk = value_key(&m, u);
            for (uint32_t t = 0; t < n; t++) {
                if (!m.implicit && t + 8 < n) { /* the item rows are random reads: fetch ahead */
                    __builtin_prefetch(m.Y + (size_t)items[t + 8] * (size_t)m.K);
                    __builtin_prefetch(m.bi + items[t + 8]);
                }
                r->user[off[u] + t] = u;
                r->rating[off[u] + t] = pair_value(&m, u, items[t], vk);
            }
        }
        if (ok)
            ws_free(&w);
    }
    if (failed) {
        st = als_diag_set(d, ALS_E_NOMEM, NULL, 0, 0, "out of memory for the per-thread workspaces");
        goto fail;
    }
    st = cover_items(&m, r, off, d);
    if (st)
        goto fail;
    if ((st = intern_range(&r->users, U, d)) || (st = intern_range(&r->items, m.I, d)))
        goto fail;
    if (movies && (st = make_movies(&m, movies, d)))
        goto fail;
    free(nu);
    free(off);
    model_free(&m);
    return ALS_OK;

fail:
    free(nu);
    free(off);
    model_free(&m);
    als_ratings_free(r);
    if (movies)
        als_movies_free(movies);
    return st;
}

/* ---- writing ------------------------------------------------------------------------------ */

typedef struct {
    char *buf;
    size_t len, cap;
    FILE *f;
    bool err;
} outbuf;

static void ob_flush(outbuf *b)
{
    if (b->len && fwrite(b->buf, 1, b->len, b->f) != b->len)
        b->err = true;
    b->len = 0;
}

static inline void ob_put(outbuf *b, const char *s, size_t n)
{
    memcpy(b->buf + b->len, s, n);
    b->len += n;
}

static inline void ob_u64(outbuf *b, uint64_t v)
{
    char tmp[24];
    char *s = fmt_u64(tmp + sizeof tmp, v);
    ob_put(b, s, (size_t)(tmp + sizeof tmp - s));
}

/* Id strings and their lengths, looked up once per file rather than strlen'd per line. */
typedef struct {
    const als_idmap *m;
    uint16_t *len;
} idlens;

static bool idlens_init(idlens *l, const als_idmap *m)
{
    l->m = m;
    l->len = malloc(((size_t)m->n + 1) * sizeof *l->len);
    if (!l->len)
        return false;
    for (uint32_t i = 0; i < m->n; i++) {
        size_t n = strlen(als_idmap_str(m, i));
        l->len[i] = (uint16_t)(n > 200 ? 200 : n); /* the buffer keeps 1 KiB of headroom per line */
    }
    return true;
}

static inline void ob_id(outbuf *b, const idlens *l, uint32_t i)
{
    if (i < l->m->n)
        ob_put(b, als_idmap_str(l->m, i), l->len[i]);
    else
        ob_u64(b, (uint64_t)i + 1); /* ratings built without id maps: 1-based indices */
}

/* Integral values as integers ("4", "17"), others with %.9g (they are floats). */
static inline void ob_value(outbuf *b, float v)
{
    if (v == floorf(v) && fabsf(v) < 1e9f) {
        if (v < 0) {
            ob_put(b, "-", 1);
            v = -v;
        }
        ob_u64(b, (uint64_t)v);
    } else {
        char tmp[32];
        int n = snprintf(tmp, sizeof tmp, "%.9g", (double)v);
        ob_put(b, tmp, (size_t)n);
    }
}

als_status als_synth_write_ratings(const als_ratings *r, const char *path, als_diag *d)
{
    als_afile a;
    als_status st = als_afile_open(&a, path, d);
    if (st)
        return st;
    outbuf b = {.cap = 1 << 20, .f = a.f};
    idlens ul = {0}, il = {0};
    b.buf = malloc(b.cap);
    if (!b.buf || !idlens_init(&ul, &r->users) || !idlens_init(&il, &r->items)) {
        free(b.buf);
        free(ul.len);
        free(il.len);
        als_afile_abort(&a);
        return als_diag_set(d, ALS_E_NOMEM, path, 0, 0, "out of memory");
    }
    static const char hdr[] = "userId,movieId,rating,timestamp\n";
    ob_put(&b, hdr, sizeof hdr - 1);
    /* Synthetic timestamps: each user is active for up to two years from a start in 2000–2019;
     * they carry no signal. */
    const uint64_t t0 = 946684800, span = 20ull * 365 * 86400, active = 2ull * 365 * 86400;
    for (size_t e = 0; e < r->n && !b.err; e++) {
        uint32_t u = r->user[e], i = r->item[e];
        uint64_t ts = t0 + mix((uint64_t)u * GOLDEN) % span + mix(((uint64_t)u << 32) ^ i) % active;
        ob_id(&b, &ul, u);
        ob_put(&b, ",", 1);
        ob_id(&b, &il, i);
        ob_put(&b, ",", 1);
        ob_value(&b, r->rating[e]);
        ob_put(&b, ",", 1);
        ob_u64(&b, ts);
        ob_put(&b, "\n", 1);
        if (b.len > b.cap - 1024)
            ob_flush(&b);
    }
    ob_flush(&b);
    free(b.buf);
    free(ul.len);
    free(il.len);
    if (b.err) {
        int err = errno ? errno : EIO; /* from the failed fwrite (ENOSPC on a full disk) */
        als_afile_abort(&a);
        return als_diag_set(d, ALS_E_IO, path, 0, 0, "write failed: %s", strerror(err));
    }
    return als_afile_commit(&a, d);
}


als_status als_synth_write_movies(const als_movies *m, const char *path, als_diag *d)
{
    als_afile a;
    als_status st = als_afile_open(&a, path, d);
    if (st)
        return st;
    fputs("movieId,title,genres\n", a.f);
    for (size_t i = 0; i < m->n; i++) {
        als_csv_field(a.f, i < m->ids.n ? als_idmap_str(&m->ids, (uint32_t)i) : "");
        fputc(',', a.f);
        als_csv_field(a.f, m->title[i] ? m->title[i] : "");
        fputc(',', a.f);
        als_csv_field(a.f, m->genres[i] && m->genres[i][0] ? m->genres[i] : "(no genres listed)");
        fputc('\n', a.f);
    }
    return als_afile_commit(&a, d);
}
