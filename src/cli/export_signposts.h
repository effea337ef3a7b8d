/* scenmc export of a signposts file (scenmc signposts, docs/signposts.md
 * section 4): the indicators' information, P(target | variant), the pairs and
 * the target as tidy CSV (columns: docs/export.md). */
#ifndef SCENMC_CLI_EXPORT_SIGNPOSTS_H
#define SCENMC_CLI_EXPORT_SIGNPOSTS_H

#include "cli/export_tables.h"
#include "cli/results_src.h"

enum { EXPORT_SP_MI, EXPORT_SP_CONDITIONAL, EXPORT_SP_PAIRS, EXPORT_SP_TARGET, EXPORT_SP_META, EXPORT_SP_N };

/* The file name (without .csv) of table k. */
extern const char *const export_sp_names[EXPORT_SP_N];
/* Whether the file has table k (the pairs only when it has pairs). */
int export_sp_has(const scenmc_signposts *sp, int k);
/* Table k of the signposts file s (s->is_signposts) with its header row. */
void export_sp_table(csv *c, const results_src *s, int k);

#endif
