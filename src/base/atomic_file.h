/* Files written whole or not at all (scenmc_write_text_file). */
#ifndef SCENMC_BASE_ATOMIC_FILE_H
#define SCENMC_BASE_ATOMIC_FILE_H

#include "scenmc/interop.h"

#endif
