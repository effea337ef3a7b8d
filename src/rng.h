/* Counter-based random numbers (Random123 Philox4x32-10).
 *
 * The stream of trajectory k is Philox(key = seed, counter = (k, block)):
 * a pure function of (seed, k), so results never depend on which thread,
 * rank or shard simulates the trajectory. Nothing is stored or advanced
 * across trajectories. */
#ifndef SCENMC_RNG_H
#define SCENMC_RNG_H

#include <stdint.h>
#include <Random123/philox.h>

typedef struct scenmc_rng {
    philox4x32_key_t key;
    philox4x32_ctr_t ctr;
    philox4x32_ctr_t out;
    int left; /* unused words in out */
} scenmc_rng;

static inline void scenmc_rng_init(scenmc_rng *r, uint64_t seed, uint64_t stream)
{
    r->key.v[0] = (uint32_t)seed;
    r->key.v[1] = (uint32_t)(seed >> 32);
    r->ctr.v[0] = (uint32_t)stream;
    r->ctr.v[1] = (uint32_t)(stream >> 32);
    r->ctr.v[2] = 0; /* block within the trajectory */
    r->ctr.v[3] = 0;
    r->left = 0;
}

static inline uint32_t scenmc_rng_u32(scenmc_rng *r)
{
    if (r->left == 0) {
        r->out = philox4x32(r->ctr, r->key);
        if (++r->ctr.v[2] == 0)
            r->ctr.v[3]++;
        r->left = 4;
    }
    return r->out.v[4 - r->left--];
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
