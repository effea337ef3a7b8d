#include "cli/csv_out.h"
#include "cli/json_out.h"
#include "base/util.h"

#include <stdlib.h>
#include <string.h>

const csv_style csv_plain = {',', '.', 0, 0};
const csv_style csv_excel = {';', ',', 1, 0};

void csv_begin(csv *c, FILE *f, const csv_style *st)
{
    memset(c, 0, sizeof *c);
    c->f = f;
    c->st = st;
    if (st->bom)
        fputs("\xef\xbb\xbf", f);
}

void csv_begin_json(csv *c, FILE *f)
{
    csv_begin(c, f, &csv_plain);
    c->json = 1;
    fputs("[", f);
}

void csv_end_json(csv *c)
{
    fputs(c->rows > 1 ? "\n    ]" : "]", c->f);
    for (int k = 0; k < c->n_names; k++)
        free(c->names[k]);
    free(c->names);
    c->names = NULL;
    c->n_names = 0;
}

/* JSON: the header row's fields become the names; 1 when the field is a
 * value (its "name": written), 0 when it was a name. */
static int json_field(csv *c, const char *text)
{
    if (c->rows == 0) {
        c->names = scenmc__xrealloc(c->names, (size_t)(c->n_names + 1) * sizeof(char *));
        c->names[c->n_names++] = scenmc__strdup(text ? text : "");
        c->col++;
        return 0;
    }
    fputs(c->col ? ", " : c->rows > 1 ? ",\n      {" : "\n      {", c->f);
    json_string(c->f, c->col < c->n_names ? c->names[c->col] : "");
    fputs(": ", c->f);
    c->col++;
    return 1;
}

void csv_text(csv *c, const char *s)
{
    if (c->json) {
        if (json_field(c, s))
            json_string(c->f, s ? s : "");
        return;
    }
    if (c->col++)
        fputc(c->st->sep, c->f);
    if (!s)
        s = "";
    char special[] = {c->st->sep, '"', '\r', '\n', '\0'};
    if (!strpbrk(s, special)) {
        fputs(s, c->f);
        return;
    }
    fputc('"', c->f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', c->f);
        fputc(*s, c->f);
    }
    fputc('"', c->f);
}

void csv_double(csv *c, double x)
{
    if (c->json) {
        if (json_field(c, NULL))
            json_number(c->f, x);
        return;
    }
    char buf[40];
    scenmc__format_double(buf, x);
    if (c->st->decimal != '.') {
        char *dot = strchr(buf, '.');
        if (dot)
            *dot = c->st->decimal;
    }
    csv_text(c, buf);
}

/* An integer's digits: a JSON number, or a CSV field. */
static void csv_digits(csv *c, const char *digits)
{
    if (!c->json)
        csv_text(c, digits);
    else if (json_field(c, digits))
        fputs(digits, c->f);
}

void csv_u64(csv *c, uint64_t x)
{
    char buf[24];
    snprintf(buf, sizeof buf, "%llu", (unsigned long long)x);
    csv_digits(c, buf);
}

void csv_int(csv *c, long x)
{
    char buf[24];
    snprintf(buf, sizeof buf, "%ld", x);
    csv_digits(c, buf);
}

void csv_end(csv *c)
{
    if (c->json && c->rows++ > 0)
        fputs("}", c->f);
    else if (!c->json)
        fputs(c->st->crlf ? "\r\n" : "\n", c->f);
    c->col = 0;
}
