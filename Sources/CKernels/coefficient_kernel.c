#include "ckernels.h"
#include <math.h>
#include <string.h>

/* One body, compiled three times: for baseline x86-64, for AVX2 with FMA, and for AVX-512.
   The bodies are `always_inline` so that each variant vectorises them for its own instruction
   set; `ptv_kernel_level` finds the widest the CPU has, once.

   Inside the kernels Z and C are kept with rows padded by zeros to `gram_stride` columns (a
   multiple of 16), so that every loop runs over whole tiles of 8 doubles with no remainder:
   at K = 12 to 30 the remainders and short loops had cost more than the arithmetic. Padding
   columns stay 0: G and Z0 are 0 there, so Z is, and descent moves no coordinate whose Z is 0
   and whose weight is 0. */

#define BODY static inline __attribute__((always_inline))
#define TILE 8

/* Eight doubles as one value: one AVX-512 register, two AVX2 ones or four SSE2 ones; and the
   mask a comparison of two of them gives. */
typedef double v8 __attribute__((vector_size(64)));
typedef long long mask8 __attribute__((vector_size(64)));

BODY v8 load8(const double *from) { v8 v; memcpy(&v, from, sizeof v); return v; }
BODY void store8(double *to, v8 v) { memcpy(to, &v, sizeof v); }
/* where(m, a) is a where the mask is set, else 0. */
BODY v8 where(mask8 m, v8 a) { return (v8)(m & (mask8)a); }

/* l'(z) = -1/(1 + e^z), for z >= 0 as -e^{-z}/(1 + e^{-z}) (no overflow, no cancellation). */
BODY double logistic_derivative(double z) {
    if (z >= 0) { double e = exp(-z); return -e / (1 + e); }
    return -1 / (1 + exp(z));
}

/* The scratch layout (doubles): the class +1 rows' column sums of s(Z) and s(-Z), the class -1
   rows' (stride each), the descent's column weights w+ and w- (stride each), then padded Z and
   padded C (rows x stride each). */
typedef struct { double *plus_pos, *plus_neg, *minus_pos, *minus_neg, *w_pos, *w_neg, *z, *c; } scratch_layout;

BODY scratch_layout layout(const ptv_coefficient_problem *p, double *scratch) {
    const size_t stride = (size_t)p->gram_stride, rows = (size_t)p->rows;
    scratch_layout s;
    s.plus_pos = scratch;
    s.plus_neg = s.plus_pos + stride;
    s.minus_pos = s.plus_neg + stride;
    s.minus_neg = s.minus_pos + stride;
    s.w_pos = s.minus_neg + stride;
    s.w_neg = s.w_pos + stride;
    s.z = s.w_neg + stride;
    s.c = s.z + rows * stride;
    return s;
}

/* f_i = (1/m)[sum over class +1 rows of a_ik - the same over class -1], a_ik the ReLU sum of
   filter k over sample i's patches: signal patch q contributes s(y~_i Z_kq) (y~_i the clean
   label), the noise patch s(Z_{k,S+i}); then l'_i = l'(y_i f_i). Column sums of s(Z) and s(-Z)
   per class first, a tile of columns at a time with the four sums in registers while the rows
   are added in order (through memory, each row's add waited for the last row's store). */
BODY void forward_body(const ptv_coefficient_problem *p, const double *restrict z, scratch_layout s,
                       double *restrict outputs, double *restrict derivatives) {
    const int rows = p->rows, m = p->half, S = p->signal, n = p->samples, stride = p->gram_stride;
    for (int j = 0; j < stride; j += TILE) {
        const v8 zero = {0};
        v8 plus_pos = zero, plus_neg = zero, minus_pos = zero, minus_neg = zero;
        for (int k = 0; k < m; k++) {
            const v8 v = load8(z + (size_t)k * stride + j);
            plus_pos = plus_pos + where(v > zero, v);
            plus_neg = plus_neg - where(v < zero, v);
        }
        for (int k = m; k < rows; k++) {
            const v8 v = load8(z + (size_t)k * stride + j);
            minus_pos = minus_pos + where(v > zero, v);
            minus_neg = minus_neg - where(v < zero, v);
        }
        store8(s.plus_pos + j, plus_pos); store8(s.plus_neg + j, plus_neg);
        store8(s.minus_pos + j, minus_pos); store8(s.minus_neg + j, minus_neg);
    }
    double plus_pos = 0, plus_neg = 0, minus_pos = 0, minus_neg = 0;
    for (int q = 0; q < S; q++) {
        plus_pos += s.plus_pos[q]; plus_neg += s.plus_neg[q];
        minus_pos += s.minus_pos[q]; minus_neg += s.minus_neg[q];
    }
    const double scale = 1.0 / (double)m;
    for (int i = 0; i < n; i++) {
        const int clean_positive = p->true_labels[i] > 0;
        const double f = ((clean_positive ? plus_pos : plus_neg) + s.plus_pos[S + i]
                          - (clean_positive ? minus_pos : minus_neg) - s.minus_pos[S + i]) * scale;
        outputs[i] = f;
        derivatives[i] = logistic_derivative(p->labels[i] * f);
    }
}

/* C <- C - eta dC, with g_i = l'_i y_i/(nm), G+- = sum of g_i over clean label +-1 and j_k = +-1
   the row's class: dc_kq = j_k (G+ 1[Z_kq > 0] - G- 1[Z_kq < 0]) for signal q, and
   dc_{k,S+i} = j_k g_i 1[Z_{k,S+i} > 0]. As one rule per column: dc_kj = j_k w+_j where Z_kj > 0,
   j_k w-_j where Z_kj < 0, with w+ = (G+ ..., g_1 ... g_n, 0 ...) and w- = (-G- ..., 0 ...). */
BODY void descend_body(const ptv_coefficient_problem *p, const double *restrict z, scratch_layout s,
                       const double *restrict derivatives, double *restrict c) {
    const int rows = p->rows, m = p->half, S = p->signal, n = p->samples, stride = p->gram_stride;
    const double scale = 1.0 / ((double)n * (double)m);
    double positive = 0, negative = 0;
    memset(s.w_pos, 0, 2 * (size_t)stride * sizeof(double));
    for (int i = 0; i < n; i++) {
        const double g = derivatives[i] * p->labels[i] * scale;
        s.w_pos[S + i] = g;
        if (p->true_labels[i] > 0) positive += g; else negative += g;
    }
    for (int q = 0; q < S; q++) { s.w_pos[q] = positive; s.w_neg[q] = -negative; }
    const double *restrict w_pos = s.w_pos, *restrict w_neg = s.w_neg;
    for (int k = 0; k < rows; k++) {
        if (!p->moving[k]) continue;
        const double *restrict zr = z + (size_t)k * stride;
        double *restrict cr = c + (size_t)k * stride;
        const double step = k < m ? p->eta : -p->eta;
        for (int j = 0; j < stride; j += TILE) {
            const v8 v = load8(zr + j), zero = {0};
            const v8 rate = where(v > zero, load8(w_pos + j)) + where(v < zero, load8(w_neg + j));
            store8(cr + j, load8(cr + j) - step * rate);
        }
    }
}


/* Z = Z0 + C G for `R` rows (2 or 4) from row k, in tiles of R rows by 16 columns whose sums
   stay in registers while the K terms are added (a row at a time, the running sums went through
   memory on every term and the store-to-load latency bound the loop). */
BODY void inner_rows(const ptv_coefficient_problem *p, const double *restrict c, double *restrict z, int k, int R) {
    const int K = p->signal + p->samples, stride = p->gram_stride;
    const double *restrict g = p->gram, *restrict z0 = p->initial_inner;
    for (int j = 0; j < K; j += 16) {
        v8 low[4], high[4];
        for (int r = 0; r < R; r++) {
            low[r] = load8(z0 + (size_t)(k + r) * stride + j);
            high[r] = load8(z0 + (size_t)(k + r) * stride + j + 8);
        }
        for (int q = 0; q < K; q++) {
            const double *gr = g + (size_t)q * stride + j;
            const v8 g0 = load8(gr), g1 = load8(gr + 8);
            for (int r = 0; r < R; r++) {
                const double coordinate = c[(size_t)(k + r) * stride + q];
                low[r] += coordinate * g0;
                high[r] += coordinate * g1;
            }
        }
        for (int r = 0; r < R; r++) {
            store8(z + (size_t)(k + r) * stride + j, low[r]);
            store8(z + (size_t)(k + r) * stride + j + 8, high[r]);
        }
    }
}

/* Rows four at a time, then a last pair (2m is even). */
BODY void inner_body(const ptv_coefficient_problem *p, const double *restrict c, double *restrict z) {
    int k = 0;
    for (; k + 4 <= p->rows; k += 4) inner_rows(p, c, z, k, 4);
    if (k < p->rows) inner_rows(p, c, z, k, 2);
}

/* Rows of K values between the caller's layout (K columns) and the padded one. */
BODY void pad_rows(const double *restrict from, double *restrict to, int rows, int K, int stride) {
    for (int k = 0; k < rows; k++) {
        memcpy(to + (size_t)k * stride, from + (size_t)k * K, (size_t)K * sizeof(double));
        memset(to + (size_t)k * stride + K, 0, (size_t)(stride - K) * sizeof(double));
    }
}
BODY void unpad_rows(const double *restrict from, double *restrict to, int rows, int K, int stride) {
    for (int k = 0; k < rows; k++) memcpy(to + (size_t)k * K, from + (size_t)k * stride, (size_t)K * sizeof(double));
}

BODY void forward_entry(const ptv_coefficient_problem *p, const double *z, double *outputs, double *derivatives,
                        double *scratch) {
    scratch_layout s = layout(p, scratch);
    pad_rows(z, s.z, p->rows, p->signal + p->samples, p->gram_stride);
    forward_body(p, s.z, s, outputs, derivatives);
}

BODY void descend_entry(const ptv_coefficient_problem *p, const double *z, const double *derivatives, double *c,
                        double *scratch) {
    scratch_layout s = layout(p, scratch);
    const int K = p->signal + p->samples;
    pad_rows(z, s.z, p->rows, K, p->gram_stride);
    pad_rows(c, s.c, p->rows, K, p->gram_stride);
    descend_body(p, s.z, s, derivatives, s.c);
    unpad_rows(s.c, c, p->rows, K, p->gram_stride);
}

BODY void advance_entry(const ptv_coefficient_problem *p, long count, double *c, double *z, double *outputs,
                        double *derivatives, double *scratch) {
    scratch_layout s = layout(p, scratch);
    const int K = p->signal + p->samples;
    pad_rows(z, s.z, p->rows, K, p->gram_stride);
    pad_rows(c, s.c, p->rows, K, p->gram_stride);
    for (long t = 0; t < count; t++) {
        descend_body(p, s.z, s, derivatives, s.c);
        inner_body(p, s.c, s.z);
        forward_body(p, s.z, s, outputs, derivatives);
    }
    unpad_rows(s.z, z, p->rows, K, p->gram_stride);
    unpad_rows(s.c, c, p->rows, K, p->gram_stride);
}

#define VARIANTS(suffix, attribute)                                                                              \
    attribute static void forward_##suffix(const ptv_coefficient_problem *p, const double *z, double *o,        \
                                           double *d, double *s) { forward_entry(p, z, o, d, s); }               \
    attribute static void descend_##suffix(const ptv_coefficient_problem *p, const double *z, const double *d,  \
                                           double *c, double *s) { descend_entry(p, z, d, c, s); }               \
    attribute static void advance_##suffix(const ptv_coefficient_problem *p, long n, double *c, double *z,      \
                                           double *o, double *d, double *s) { advance_entry(p, n, c, z, o, d, s); }

VARIANTS(baseline, )
#if defined(__x86_64__)
VARIANTS(avx2, __attribute__((target("avx2,fma"))))
VARIANTS(avx512, __attribute__((target("avx512f,avx512vl,avx512dq,avx512bw,avx2,fma"))))
#endif

static int cpu_level(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq")
        && __builtin_cpu_supports("avx512bw")) return 2;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return 1;
#endif
    return 0;
}

/* -1 until first asked; then the CPU's level. A race on the first call writes the same value. */
static volatile int cpu_level_found = -1;

int ptv_kernel_level(void) {
    int level = cpu_level_found;
    if (level < 0) { level = cpu_level(); cpu_level_found = level; }
    return level;
}

#if defined(__x86_64__)
#define DISPATCH(name, ...)                                                        \
    switch (level < ptv_kernel_level() ? level : ptv_kernel_level()) {             \
    case 2: name##_avx512(__VA_ARGS__); break;                                     \
    case 1: name##_avx2(__VA_ARGS__); break;                                       \
    default: name##_baseline(__VA_ARGS__); break;                                  \
    }
#else
#define DISPATCH(name, ...) (void)level; name##_baseline(__VA_ARGS__);
#endif

void ptv_coefficient_forward(int level, const ptv_coefficient_problem *p, const double *z, double *outputs,
                             double *derivatives, double *scratch) { DISPATCH(forward, p, z, outputs, derivatives, scratch) }

void ptv_coefficient_descend(int level, const ptv_coefficient_problem *p, const double *z, const double *derivatives,
                             double *c, double *scratch) { DISPATCH(descend, p, z, derivatives, c, scratch) }

void ptv_coefficient_advance(int level, const ptv_coefficient_problem *p, long count, double *c, double *z,
                             double *outputs, double *derivatives, double *scratch) {
    DISPATCH(advance, p, count, c, z, outputs, derivatives, scratch)
}

size_t ptv_coefficient_scratch(const ptv_coefficient_problem *p) {
    return 6 * (size_t)p->gram_stride + 2 * (size_t)p->rows * (size_t)p->gram_stride;
}
