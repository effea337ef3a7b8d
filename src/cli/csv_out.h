/* Writing CSV for export and consistent: RFC 4180 quoting, LF line ends, and
 * the spreadsheet style of --excel (';', decimal comma, UTF-8 byte-order mark)
 * that Excel in Swedish and other comma-decimal locales opens by double-click. */
#ifndef SCENMC_CLI_CSV_OUT_H
#define SCENMC_CLI_CSV_OUT_H

#include <stdint.h>
#include <stdio.h>

typedef struct csv_style {
    char sep;     /* ',' or ';' */
    char decimal; /* '.' or ',' */
    int bom;      /* start the file with the UTF-8 byte-order mark */
    int crlf;     /* CR LF line ends instead of LF */
} csv_style;

/* The plain style (',', '.', no BOM, LF) and the --excel one (';', ',', BOM, LF). */
extern const csv_style csv_plain, csv_excel;

typedef struct csv {
    FILE *f;
    int col;
    const csv_style *st;
    /* JSON (csv_begin_json): the first row names the fields, every later
     * row is written as an object keyed by them, texts as strings, numbers
     * as numbers (null when not finite). */
    int json, rows;
    char **names;
    int n_names;
} csv;

/* Starts a file: the byte-order mark when the style has one. */
void csv_begin(csv *c, FILE *f, const csv_style *st);
/* Starts a table written as a JSON array of row objects ("[" ... "]", its
 * rows at six spaces of indent), ended by csv_end_json. */
void csv_begin_json(csv *c, FILE *f);
void csv_end_json(csv *c);
/* One field; quoted when it holds the separator, a quote or a line end. */
void csv_text(csv *c, const char *s);
/* A number that reads back to the identical double, with the style's decimal mark. */
void csv_double(csv *c, double x);
void csv_u64(csv *c, uint64_t x);
void csv_int(csv *c, long x);
/* Ends the row. */
void csv_end(csv *c);

#endif
