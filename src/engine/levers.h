/* scenmc levers' internals (scenmc/levers.h): the evaluation of one
 * intervention is a callback, so that tests can check the ranking, the
 * pairs and the trivial levers with a solver of their own. */
#ifndef SCENMC_ENGINE_LEVERS_H
#define SCENMC_ENGINE_LEVERS_H

#include "scenmc/levers.h"

#include <stdint.h>

/* P(target) under `with` and the baseline `base` (the same seed and
 * trajectories for Monte Carlo), and the paired standard error of their
 * difference (0 exact). in_target[S] marks the target's scenarios. */
typedef scenmc_status (*scenmc__levers_solver)(void *ctx, const scenmc_model *m, const scenmc_params *base,
                                               const scenmc_params *with, const uint8_t *in_target, int S,
                                               double *p_base, double *p_with, double *se,
                                               scenmc_error *err);

/* scenmc_levers with the evaluation by solve; base is the baseline already
 * cut to the target year. */
scenmc_status scenmc__levers_run(const scenmc_model *m, const scenmc_params *base, const scenmc_levers_spec *spec,
                                 scenmc__levers_solver solve, void *ctx, scenmc_levers_result *out,
                                 scenmc_error *err);

/* 0 or 1 when holding descriptor d at variant v forces P(target) to that by
 * the scenarios' definitions alone (the first matching scenario classifies
 * a state); -1 otherwise. */
int scenmc__lever_trivial(const scenmc_model *m, const uint8_t *in_target, int S, int d, int v);
/* Whether descriptor d is in a target scenario's conditions. */
int scenmc__lever_defining(const scenmc_model *m, const uint8_t *in_target, int d);

/* params with a hold of d at v over start..year_end appended to a copy of
 * base's schedule (push: a bias of strength b on that variant instead). */
void scenmc__lever_params(scenmc_params *out, const scenmc_params *base, scenmc_lever_kind kind, int d,
                          int v, int start, double b);

#endif
