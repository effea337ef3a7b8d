/* What scenmc export reads (cli/export_in.h). */
#include "cli/export_in.h"

#include <string.h>

int export_in_read(const char *path, export_in *in)
{
    memset(in, 0, sizeof *in);
    /* Calibration and levers files: recognised before the results reader,
     * as scenmc report does. */
    if (scenmc_calibration_file(path)) {
        in->src = EXPORT_SRC_CALIB;
        return export_calib_read(path, &in->cal);
    }
    if (export_levers_is_file(path)) {
        in->src = EXPORT_SRC_LEVERS;
        return export_levers_read(path, &in->lev);
    }
    return results_src_read("export", path, &in->s);
}

void export_in_free(export_in *in)
{
    if (in->src == EXPORT_SRC_CALIB)
        export_calib_free(&in->cal);
    else if (in->src == EXPORT_SRC_LEVERS)
        export_levers_free(&in->lev);
    else
        results_src_free(&in->s);
}

void export_in_names(const export_in *in, const char **model, const char **method)
{
    const scenmc_model *m = in->s.m;
    const scenmc_results_info *info = &in->s.info;
    if (in->src == EXPORT_SRC_CALIB)
        m = in->cal.m, info = &in->cal.info;
    else if (in->src == EXPORT_SRC_LEVERS)
        m = in->lev.m, info = &in->lev.info;
    *model = m->name;
    *method = info->method;
}
