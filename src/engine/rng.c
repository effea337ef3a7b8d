/* Batches of Philox4x32-10 blocks (see rng.h). The SIMD paths hold one block
 * per 64-bit lane (its 32-bit components zero-extended), so a round is a
 * widening 32x32 -> 64 multiply per component pair, shifts, masks and xors. */
#include "engine/rng.h"

#include <Random123/philox.h>
#include <string.h>

#define M0 0xD2511F53u /* Random123's PHILOX_M4x32_0 and _1 */
#define M1 0xCD9E8D57u
#define W0 0x9E3779B9u /* PHILOX_W32_0 and _1: the key schedule */
#define W1 0xBB67AE85u

static void refill_random123(const scenmc__rng *r, uint32_t block, uint64_t *word)
{
    philox4x32_key_t key = {{r->key[0], r->key[1]}};
    for (int b = 0; b < 8; b++) {
        philox4x32_ctr_t ctr = {{block + (uint32_t)b, r->stream[0], r->stream[1], SCENMC_RNG_SALT}};
        philox4x32_ctr_t out = philox4x32(ctr, key);
        for (int c = 0; c < 4; c++)
            word[8 * c + b] = out.v[c];
    }
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

/* One round on lanes of blocks: x[c] holds component c of each lane's block. */
#define ROUND(T, MUL, SRL, AND, XOR, SET1, x, k0, k1)                                              \
    do {                                                                                           \
        T p0 = MUL(x[0], SET1(M0)), p1 = MUL(x[2], SET1(M1));                                     \
        T n0 = XOR(XOR(SRL(p1, 32), x[1]), SET1(k0));                                             \
        T n2 = XOR(XOR(SRL(p0, 32), x[3]), SET1(k1));                                             \
        x[1] = AND(p1, SET1(0xffffffffu));                                                         \
        x[3] = AND(p0, SET1(0xffffffffu));                                                         \
        x[0] = n0;                                                                                 \
        x[2] = n2;                                                                                 \
    } while (0)

#define SET1_256(v) _mm256_set1_epi64x((long long)(v))
#define SET1_128(v) _mm_set1_epi64x((long long)(v))

__attribute__((target("avx2"))) static void refill_avx2(const scenmc__rng *r, uint32_t block, uint64_t *word)
{
    __m256i x[2][4];
    for (int h = 0; h < 2; h++) { /* blocks 4h .. 4h + 3 */
        uint32_t j = block + 4u * (uint32_t)h;
        x[h][0] = _mm256_set_epi64x(j + 3u, j + 2u, j + 1u, j);
        x[h][1] = SET1_256(r->stream[0]);
        x[h][2] = SET1_256(r->stream[1]);
        x[h][3] = SET1_256(SCENMC_RNG_SALT);
    }
    uint32_t k0 = r->key[0], k1 = r->key[1];
    for (int round = 0; round < 10; round++, k0 += W0, k1 += W1)
        for (int h = 0; h < 2; h++)
            ROUND(__m256i, _mm256_mul_epu32, _mm256_srli_epi64, _mm256_and_si256, _mm256_xor_si256,
                  SET1_256, x[h], k0, k1);
    for (int c = 0; c < 4; c++)
        for (int h = 0; h < 2; h++)
            _mm256_storeu_si256((__m256i *)(word + 8 * c + 4 * h), x[h][c]);
}

/* NB batches (1 or 2) of eight blocks, one register per component and batch:
 * two batches are independent chains in one body, so they overlap. */
__attribute__((target("avx512f"), always_inline)) static inline void avx512_batches(const scenmc__rng *r,
                                                                                     uint32_t block,
                                                                                     uint64_t *word,
                                                                                     const int nb)
{
    __m512i x[2][4];
    for (int h = 0; h < nb; h++) { /* blocks 8h .. 8h + 7 */
        uint32_t j = block + 8u * (uint32_t)h;
        x[h][0] = _mm512_set_epi64(j + 7u, j + 6u, j + 5u, j + 4u, j + 3u, j + 2u, j + 1u, j);
        x[h][1] = _mm512_set1_epi64(r->stream[0]);
        x[h][2] = _mm512_set1_epi64(r->stream[1]);
        x[h][3] = _mm512_set1_epi64(SCENMC_RNG_SALT);
    }
    uint32_t k0 = r->key[0], k1 = r->key[1];
    for (int round = 0; round < 10; round++, k0 += W0, k1 += W1)
        for (int h = 0; h < nb; h++)
            ROUND(__m512i, _mm512_mul_epu32, _mm512_srli_epi64, _mm512_and_si512, _mm512_xor_si512,
                  _mm512_set1_epi64, x[h], k0, k1);
    for (int h = 0; h < nb; h++)
        for (int c = 0; c < 4; c++)
            _mm512_storeu_si512((void *)(word + SCENMC_RNG_BATCH * h + 8 * c), x[h][c]);
}

__attribute__((target("avx512f"))) static void refill_avx512(const scenmc__rng *r, uint32_t block, uint64_t *word,
                                                             int nb)
{
    if (nb == 2)
        avx512_batches(r, block, word, 2);
    else
        avx512_batches(r, block, word, 1);
}

static void refill_sse2(const scenmc__rng *r, uint32_t block, uint64_t *word)
{
    __m128i x[4][4];
    for (int h = 0; h < 4; h++) { /* blocks 2h, 2h + 1 */
        uint32_t j = block + 2u * (uint32_t)h;
        x[h][0] = _mm_set_epi64x(j + 1u, j);
        x[h][1] = SET1_128(r->stream[0]);
        x[h][2] = SET1_128(r->stream[1]);
        x[h][3] = SET1_128(SCENMC_RNG_SALT);
    }
    uint32_t k0 = r->key[0], k1 = r->key[1];
    for (int round = 0; round < 10; round++, k0 += W0, k1 += W1)
        for (int h = 0; h < 4; h++)
            ROUND(__m128i, _mm_mul_epu32, _mm_srli_epi64, _mm_and_si128, _mm_xor_si128, SET1_128, x[h],
                  k0, k1);
    for (int c = 0; c < 4; c++)
        for (int h = 0; h < 4; h++)
            _mm_storeu_si128((__m128i *)(word + 8 * c + 2 * h), x[h][c]);
}
#define HAVE_X86 1
#endif

static const char *kind_names[] = {"", "avx2", "sse2", "random123", "avx512"};
static int forced; /* 0: automatic, else an index of kind_names */

void scenmc__rng_force(const char *kind)
{
    forced = 0;
    for (int i = 1; kind && i < 5; i++)
        if (!strcmp(kind, kind_names[i]))
            forced = i;
}

static int kind_now(void)
{
    if (forced)
        return forced;
#ifdef HAVE_X86
    return __builtin_cpu_supports("avx512f") ? 4 : __builtin_cpu_supports("avx2") ? 1 : 2;
#else
    return 3;
#endif
}

const char *scenmc__rng_kind(void)
{
    return kind_names[kind_now()];
}

/* Makes batches into the buffer's halves first .. 1 (the words run on from
 * the first batch made). */
static void refill_from(scenmc__rng *r, int first)
{
    int kind = kind_now();
#ifdef HAVE_X86
    if (kind == 4 && __builtin_cpu_supports("avx512f")) {
        refill_avx512(r, r->block, r->word + SCENMC_RNG_BATCH * first, 2 - first);
        r->block += 8u * (uint32_t)(2 - first);
        r->next = SCENMC_RNG_BATCH * first;
        return;
    }
#endif
    for (int half = first; half < 2; half++) {
        uint32_t block = r->block + 8u * (uint32_t)(half - first);
        uint64_t *word = r->word + SCENMC_RNG_BATCH * half;
#ifdef HAVE_X86
        if (kind == 1 && __builtin_cpu_supports("avx2"))
            refill_avx2(r, block, word);
        else if (kind != 3) /* also a forced kind the processor lacks */
            refill_sse2(r, block, word);
        else
#endif
            refill_random123(r, block, word);
    }
    r->block += 8u * (uint32_t)(2 - first);
    r->next = SCENMC_RNG_BATCH * first;
}

void scenmc__rng_refill(scenmc__rng *r)
{
    refill_from(r, 0);
}

void scenmc__rng_refill_one(scenmc__rng *r)
{
    refill_from(r, 1);
}
