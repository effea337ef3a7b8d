/* Defaults of the importers' and exporters' options. */
#include "interop/options.h"

#include <string.h>

void scenmc_import_options_init(scenmc_import_options *o)
{
    memset(o, 0, sizeof *o);
}

void scenmc_export_options_init(scenmc_export_options *o)
{
    memset(o, 0, sizeof *o);
}

