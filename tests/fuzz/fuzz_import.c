/* Fuzz target: the ScenarioWizard .scw and CSV readers, then the draft's
 * way through YAML and the loader (scenmc__model_build), as `scenmc import`
 * does. The first byte picks the reader, so one corpus covers both. */
#include "interop/csv_matrix.h"
#include "interop/scw.h"
#include "model/draft.h"
#include "scenmc/interop.h"
#include "scenmc/scenmc.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int csv = data[0] & 1, consistency = data[0] & 2;
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    scenmc_error err;
    scenmc_error_clear(&err);
    scenmc_model *draft = NULL;
    char *notes = NULL;
    scenmc_status st;
    if (csv) {
        scenmc_import_options o;
        scenmc_import_options_init(&o);
        o.consistency = consistency != 0;
        st = scenmc__csv_read_draft(text, len, "<fuzz.csv>", &o, &draft, &notes, &err);
    } else {
        st = scenmc__scw_read_draft(text, len, "<fuzz.scw>", &draft, &notes, &err);
    }
    free(notes);
    if (st != SCENMC_OK) {
        if (err.n_problems == 0 || !err.msg[0])
            abort(); /* every failure must say why */
        scenmc_model_free(draft);
        return 0;
    }
    scenmc_model *m = NULL;
    scenmc_error_clear(&err);
    if (scenmc__model_build(draft, NULL, NULL, "<fuzz>", NULL, NULL, &m, &err) == SCENMC_OK)
        scenmc_model_free(m);
    scenmc_model_free(draft);
    return 0;
}
