/* A world that changes over the years (issue 18): trends and pushes (a bias
 * that depends on the year), interventions (a descriptor held at a variant
 * over some years) and shocks (events at a yearly hazard that set a
 * descriptor to a variant). A change acts in whole calendar years: its value
 * for the year from c to c + 1 is its value at c. */
#ifndef SCENMC_SCHEDULE_H
#define SCENMC_SCHEDULE_H

#include "scenmc/scenmc.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum scenmc_change_kind {
    SCENMC_CHANGE_TREND = 0, /* a bias on one variant: knot values, linear between, constant beyond */
    SCENMC_CHANGE_HOLD,      /* an intervention: the descriptor set at the start of `first` and kept */
    SCENMC_CHANGE_SHOCK,     /* events at `value` per year that set the descriptor to the variant */
    SCENMC_CHANGE_N_KINDS
} scenmc_change_kind;

extern const char *const scenmc_change_kind_names[SCENMC_CHANGE_N_KINDS];

typedef struct scenmc_change {
    scenmc_change_kind kind;
    int descriptor, variant; /* 0-based; variant within the descriptor */
    int first, last;         /* hold, shock: acts in the years first .. last (both included) */
    int n_knots;             /* trend: its bias is knot_value[k] at knot_year[k] (increasing) */
    int *knot_year;
    double *knot_value;
    double value;            /* shock: hazard per year */
    char *name;              /* the model file's name for it, or NULL */
    char *where;             /* where it was given, for messages ("--shock 2022-2030:...", "m.yaml:12") */
} scenmc_change;

typedef struct scenmc_schedule {
    int n;
    scenmc_change *ch;
} scenmc_schedule;

void scenmc_schedule_init(scenmc_schedule *s);
void scenmc_schedule_free(scenmc_schedule *s);
void scenmc_schedule_copy(scenmc_schedule *dst, const scenmc_schedule *src);
/* Appends a copy of c. */
void scenmc_schedule_add(scenmc_schedule *s, const scenmc_change *c);

/* Parse one command-line value each and append it (a variant by name, id or
 * 1-based number; YEARS is Y, from Y to the end, or Y1-Y2):
 *   trend      "ID=V:YEAR=BIAS,YEAR=BIAS,..."   e.g. "DA=Datamonopol:2020=0,2030=2"
 *   push       "YEARS:ID=V:BIAS"                e.g. "2023:FI=Offentligt:1.5"
 *   intervene  "YEARS:ID=V"                     e.g. "2023-2026:FI=Offentligt"
 *   shock      "YEARS:ID=V@HAZARD"              e.g. "2022-2030:DA=Datamonopol@0.1"
 * year_end is the model's last year (the end of an open range). */
scenmc_status scenmc_schedule_add_trend(scenmc_schedule *s, const scenmc_model *m, const char *text,
                                        scenmc_error *err);
scenmc_status scenmc_schedule_add_push(scenmc_schedule *s, const scenmc_model *m, const char *text, int year_end,
                                       scenmc_error *err);
scenmc_status scenmc_schedule_add_intervention(scenmc_schedule *s, const scenmc_model *m, const char *text,
                                               int year_end, scenmc_error *err);
scenmc_status scenmc_schedule_add_shock(scenmc_schedule *s, const scenmc_model *m, const char *text, int year_end,
                                        scenmc_error *err);

/* The extra bias of global variant u in the year from `year` to year + 1. */
double scenmc_schedule_bias(const scenmc_schedule *s, const scenmc_model *m, int year, int u);
/* The variant descriptor d is held at in that year (the last intervention
 * given wins), or -1. */
int scenmc_schedule_held(const scenmc_schedule *s, int year, int d);
/* The hazard per year of shocks that set descriptor d to variant b then. */
double scenmc_schedule_hazard(const scenmc_schedule *s, int year, int d, int b);
/* Whether any change acts in that year (0: the year's dynamics are the
 * model's own). */
int scenmc_schedule_active(const scenmc_schedule *s, const scenmc_model *m, int year);

#ifdef __cplusplus
}
#endif

#endif
