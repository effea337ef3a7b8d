/* Fuzz target: the YAML model loader, then what commands do first with a
 * model (parameters, state-space size, scenario lookup, JSON-ish queries).
 * Built with libFuzzer by tests/fuzz/build.sh; replayed over the corpus by
 * the fuzz_replay_model ctest (under ASan+UBSan in scripts/test.sh). */
#include "scenmc/scenmc.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    scenmc_error err;
    scenmc_error_clear(&err);
    scenmc_model *m = NULL;
    if (scenmc_model_parse((const char *)data, size, "<fuzz>", &m, &err) != SCENMC_OK) {
        if (err.code == SCENMC_OK || err.n_problems == 0 || !err.msg[0])
            abort(); /* every failure must say why */
        return 0;
    }
    scenmc_params p;
    scenmc_params_init(&p, m);
    scenmc_error_clear(&err);
    (void)scenmc_params_check(&p, &err);
    (void)scenmc_model_state_count(m);
    (void)scenmc_model_has_unclassified(m);
    int *s = calloc((size_t)m->n_descriptors, sizeof(int));
    if (s) {
        (void)scenmc_model_scenario_of(m, s);
        (void)scenmc_model_total_consistency(m, s);
        free(s);
    }
    char hex[65];
    scenmc_model_sha256_hex(m, hex);
    scenmc_params_free(&p);
    scenmc_model_free(m);
    return 0;
}
