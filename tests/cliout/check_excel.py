"""The --excel CSV files read back, with ';' and a decimal comma, to the same
numbers and names as the plain ones (scenmc's test_cliout runs this).

usage: check_excel.py PLAIN_DIR EXCEL_DIR"""
import csv
import io
import math
import os
import sys


def rows(path, excel):
    raw = open(path, "rb").read()
    if b"\r" in raw:
        sys.exit(f"{path}: a CR in the file; expected LF line ends")
    bom = raw.startswith(b"\xef\xbb\xbf")
    if bom != excel:
        sys.exit(f"{path}: byte-order mark {'present' if bom else 'missing'}")
    text = raw.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";" if excel else ","))


def number(s, excel):
    if excel:
        if "." in s:
            sys.exit(f"'{s}': a decimal point in the Excel style")
        s = s.replace(",", ".")
    try:
        return float(s)
    except ValueError:
        return None


def main(plain_dir, excel_dir):
    names = sorted(f for f in os.listdir(plain_dir) if f.endswith(".csv"))
    if len(names) < 9:
        sys.exit(f"{plain_dir}: {len(names)} CSV files; expected 9")
    cells = decimals = 0
    for name in names:
        a = rows(os.path.join(plain_dir, name), False)
        b = rows(os.path.join(excel_dir, name), True)
        if len(a) != len(b):
            sys.exit(f"{name}: {len(a)} rows plain, {len(b)} Excel")
        for i, (ra, rb) in enumerate(zip(a, b)):
            if len(ra) != len(rb):
                sys.exit(f"{name} row {i}: {len(ra)} fields plain, {len(rb)} Excel")
            for x, y in zip(ra, rb):
                cells += 1
                u = number(x, False)
                v = number(y, True) if u is not None else None
                if u is None:
                    if x != y:
                        sys.exit(f"{name} row {i}: '{x}' plain, '{y}' Excel")
                elif not (u == v or (math.isnan(u) and v is not None and math.isnan(v))):
                    sys.exit(f"{name} row {i}: {x} plain, {y} Excel")
                decimals += "." in x
    if decimals == 0:
        sys.exit("no number with a decimal point compared")
    print(f"{len(names)} files, {cells} cells, {decimals} decimals equal")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
