/* Counter-based random numbers: Philox4x32-10 (Random123).
 *
 * The stream of trajectory k under seed s is Philox4x32-10 with key
 * (s mod 2^32, s div 2^32) over the counters (j, k mod 2^32, k div 2^32,
 * "SCMC"), j = 0, 1, 2, ...: a pure function of (s, k), so results never
 * depend on which thread, rank or shard simulates the trajectory. Nothing is
 * stored or advanced across trajectories.
 *
 * Blocks are made eight at a time (a batch: counters j0 .. j0 + 7) with SIMD
 * code on x86-64 (AVX-512 or AVX2 when the processor has it, else SSE2);
 * elsewhere with Random123's own philox4x32. Word 8c + b of a batch is component c of block
 * j0 + b. tests/test_rng.c checks every path word for word against
 * Random123's philox4x32. */
#ifndef SCENMC_RNG_H
#define SCENMC_RNG_H

#include <stdint.h>

#define SCENMC_RNG_BATCH 32 /* words per batch: 8 blocks of 4 */
#define SCENMC_RNG_BUFFER (2 * SCENMC_RNG_BATCH) /* made two batches at a time */
#define SCENMC_RNG_SALT 0x434d4353u /* "SCMC": the counter's fixed last word */

typedef struct scenmc__rng {
    uint32_t key[2];
    uint32_t stream[2]; /* the trajectory index, low word first */
    uint32_t block;     /* first block of the next batch */
    int next;           /* next unused word; SCENMC_RNG_BUFFER when spent */
    uint64_t word[SCENMC_RNG_BUFFER]; /* the batches' words, one per 64-bit slot */
} scenmc__rng;

/* Makes the next two batches (dispatches on the processor's features): two
 * independent computations the processor overlaps, and most trajectories
 * need no more than one such refill. */
void scenmc__rng_refill(scenmc__rng *r);

/* Makes only the next batch, into the buffer's second half (the same
 * stream): for a consumer that needs at most SCENMC_RNG_BATCH more words. */
void scenmc__rng_refill_one(scenmc__rng *r);

/* Which batch generator scenmc__rng_refill uses ("avx512", "avx2", "sse2" or
 * "random123"); scenmc__rng_force selects one (for tests; NULL = automatic). */
const char *scenmc__rng_kind(void);
void scenmc__rng_force(const char *kind);

static inline void scenmc__rng_init(scenmc__rng *r, uint64_t seed, uint64_t stream)
{
    r->key[0] = (uint32_t)seed;
    r->key[1] = (uint32_t)(seed >> 32);
    r->stream[0] = (uint32_t)stream;
    r->stream[1] = (uint32_t)(stream >> 32);
    r->block = 0;
    r->next = SCENMC_RNG_BUFFER;
}

static inline uint32_t scenmc__rng_u32(scenmc__rng *r)
{
    if (r->next == SCENMC_RNG_BUFFER)
        scenmc__rng_refill(r);
    return (uint32_t)r->word[r->next++];
}

/* Uniform on (0, 1) with 53 random bits (two words). */
static inline double scenmc__rng_uniform53(scenmc__rng *r)
{
    uint32_t a = scenmc__rng_u32(r) >> 5, b = scenmc__rng_u32(r) >> 6;
    return ((double)a * 67108864.0 + (double)b + 0.5) * (1.0 / 9007199254740992.0);
}

/* Uniform on (0, 1) with 32 random bits (one word). */
static inline double scenmc__rng_uniform32(scenmc__rng *r)
{
    return ((double)scenmc__rng_u32(r) + 0.5) * (1.0 / 4294967296.0);
}

#endif
