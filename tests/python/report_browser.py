#!/usr/bin/python3
"""report_browser.py -- `ipsim report` pages rendered by a real browser.

Usage: report_browser.py IPSIM_BIN SOURCE_DIR WORK_DIR

Runs a small scenario and a policy variant (--store monthly), writes a
one-file and a two-file report, and opens each in headless Chromium
(Debian's `chromium`, which `make test` installs):
  - --dump-dom after load: every expected chart is there, and each of its
    series has non-empty 90 % and 50 % bands and a median line; the text
    from the user (zone names with < & ") survives as text;
  - --enable-logging: no console message and no failed load (a page with a
    deliberate console.error checks that such messages are seen at all);
  - --screenshot at 1280 px wide: decoded with zlib, the picture is not
    blank and shows each series' colour;
  - --print-to-pdf: the print layout gives a PDF of several pages.
Before that, the command's bad inputs: exit status 2, no page, and a
results file never overwritten.
Only the standard library and the browser are used.  The last line says
how many checks passed and failed.
"""
import html.parser
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

from checklib import Checks, expect

SCENARIO = """\
ipsim: 1
name: Browser <check> & "co"
start: "2025-01"
horizon_months: 36
seed: 9
macro: {sigma: 0.2}
redirect_prob: 0.3
defaults: {capital_per_ha_musd: 4, fdi_capital_median_musd: 8, domestic_capital_median_musd: 2}
zones:
  - {name: "Park <A> & \\"B\\"", area_ha: 400, leased_ha: 150, clean_ha: 80,
     clearance_ha_per_year: 40, projects_per_year: 12, initial: {operating_capital_musd: 400}}
  - {name: Cluster C, area_ha: 200, clean_ha: 30, clearance_ha_per_year: 20, projects_per_year: 6}
targets:
  - {name: FDI 2026, metric: fdi_registered_musd, year: 2026, op: ">=", value: 60}
  - {name: Occupancy 2027, metric: occupancy, year: 2027, op: ">=", value: 0.5}
  - {name: Park A full, metric: occupancy, year: 2027, op: ">=", value: 0.6, zone: "Park <A> & \\"B\\""}
"""
ZONES = ['Park <A> & "B"', "Cluster C"]
KEY = ["occupancy", "fdi_registered_musd", "total_registered_musd", "production_musd",
       "lost_projects"]
COLOURS = [(0x00, 0x72, 0xB2), (0xE6, 0x9F, 0x00)]  # the first two series colours
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--hide-scrollbars", "--mute-audio"]


def chromium():
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    raise AssertionError("chromium is not installed (make test installs Debian's chromium)")


def browse(page, *extra, timeout=120):
    """Runs headless Chromium on page with a fresh profile; returns (stdout, stderr)."""
    with tempfile.TemporaryDirectory(prefix="ipsim-chromium-") as profile:
        cmd = [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--enable-logging=stderr",
               "--v=0", *extra, "file://" + os.path.abspath(page)]
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    expect(p.returncode == 0, f"chromium exit {p.returncode}: {p.stderr[-2000:]}")
    return p.stdout, p.stderr


def page_problems(stderr):
    """Console messages and failed loads in Chromium's log."""
    bad = re.compile(r"CONSOLE|Uncaught|Failed to load|net::ERR_|Refused to")
    return [line for line in stderr.splitlines() if bad.search(line)]


# ---- the DOM ----

class ChartParser(html.parser.HTMLParser):
    """svg.chart elements, with their g.bands / g.series paths by data-series."""

    def __init__(self):
        super().__init__()
        self.charts = {}      # id -> {"bands": {i: {cls: d}}, "series": {i: {cls: d}}, "targets": n}
        self.chart = None
        self.group = None     # (kind, series index)
        self.text = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        cls = (a.get("class") or "").split()
        if tag == "svg" and "chart" in cls:
            self.chart = self.charts.setdefault(a.get("id"), {"bands": {}, "series": {},
                                                              "targets": 0})
        elif self.chart is not None and tag == "g" and ("bands" in cls or "series" in cls):
            kind = "bands" if "bands" in cls else "series"
            self.group = (kind, int(a.get("data-series", "-1")))
            self.chart[kind].setdefault(self.group[1], {})
        elif self.chart is not None and tag == "g" and "target" in cls:
            self.chart["targets"] += 1
        elif self.chart is not None and self.group and tag == "path":
            kind, i = self.group
            for c in cls:
                self.chart[kind][i][c] = a.get("d") or ""

    def handle_endtag(self, tag):
        if tag == "svg":
            self.chart, self.group = None, None
        elif tag == "g":
            self.group = None

    def handle_data(self, data):
        self.text.append(data)


def points(d):
    return len(re.findall(r"[ML]\s*-?[\d.]+[ ,]-?[\d.]+", d or ""))


def check_dom(dom, n_series):
    p = ChartParser()
    p.feed(dom)
    want = ([f"year-{m}" for m in KEY] + [f"month-{m}" for m in KEY] +
            [f"zone-{m}-{z}" for m in ("occupancy", "production_musd") for z in range(2)])
    missing = [w for w in want if w not in p.charts]
    expect(not missing, f"charts missing from the page: {missing}")
    for cid, ch in p.charts.items():
        for i in range(n_series):
            expect(i in ch["bands"] and i in ch["series"], f"{cid}: series {i} not drawn")
            b, s = ch["bands"][i], ch["series"][i]
            expect(points(b.get("band90")) >= 6, f"{cid}: series {i} band90 is empty")
            expect(points(b.get("band50")) >= 6, f"{cid}: series {i} band50 is empty")
            expect(points(s.get("median")) >= 3, f"{cid}: series {i} median has < 3 points")
    # FDI and occupancy targets on the yearly charts, occupancy per month too
    # (a stock), the zone target on its zone's occupancy.
    for cid, n in [("year-fdi_registered_musd", 1), ("year-occupancy", 1),
                   ("month-occupancy", 1), ("month-fdi_registered_musd", 0),
                   ("zone-occupancy-0", 1), ("zone-occupancy-1", 0)]:
        expect(p.charts[cid]["targets"] == n, f"{cid}: {p.charts[cid]['targets']} targets, want {n}")
    text = "".join(p.text)
    for z in ZONES:
        expect(z in text, f"zone name {z!r} is not shown as text")
    expect('Browser <check> & "co"' in text, "scenario name is not shown as text")


# ---- the screenshot ----

def png_pixels(path):
    """(width, height, rows of RGB bytes) of an 8-bit RGB or RGBA PNG."""
    with open(path, "rb") as f:
        data = f.read()
    expect(data[:8] == b"\x89PNG\r\n\x1a\n", "screenshot is not a PNG")
    pos, idat, w = 8, [], 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
            expect(depth == 8 and ctype in (2, 6), f"PNG depth {depth} colour type {ctype}")
            bpp = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat.append(body)
        pos += 12 + n
    raw = zlib.decompress(b"".join(idat))
    stride = w * bpp
    prev = bytearray(stride)
    rows = []
    for y in range(h):
        ft = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        if ft == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 255
        elif ft == 2:
            line = bytearray((a + b) & 255 for a, b in zip(line, prev))
        elif ft == 3:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 255
        elif ft == 4:
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b, c = prev[i], prev[i - bpp] if i >= bpp else 0
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line) if bpp == 3 else bytes(v for i, v in enumerate(line) if i % 4 != 3))
        prev = line
    return w, h, rows


def check_screenshot(path, n_series):
    w, h, rows = png_pixels(path)
    expect(w == 1280, f"screenshot is {w} px wide")
    n = s = ss = 0
    near = [0] * n_series
    for row in rows[::2]:
        for x in range(0, len(row), 6):  # every other pixel
            r, g, b = row[x], row[x + 1], row[x + 2]
            v = (r * 299 + g * 587 + b * 114) // 1000
            n, s, ss = n + 1, s + v, ss + v * v
            for i, (cr, cg, cb) in enumerate(COLOURS[:n_series]):
                if abs(r - cr) + abs(g - cg) + abs(b - cb) < 60:
                    near[i] += 1
    var = ss / n - (s / n) ** 2
    expect(var > 200, f"screenshot looks blank (grey variance {var:.1f})")
    expect(s / n > 150, f"screenshot is mostly dark (mean grey {s / n:.0f})")
    for i in range(n_series):
        expect(near[i] > n * 0.001, f"series colour {i} barely visible ({near[i]} of {n} pixels)")


def check_console_detected(work):
    """A page with a console error: the log check must see it."""
    page = os.path.join(work, "console_error.html")
    with open(page, "w") as f:
        f.write("<!DOCTYPE html><title>x</title><script>console.error('ipsim-probe')</script>")
    _, err = browse(page, "--dump-dom")
    expect(any("ipsim-probe" in line for line in page_problems(err)),
           "a console.error was not seen in Chromium's log: the check would miss errors")


def check_page(page, n_series, work):
    dom, err = browse(page, "--dump-dom")
    problems = page_problems(err)
    expect(not problems, f"{page}: console messages or failed loads: {problems[:5]}")
    check_dom(dom, n_series)
    shot = os.path.splitext(page)[0] + ".png"
    browse(page, f"--screenshot={shot}", "--window-size=1280,2000")
    check_screenshot(shot, n_series)


def check_print(page):
    pdf = os.path.splitext(page)[0] + ".pdf"
    browse(page, f"--print-to-pdf={pdf}", "--no-pdf-header-footer")
    with open(pdf, "rb") as f:
        data = f.read()
    expect(data[:5] == b"%PDF-", "print output is not a PDF")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", data))
    expect(pages >= 2, f"printed report has {pages} pages")


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    expect(p.returncode == 0, f"{' '.join(cmd)}: exit {p.returncode}: {p.stderr}")


def check_cli_errors(binary, work, h5):
    """Bad input: exit status 2, a message naming the culprit, no page, and
    the results file untouched; the default page name follows the file."""
    def status(args):
        p = subprocess.run([binary, "report", *args], capture_output=True, text=True, timeout=120)
        return p.returncode, p.stderr
    page = os.path.join(work, "bad.html")
    missing = os.path.join(work, "missing.h5")
    for args, culprit in [([missing, "-o", page], "missing.h5"),
                          ([h5, "--monthly", "sometimes", "-o", page], "--monthly"),
                          ([h5, "--frobnicate", "-o", page], "--frobnicate"),
                          ([], "RESULTS.h5")]:
        rc, err = status(args)
        expect(rc == 2 and culprit in err, f"report {args}: exit {rc}, stderr {err!r}")
        expect(not os.path.exists(page), f"report {args} left {page}")
    before = open(h5, "rb").read()
    rc, err = status([h5, "-o", h5])
    expect(rc == 2 and "overwrite" in err, f"report -o INPUT: exit {rc}, {err!r}")
    expect(open(h5, "rb").read() == before, "report -o INPUT changed the results file")
    rc, err = status([h5])
    default = os.path.splitext(h5)[0] + ".html"
    expect(rc == 0 and os.path.exists(default), f"default page {default}: exit {rc}, {err!r}")


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: report_browser.py IPSIM_BIN SOURCE_DIR WORK_DIR")
    binary, _source, work = sys.argv[1:]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    base, policy = os.path.join(work, "base.yaml"), os.path.join(work, "policy.yaml")
    with open(base, "w") as f:
        f.write(SCENARIO)
    with open(policy, "w") as f:
        f.write(SCENARIO.replace("name: Browser", "name: Policy")
                .replace("projects_per_year: 6}", "projects_per_year: 6,\n"
                         "     upgrades: [{from: \"2025-07\", attractiveness: 1.6}]}"))
    h5 = [os.path.join(work, n) for n in ("base.h5", "policy.h5")]
    one, two = os.path.join(work, "one.html"), os.path.join(work, "two.html")
    c = Checks()
    c.run("chromium is installed", chromium)
    for scen, out in zip((base, policy), h5):
        c.run(f"run {os.path.basename(scen)}", run,
              [binary, "run", scen, "-n", "200", "-j", "2", "--store", "monthly", "-o", out, "-q"])
    c.run("report, one file", run, [binary, "report", h5[0], "-o", one])
    c.run("report, two files", run, [binary, "report", h5[0], h5[1], "-o", two])
    if c.failed:
        return c.summary()
    c.run("report's bad inputs", check_cli_errors, binary, work, h5[0])
    c.run("console errors are detected", check_console_detected, work)
    c.run("one-file page in Chromium", check_page, one, 1, work)
    c.run("two-file page in Chromium", check_page, two, 2, work)
    c.run("two-file page prints", check_print, two)
    return c.summary()


if __name__ == "__main__":
    sys.exit(main())
