#!/usr/bin/env python3
"""CLI tests of the pictures (`bench --html/--svg`, `report`) and of `show`, run against the
real binary; the HTML page is rendered by a real headless Chromium.

Usage: test_report.py /path/to/conc-probe
Exit 77 (skipped) only when no Chromium is installed; everything else is checked anyway.
"""
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
import zlib
from pathlib import Path

import jsonschema

BINARY = os.path.abspath(sys.argv[1])
DOCS = Path(os.environ.get("CONC_PROBE_DOCS", Path(__file__).resolve().parents[2] / "docs"))
SCHEMA = json.loads((DOCS / "schema" / "bench.schema.json").read_text())
RUN = ["bench", "--workload", "count,sleep", "--mode", "single,threads,gil", "--duration", "40ms",
       "--repetitions", "3", "--warmup", "0", "--workers", "1,2", "-q"]
SVG_NS = "{http://www.w3.org/2000/svg}"
FAILURES = []


def check(condition, message):
    if not condition:
        FAILURES.append(message)
        print("FAIL:", message, file=sys.stderr)


def run(args, timeout=180, cwd=None):
    return subprocess.run([BINARY, *args], capture_output=True, text=True, timeout=timeout, cwd=cwd)


def is_usage_error(result, what):
    check(result.returncode == 2, f"{what}: exit {result.returncode}, expected 2")
    check(result.stdout == "", f"{what}: stdout not empty")
    lines = result.stderr.strip().splitlines()
    check(len(lines) == 1 and lines[0].startswith("conc-probe: error: "),
          f"{what}: stderr {result.stderr!r}")


def check_svg(path, what):
    """A standalone SVG: well-formed XML, an <svg> root with shapes in it."""
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as error:
        check(False, f"{what}: not well-formed XML: {error}")
        return
    check(root.tag == SVG_NS + "svg", f"{what}: root is {root.tag}")
    shapes = [e for e in root.iter() if e.tag in (SVG_NS + "polyline", SVG_NS + "rect", SVG_NS + "circle")]
    check(len(shapes) >= 3, f"{what}: only {len(shapes)} shapes")


def expected_charts(run_json):
    cells = run_json["cells"]
    ids = {"speedup"}
    for cell in cells:
        if cell["kind"] != "cpu" and any(s["latency_seconds"] for s in cell["samples"]):
            ids.add("latency-" + cell["key"]["workload"])
    gil = [c for c in cells if c["key"]["mode"] == "gil"]
    return ids, len(gil)


def test_bench_writes_pictures(tmp):
    result = run([*RUN, "-o", "run.json", "--html", "page.html", "--svg", "chart.svg"], cwd=tmp)
    check(result.returncode == 0, f"bench --html: exit {result.returncode}: {result.stderr}")
    run_json = json.loads((tmp / "run.json").read_text())
    jsonschema.validate(run_json, SCHEMA)
    gil_cells = [c for c in run_json["cells"] if c["key"]["mode"] == "gil"]
    check(gil_cells and all(any("gil_events" in s for s in c["samples"]) for c in gil_cells),
          "bench --html: gil cells carry no gil_events in the JSON")
    check_svg(tmp / "chart.svg", "bench --svg")
    page = (tmp / "page.html").read_text()
    check("<script" not in page and "src=" not in page and "href=" not in page,
          "bench --html: the page loads or runs something")
    return run_json


def test_report_and_show(tmp, run_json):
    result = run(["report", "run.json", "-o", "report.html"], cwd=tmp)
    check(result.returncode == 0 and result.stdout == "", f"report -o: {result.returncode} {result.stderr}")
    stdout_page = run(["report", "run.json"], cwd=tmp)
    check(stdout_page.stdout == (tmp / "report.html").read_text(), "report to stdout differs from -o")
    check(run(["report", "run.json", "--svg", "lat.svg", "--chart", "latency-sleep"], cwd=tmp).returncode == 0,
          "report --svg --chart latency-sleep failed")
    check_svg(tmp / "lat.svg", "report --svg latency-sleep")
    is_usage_error(run(["report", "run.json", "--svg", "no.svg", "--chart", "pie"], cwd=tmp), "unknown chart")
    check(not (tmp / "no.svg").exists(), "unknown chart: a file was written")
    (tmp / "bad.json").write_text('{"hello": 1}')
    is_usage_error(run(["report", "bad.json", "-o", "bad.html"], cwd=tmp), "report of a non-run")
    check(not (tmp / "bad.html").exists(), "report of a non-run: a file was written")
    is_usage_error(run(["show", "missing.json"], cwd=tmp), "show of a missing file")

    shown = run(["show", "run.json", "-f", "json"], cwd=tmp)
    check(shown.returncode == 0 and json.loads(shown.stdout) == run_json, "show -f json differs from the file")
    table = run(["show", "run.json"], cwd=tmp)
    check(table.returncode == 0 and "gil\u00d72 @5ms" in table.stdout and "Findings" in table.stdout,
          f"show: no table: {table.stdout[:200]!r}")
    csv = run(["show", "run.json", "-f", "csv"], cwd=tmp).stdout.strip().splitlines()
    check(len(csv) == len(run_json["cells"]) + 1, f"show -f csv: {len(csv)} lines")


def test_no_gil_cell(tmp):
    """--timeline/--trace without a gil cell: a warning, and no (empty) trace file."""
    result = run(["bench", "--mode", "single,threads", "--workload", "count", "--workers", "2",
                  "--duration", "20ms", "--repetitions", "2", "--warmup", "0", "-q",
                  "--timeline", "--trace", "none.json"], cwd=tmp)
    check(result.returncode == 0, f"trace without gil: exit {result.returncode}")
    check("no gil cell" in result.stderr and "none.json" in result.stderr,
          f"trace without gil: stderr {result.stderr!r}")
    check("Timeline of" not in result.stdout, "trace without gil: a timeline was printed")
    check(not (tmp / "none.json").exists(), "trace without gil: a trace file was written")


def find_chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return shutil.which(name)
    return None


def chromium(browser, tmp, page, *extra):
    """Runs headless Chromium on a local page; returns (stdout, console lines)."""
    result = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         f"--user-data-dir={tmp / 'profile'}", "--enable-logging=stderr", "--v=0", *extra,
         page.as_uri()],
        capture_output=True, text=True, timeout=120)
    console = [line for line in result.stderr.splitlines() if ":CONSOLE" in line]
    return result.stdout, console


def unfilter(raw, width, height, bpp):
    """The PNG scanlines with their filters (RFC 2083, section 6) undone."""
    stride, rows, prev, at = width * bpp, [], bytearray(width * bpp), 0
    for _ in range(height):
        kind, line = raw[at], bytearray(raw[at + 1:at + 1 + stride])
        at += 1 + stride
        for i in range(stride):
            left = line[i - bpp] if i >= bpp else 0
            up, corner = prev[i], prev[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + left) & 255
            elif kind == 2:
                line[i] = (line[i] + up) & 255
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 255
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 255
        rows.append(line)
        prev = line
    return rows


def png_size_and_ink(path):
    """Width, height and the share of sampled pixels that are not near-white."""
    data = path.read_bytes()
    check(data[:8] == b"\x89PNG\r\n\x1a\n", "screenshot is not a PNG")
    width, height = struct.unpack(">II", data[16:24])
    depth, colour = data[24], data[25]
    if depth != 8 or colour not in (2, 6):
        return width, height, None
    at, idat = 8, b""
    while at < len(data):
        length = struct.unpack(">I", data[at:at + 4])[0]
        if data[at + 4:at + 8] == b"IDAT":
            idat += data[at + 8:at + 8 + length]
        at += 12 + length
    bpp = 3 if colour == 2 else 4
    rows = unfilter(zlib.decompress(idat), width, height, bpp)
    sampled = [row[x * bpp:x * bpp + 3] for row in rows[::7] for x in range(0, width, 7)]
    ink = sum(1 for px in sampled if min(px) < 200) / max(1, len(sampled))
    return width, height, ink


def test_in_browser(browser, tmp, run_json):
    # The detector itself: a page that logs an error must be caught.
    (tmp / "noisy.html").write_text("<!DOCTYPE html><p>x</p><script>console.error('boom')</script>")
    _, console = chromium(browser, tmp, tmp / "noisy.html", "--dump-dom")
    check(any("boom" in line for line in console), "console detector missed console.error")

    dom, console = chromium(browser, tmp, tmp / "report.html", "--dump-dom")
    check(console == [], f"the report logged: {console}")
    ids, gil_cells = expected_charts(run_json)
    for chart_id in ids:
        check(f'id="{chart_id}"' in dom, f"browser DOM lacks chart {chart_id}")
    figures = dom.split('<figure class="chart"')[1:]
    check(len(figures) == len(ids) + gil_cells,
          f"{len(figures)} charts in the DOM, expected {len(ids) + gil_cells}")
    for figure in figures:
        check("<svg" in figure and ("<rect" in figure or "<polyline" in figure), "a chart has no drawing")
    check(dom.count('data-kind="timeline"') == gil_cells, "not one timeline per gil cell")

    shot = tmp / "report.png"
    _, console = chromium(browser, tmp, tmp / "report.html", f"--screenshot={shot}", "--window-size=1100,2400")
    check(console == [], f"the report logged while drawn: {console}")
    check(shot.exists(), "no screenshot written")
    if shot.exists():
        width, height, ink = png_size_and_ink(shot)
        check((width, height) == (1100, 2400), f"screenshot is {width}x{height}")
        check(ink is None or 0.005 < ink < 0.6, f"screenshot ink share {ink}: blank or garbled")


def main():
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        run_json = test_bench_writes_pictures(tmp)
        test_report_and_show(tmp, run_json)
        test_no_gil_cell(tmp)
        browser = find_chromium()
        if browser is None:
            print("SKIP: no chromium to render the report", file=sys.stderr)
            return 1 if FAILURES else 77
        test_in_browser(browser, tmp, run_json)
    if FAILURES:
        print(f"{len(FAILURES)} failure(s)", file=sys.stderr)
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
