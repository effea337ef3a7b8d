/* Counter-based random numbers (Random123 Philox4x64-10).
 *
 * The stream of trajectory k is Philox(key = seed, counter = (k, block)):
 * a pure function of (seed, k), so results never depend on which thread,
 * rank or shard simulates the trajectory. Nothing is stored or advanced
 * across trajectories. Philox4x64 gives 256 bits per call for about the
 * cost of Philox4x32's 128 on 64-bit processors; they are used as eight
 * 32-bit words. */
#ifndef SCENMC_RNG_H
#define SCENMC_RNG_H

#include <stdint.h>
#include <Random123/philox.h>

typedef struct scenmc_rng {
    philox4x64_key_t key;
    philox4x64_ctr_t ctr;
    union {
        philox4x64_ctr_t block;
        uint32_t word[8];
    } out;
    int next; /* next unused word of out; 8 when spent */
} scenmc_rng;

static inline void scenmc_rng_init(scenmc_rng *r, uint64_t seed, uint64_t stream)
{
    r->key.v[0] = seed;
    r->key.v[1] = 0x5343454e4d43ull; /* "SCENMC": a fixed second key word */
    r->ctr.v[0] = stream;
    r->ctr.v[1] = 0; /* block within the trajectory */
    r->ctr.v[2] = 0;
    r->ctr.v[3] = 0;
    r->next = 8;
}

static inline uint32_t scenmc_rng_u32(scenmc_rng *r)
{
    if (r->next == 8) {
        r->out.block = philox4x64(r->ctr, r->key);
        r->ctr.v[1]++;
        r->next = 0;
    }
    return r->out.word[r->next++];
}

/* Uniform on (0, 1) with 53 random bits (two words). */
static inline double scenmc_rng_uniform53(scenmc_rng *r)
{
    uint32_t a = scenmc_rng_u32(r) >> 5, b = scenmc_rng_u32(r) >> 6;
    return ((double)a * 67108864.0 + (double)b + 0.5) * (1.0 / 9007199254740992.0);
}

/* Uniform on (0, 1) with 32 random bits (one word). */
static inline double scenmc_rng_uniform32(scenmc_rng *r)
{
    return ((double)scenmc_rng_u32(r) + 0.5) * (1.0 / 4294967296.0);
}

#endif
