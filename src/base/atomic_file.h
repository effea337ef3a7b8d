/* Files written whole or not at all (scenmc_write_text_file): a temporary
 * file beside the target, renamed over it. */
#ifndef SCENMC_BASE_ATOMIC_FILE_H
#define SCENMC_BASE_ATOMIC_FILE_H

#include "scenmc/scenmc.h"

#include <stddef.h>

/* Writes text to path through a temporary file beside it and a rename;
 * refuses to replace an existing file unless force. */
scenmc_status scenmc_write_text_file(const char *path, const char *text, size_t len, int force,
                                     scenmc_error *err);

#endif
