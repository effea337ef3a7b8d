#include "cli/csv_out.h"
#include "base/util.h"

#include <string.h>

const csv_style csv_plain = {',', '.', 0, 0};
const csv_style csv_excel = {';', ',', 1, 0};

void csv_begin(csv *c, FILE *f, const csv_style *st)
{
    c->f = f;
    c->col = 0;
    c->st = st;
    if (st->bom)
        fputs("\xef\xbb\xbf", f);
}

void csv_text(csv *c, const char *s)
{
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
    char buf[40];
    scenmc__format_double(buf, x);
    if (c->st->decimal != '.') {
        char *dot = strchr(buf, '.');
        if (dot)
            *dot = c->st->decimal;
    }
    csv_text(c, buf);
}

void csv_u64(csv *c, uint64_t x)
{
    char buf[24];
    snprintf(buf, sizeof buf, "%llu", (unsigned long long)x);
    csv_text(c, buf);
}

void csv_int(csv *c, long x)
{
    char buf[24];
    snprintf(buf, sizeof buf, "%ld", x);
    csv_text(c, buf);
}

void csv_end(csv *c)
{
    fputs(c->st->crlf ? "\r\n" : "\n", c->f);
    c->col = 0;
}
