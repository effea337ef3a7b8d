/* Lines of a text file for the line-oriented readers (.scw, .sl): split once,
 * with line numbers and character columns for messages. */
#ifndef SCENMC_BASE_LEXER_H
#define SCENMC_BASE_LEXER_H

#include "scenmc/scenmc.h"

#include <stddef.h>

typedef struct scenmc__line {
    const char *s; /* start of the line */
    size_t len;    /* without the line end (LF or CR LF) */
    int no;        /* 1-based line number */
} scenmc__line;

typedef struct scenmc__lexer {
    const char *file;
    scenmc__line *lines;
    int n, i; /* lines, and the next one to read */
    int last_no;
    scenmc_error *err;
} scenmc__lexer;

/* Splits text into lines (LF or CR LF); L->file and L->err are the caller's. */
void scenmc__lexer_split(scenmc__lexer *L, const char *text, size_t len);
/* Column (1-based, in characters) of byte offset off within a line. */
int scenmc__line_col(const scenmc__line *ln, size_t off);
/* Whether s[0..n) holds only blanks and tabs. */
int scenmc__blank(const char *s, size_t n);
/* The next line that is not empty (keep_spaces) or not blank; NULL at the end. */
const scenmc__line *scenmc__lexer_next(scenmc__lexer *L, int keep_spaces);
/* A malloc'd copy of s[0..n) without surrounding blanks and, when the rest is
 * quoted "...", without the quotes. */
char *scenmc__clean_name(const char *s, size_t n);
/* The first 40 bytes of a line, "..." after them when it is longer. */
void scenmc__line_excerpt(const scenmc__line *ln, char out[64]);
/* An optionally signed decimal integer filling s[0..n); saturates at 1e8. */
int scenmc__parse_long(const char *s, size_t n, long *out);
/* Reports that the file ends early: where, and what was expected instead. */
scenmc_status scenmc__lexer_truncated(scenmc__lexer *L, const char *where, const char *expected);

#endif
