/* The random streams: scenmc's batch generators (AVX-512, AVX2, SSE2 and the
 * portable path) against Random123's philox4x32 itself, word for word, and
 * Random123 against its published known-answer vector. */
#include "testutil.h"

#include "engine/rng.h"

#include <Random123/philox.h>
#include <stdint.h>
#include <string.h>

/* Random123's kat_vectors: philox4x32 with 10 rounds, counter and key 0. */
static void test_random123_known_answer(void **state)
{
    (void)state;
    philox4x32_ctr_t ctr = {{0, 0, 0, 0}};
    philox4x32_key_t key = {{0, 0}};
    philox4x32_ctr_t out = philox4x32_R(10, ctr, key);
    assert_int_equal(out.v[0], 0x6627e8d5u);
    assert_int_equal(out.v[1], 0xe169c58du);
    assert_int_equal(out.v[2], 0xbc57ac4cu);
    assert_int_equal(out.v[3], 0x9b00dbd8u);
}

/* Word w of stream (seed, k) is component c of block j = 8 (w / 32) + w % 8,
 * with c = (w % 32) / 8 (rng.h), block j being Random123's philox4x32 of
 * counter (j, k mod 2^32, k div 2^32, salt) under key (seed mod 2^32, seed div 2^32). */
static uint32_t reference_word(uint64_t seed, uint64_t k, uint64_t w)
{
    uint32_t j = (uint32_t)(8 * (w / 32) + w % 8);
    philox4x32_ctr_t ctr = {{j, (uint32_t)k, (uint32_t)(k >> 32), SCENMC_RNG_SALT}};
    philox4x32_key_t key = {{(uint32_t)seed, (uint32_t)(seed >> 32)}};
    return philox4x32(ctr, key).v[(w % 32) / 8];
}

static void check_kind(const char *kind)
{
    static const uint64_t seeds[] = {0, 1, 42, 0xffffffffull, 0x123456789abcdef0ull, UINT64_MAX};
    static const uint64_t streams[] = {0, 1, 7, 0xfffffffful, 0x100000000ull, UINT64_MAX - 3};
    scenmc__rng_force(kind);
    for (size_t a = 0; a < sizeof seeds / sizeof *seeds; a++)
        for (size_t b = 0; b < sizeof streams / sizeof *streams; b++) {
            scenmc__rng r;
            scenmc__rng_init(&r, seeds[a], streams[b]);
            for (uint64_t w = 0; w < 1000; w++) { /* 31 batches and a part */
                uint32_t got = scenmc__rng_u32(&r), want = reference_word(seeds[a], streams[b], w);
                if (got != want)
                    fail_msg("%s: seed %llu stream %llu word %llu: %08x, Random123 gives %08x", kind,
                             (unsigned long long)seeds[a], (unsigned long long)streams[b],
                             (unsigned long long)w, got, want);
            }
            /* The same stream when refills of one batch and of two alternate
             * (the engine makes one when a round needs at most a batch more). */
            scenmc__rng_init(&r, seeds[a], streams[b]);
            for (uint64_t w = 0, n = 0; w < 1000; w++) {
                if (r.next == SCENMC_RNG_BUFFER)
                    n++ % 3 ? scenmc__rng_refill_one(&r) : scenmc__rng_refill(&r);
                uint32_t got = (uint32_t)r.word[r.next++], want = reference_word(seeds[a], streams[b], w);
                if (got != want)
                    fail_msg("%s, one-batch refills: seed %llu stream %llu word %llu: %08x, Random123 gives %08x",
                             kind, (unsigned long long)seeds[a], (unsigned long long)streams[b],
                             (unsigned long long)w, got, want);
            }
        }
    scenmc__rng_force(NULL);
}

static void test_avx2_batches_are_philox(void **state)
{
    (void)state;
#if defined(__x86_64__)
    if (!__builtin_cpu_supports("avx2"))
        skip();
#endif
    check_kind("avx2");
}

static void test_avx512_batches_are_philox(void **state)
{
    (void)state;
#if defined(__x86_64__)
    if (!__builtin_cpu_supports("avx512f"))
        skip();
#endif
    check_kind("avx512");
}

static void test_sse2_batches_are_philox(void **state)
{
    (void)state;
    check_kind("sse2");
}

static void test_portable_batches_are_philox(void **state)
{
    (void)state;
    check_kind("random123");
}

/* The automatic choice is one of the checked kinds, and uniforms lie in (0, 1). */
static void test_uniforms_in_open_interval(void **state)
{
    (void)state;
    const char *kind = scenmc__rng_kind();
    assert_true(!strcmp(kind, "avx512") || !strcmp(kind, "avx2") || !strcmp(kind, "sse2") ||
                !strcmp(kind, "random123"));
    scenmc__rng r;
    scenmc__rng_init(&r, 3, 5);
    for (int i = 0; i < 100000; i++) {
        double u = scenmc__rng_uniform32(&r), v = scenmc__rng_uniform53(&r);
        assert_true(u > 0 && u < 1);
        assert_true(v > 0 && v < 1);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random123_known_answer),
        cmocka_unit_test(test_avx2_batches_are_philox),
        cmocka_unit_test(test_avx512_batches_are_philox),
        cmocka_unit_test(test_sse2_batches_are_philox),
        cmocka_unit_test(test_portable_batches_are_philox),
        cmocka_unit_test(test_uniforms_in_open_interval),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
