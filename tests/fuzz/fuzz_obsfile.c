/* Fuzz target: the observations file parser (docs/model-format.md,
 * "Observations files") against the built-in Västernorrland model, then what
 * commands do with what it read (checks, likelihoods, a copy).
 * Built with libFuzzer by tests/fuzz/build.sh; replayed over the corpus by
 * the fuzz_replay/obsfile ctest. */
#include "model/obs_file.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static scenmc_model *model;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    scenmc_error err;
    scenmc_error_clear(&err);
    if (!model && scenmc_model_load_default(&model, &err) != SCENMC_OK)
        abort();
    scenmc_observations o;
    scenmc_observations_init(&o);
    if (scenmc__observations_parse(&o, model, (const char *)data, size, "<fuzz>", &err) != SCENMC_OK) {
        if (err.code == SCENMC_OK || err.n_problems == 0 || !err.msg[0] || o.n || o.start)
            abort(); /* every failure says why, and keeps nothing (no memory either: LeakSanitizer) */
        return 0;
    }
    scenmc_params p;
    scenmc_params_init(&p, model);
    (void)scenmc_observations_check(model, &o, &p, &err);
    int s[SCENMC_MAX_DESCRIPTORS] = {0};
    for (int i = 0; i < o.n; i++) {
        if (o.obs[i].descriptor < 0 || o.obs[i].descriptor >= model->n_descriptors || !o.obs[i].where)
            abort();
        (void)scenmc_observations_likelihood(&o, o.obs[i].year, o.start ? o.start : s);
    }
    scenmc_observations c;
    scenmc_observations_copy(&c, &o);
    scenmc_observations_free(&c);
    scenmc_params_free(&p);
    scenmc_observations_free(&o);
    return 0;
}
