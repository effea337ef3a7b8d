/* Text: legacy encodings to UTF-8 (scenmc_text_to_utf8), identifiers from names (scenmc_id_from_name), durations (scenmc_duration_parse). */
#ifndef SCENMC_BASE_TEXT_H
#define SCENMC_BASE_TEXT_H

#include "scenmc/interop.h"
#include "scenmc/hpc.h"

#include <stddef.h>

/* Decodes one UTF-8 sequence at s (n bytes left) into *cp; returns its length,
 * or 0 when it is not well-formed (overlong, surrogate, beyond U+10FFFF). */
size_t scenmc_utf8_decode(const unsigned char *s, size_t n, unsigned *cp);

/* Characters (code points) in a UTF-8 string: its width in a terminal column
 * for the scripts scenmc meets (no combining marks, no double-width glyphs). */
size_t scenmc_utf8_chars(const char *s);

#endif
