/* scenmc report of a signposts file (docs/signposts.md, section 4). */
#ifndef SCENMC_CLI_REPORT_SIGNPOSTS_H
#define SCENMC_CLI_REPORT_SIGNPOSTS_H

#include "cli/report_out.h"
#include "cli/results_src.h"

/* The ranking, the scenario-defining descriptors apart, when to look, and
 * P(target | variant) of the three leading indicators. */
void report_signposts(const out *o, const results_src *s, int top);

#endif
