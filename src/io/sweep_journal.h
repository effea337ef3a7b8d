/* A sweep's points saved as they finish (docs/hpc.md, "Stopped sweeps").
 *
 * The folder OUT.points beside the sweep file OUT holds 'design', a text that
 * says which sweep it belongs to (a resume must match it), and one results
 * file per finished point, point-NNNNNN.h5 (NNNNNN: the point's index in the
 * whole design), each written atomically. The sweep file is assembled from
 * them once every point is there, then the folder is removed. A failure
 * (out of memory, a signal, a node that dies) loses at most the point in
 * progress. */
#ifndef SCENMC_IO_SWEEP_JOURNAL_H
#define SCENMC_IO_SWEEP_JOURNAL_H

#include "scenmc/scenmc.h"

typedef struct scenmc__sweep_journal {
    char *dir;   /* OUT.points (malloc'd) */
    int resumed; /* the folder was there already */
} scenmc__sweep_journal;

/* The folder's name for the sweep file out (malloc'd): out + ".points", the
 * last component cut to its first 200 bytes so that the name fits. */
char *scenmc__sweep_journal_dir(const char *out);

/* Opens the folder of the sweep file out, creating it with design (the text
 * that says what the sweep is) when absent. When present its design must
 * equal design: else SCENMC_E_INPUT naming the first line that differs.
 * Anything but a folder under that name is refused. */
scenmc_status scenmc__sweep_journal_open(scenmc__sweep_journal *j, const char *out, const char *design,
                                        scenmc_error *err);

/* Whether point i is saved. */
int scenmc__sweep_journal_has(const scenmc__sweep_journal *j, int i);

/* How many of the points [first, last) are saved. */
int scenmc__sweep_journal_count(const scenmc__sweep_journal *j, int first, int last);

/* Saves point i (atomically, replacing a saved one). */
scenmc_status scenmc__sweep_journal_save(const scenmc__sweep_journal *j, int i, const scenmc_results *r,
                                        const scenmc_write_options *wo, scenmc_error *err);

/* Reads point i back into r, checked against the sweep: the model's SHA-256
 * (m), the parameters bit for bit (p) and every trajectory [0, N). r->model
 * is m afterwards. flags: those of scenmc_results_read_info. On failure r
 * holds nothing to free. */
scenmc_status scenmc__sweep_journal_load(const scenmc__sweep_journal *j, int i, const scenmc_model *m,
                                        const scenmc_params *p, unsigned flags, scenmc_results *r,
                                        scenmc_error *err);

/* Removes the folder: the design, the point files and their temporaries.
 * A folder that holds anything else is kept (SCENMC_E_IO says so). */
scenmc_status scenmc__sweep_journal_remove(scenmc__sweep_journal *j, scenmc_error *err);

void scenmc__sweep_journal_free(scenmc__sweep_journal *j);

#endif
