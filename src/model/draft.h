/* Drafts of models built by the importers (scenmc__model_draft_new, scenmc__model_build).
 *
 * A draft is a scenmc_model with these fields set (all malloc'd, so that
 * scenmc_model_free frees it): name; description, source (or NULL);
 * year_start, year_end; scale_c, scale_x; n_descriptors and descriptors[]
 * (id or NULL, name, label or NULL, n_variants, offset, rate (<= 0: none),
 * initial or NULL); n_variants, variant_name[V], and optionally
 * variant_id[V], variant_label[V] (arrays or entries NULL); consistency and
 * scored (V*V, or NULL: no consistency matrix); cross_impact (V*V or NULL);
 * bias (V or NULL); scenarios; the defaults beta, w_consistency, w_cross,
 * rate, trajectories, seed and start (or NULL). */
#ifndef SCENMC_MODEL_DRAFT_H
#define SCENMC_MODEL_DRAFT_H

#include "scenmc/scenmc.h"

#include <stddef.h>

/* A draft with the defaults (years 2020-2030, scales [-3, 3] and [-20, 20],
 * beta 0.5, rate 0.5, weights 1, 1000000 trajectories, seed 1) and the
 * descriptor and variant arrays (names NULL, offsets set). */
scenmc_model *scenmc__model_draft_new(int n_descriptors, const int *n_variants);

/* Names a draft after where it came from: name = title when not empty, else
 * the file name of path without its extension; source = "FORMAT FILENAME". */
void scenmc__draft_set_origin(scenmc_model *m, const char *path, const char *title,
                             const char *format);

/* Completes and validates a draft: gives descriptors without an id one made
 * from their name (letters, digits, '_' and '-'; unique), adds the scenario
 * cross of scenario_axes ("ID1,ID2" or NULL), writes the YAML (comment as for
 * scenmc__model_to_yaml) and parses it. The draft is modified (ids,
 * scenarios). yaml and len may be NULL; out may be NULL. Messages about the
 * YAML itself name "NAME (as YAML)". */
scenmc_status scenmc__model_build(scenmc_model *draft, const char *scenario_axes,
                                 const char *comment, const char *name, char **yaml, size_t *len,
                                 scenmc_model **out, scenmc_error *err);

#endif
