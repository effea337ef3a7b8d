/* scenmc report's output: headings, paragraphs and tables, as Markdown or
 * aligned plain text. */
#ifndef SCENMC_CLI_REPORT_OUT_H
#define SCENMC_CLI_REPORT_OUT_H

#include <stddef.h>
#include <stdio.h>

typedef struct out {
    FILE *f;
    int md;
    int json;
} out;

void heading(const out *o, int level, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
void para(const out *o, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* A table filled cell by cell, printed as a Markdown table or aligned columns. */
typedef struct tbl {
    int ncol, n;
    char **cell;
    size_t cap;
    char align[16]; /* 'l' or 'r' per column */
} tbl;
void tbl_cell(tbl *t, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* Prints t (its first row is the header) and empties it. */
void tbl_print(const out *o, tbl *t);

#endif
