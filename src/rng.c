/* Batches of Philox4x32-10 blocks (see rng.h). The SIMD paths hold one block
 * per 64-bit lane (its 32-bit components zero-extended), so a round is a
 * widening 32x32 -> 64 multiply per component pair, shifts, masks and xors. */
#include "rng.h"

#include <Random123/philox.h>
#include <string.h>

#define M0 0xD2511F53u /* Random123's PHILOX_M4x32_0 and _1 */
#define M1 0xCD9E8D57u
#define W0 0x9E3779B9u /* PHILOX_W32_0 and _1: the key schedule */
#define W1 0xBB67AE85u

static void refill_random123(scenmc_rng *r)
{
    philox4x32_key_t key = {{r->key[0], r->key[1]}};
    for (int b = 0; b < 8; b++) {
        philox4x32_ctr_t ctr = {{r->block + (uint32_t)b, r->stream[0], r->stream[1], SCENMC_RNG_SALT}};
        philox4x32_ctr_t out = philox4x32(ctr, key);
        for (int c = 0; c < 4; c++)
            r->word[8 * c + b] = out.v[c];
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

__attribute__((target("avx2"))) static void refill_avx2(scenmc_rng *r)
{
    __m256i x[2][4];
    for (int h = 0; h < 2; h++) { /* blocks 4h .. 4h + 3 */
        uint32_t j = r->block + 4u * (uint32_t)h;
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
            _mm256_storeu_si256((__m256i *)(r->word + 8 * c + 4 * h), x[h][c]);
}

static void refill_sse2(scenmc_rng *r)
{
    __m128i x[4][4];
    for (int h = 0; h < 4; h++) { /* blocks 2h, 2h + 1 */
        uint32_t j = r->block + 2u * (uint32_t)h;
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
            _mm_storeu_si128((__m128i *)(r->word + 8 * c + 2 * h), x[h][c]);
}
#define HAVE_X86 1
#endif

static int forced; /* 0 automatic, 1 avx2, 2 sse2, 3 random123 */

void scenmc_rng_force(const char *kind)
{
    forced = !kind ? 0 : !strcmp(kind, "avx2") ? 1 : !strcmp(kind, "sse2") ? 2 : !strcmp(kind, "random123") ? 3 : 0;
}

static int kind_now(void)
{
    if (forced)
        return forced;
#ifdef HAVE_X86
    return __builtin_cpu_supports("avx2") ? 1 : 2;
#else
    return 3;
#endif
}

const char *scenmc_rng_kind(void)
{
    static const char *names[] = {"", "avx2", "sse2", "random123"};
    return names[kind_now()];
}

void scenmc_rng_refill(scenmc_rng *r)
{
    int kind = kind_now();
#ifdef HAVE_X86
    if (kind == 1 && __builtin_cpu_supports("avx2"))
        refill_avx2(r);
    else if (kind != 3) /* also a forced AVX2 on a processor without it */
        refill_sse2(r);
    else
#endif
        refill_random123(r);
    r->block += 8;
    r->next = 0;
}
