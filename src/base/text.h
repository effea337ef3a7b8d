/* Text: legacy encodings to UTF-8 (scenmc__text_to_utf8), UTF-8 decoding and
 * character counts, identifiers from names (scenmc__id_from_name), durations
 * (scenmc_duration_parse, declared in scenmc/hpc.h). */
#ifndef SCENMC_BASE_TEXT_H
#define SCENMC_BASE_TEXT_H

#include "scenmc/scenmc.h"
#include "scenmc/hpc.h"

#include <stddef.h>

/* Text from Windows tools: drops a UTF-8 byte-order mark and, when the rest
 * is not valid UTF-8, reads it as Windows-1252 and converts it. Returns a
 * malloc'd NUL-terminated copy; *converted (optional) says whether it was
 * converted. NUL bytes are refused (SCENMC_E_INPUT, with line and column). */
scenmc_status scenmc__text_to_utf8(const char *in, size_t len, const char *name, char **out,
                                  size_t *out_len, int *converted, scenmc_error *err);

/* A descriptor id made from a name: ASCII letters and digits kept, accented
 * Latin letters without their accents, every other run of characters one '_',
 * no '_' at either end, at most 48 characters; "D" followed by fallback_number
 * when nothing is left. out must hold 64 bytes. */
void scenmc__id_from_name(const char *name, int fallback_number, char out[64]);

/* Whether s is a valid id: not empty, only ASCII letters, digits, '_' and '-'. */
int scenmc__id_valid(const char *s);

/* The file name of a path: what follows its last '/'. */
const char *scenmc__path_base(const char *path);

/* Decodes one UTF-8 sequence at s (n bytes left) into *cp; returns its length,
 * or 0 when it is not well-formed (overlong, surrogate, beyond U+10FFFF). */
size_t scenmc__utf8_decode(const unsigned char *s, size_t n, unsigned *cp);

/* Characters (code points) in a UTF-8 string: its width in a terminal column
 * for the scripts scenmc meets (no combining marks, no double-width glyphs). */
size_t scenmc__utf8_chars(const char *s);

/* The same count for the n bytes at s (every byte but UTF-8 continuation
 * bytes); the lexer's columns use it. */
size_t scenmc__utf8_count(const char *s, size_t n);

#endif
