/* Files written whole or not at all (scenmc_write_text_file): a temporary
 * file beside the target, renamed over it. */
#ifndef SCENMC_BASE_ATOMIC_FILE_H
#define SCENMC_BASE_ATOMIC_FILE_H

#include "scenmc/scenmc.h"

#include <stddef.h>

/* The steps, for writers of other kinds of files (io/results_write.c):
 * scenmc_output_target_check refuses a path that is a directory, or that
 * exists when force is 0 ("PATH: already exists; use --force to overwrite it"). */
scenmc_status scenmc_output_target_check(const char *path, int force, scenmc_error *err);

/* Creates an empty temporary file "PATH.tmp-XXXXXX" beside path: returns its
 * descriptor and its malloc'd name in *tmp; -1 and *tmp NULL (reported as
 * "PATH: cannot write there: REASON") when it cannot. */
int scenmc_temp_beside(const char *path, char **tmp, scenmc_error *err);

/* Gives a finished temporary file the mode a plain create would have had
 * (mkstemp makes it private), before it is renamed into place. */
void scenmc_temp_set_mode(const char *tmp);

/* Writes text to path through a temporary file beside it and a rename;
 * refuses to replace an existing file unless force. */
scenmc_status scenmc_write_text_file(const char *path, const char *text, size_t len, int force,
                                     scenmc_error *err);

#endif
