"""Benchmark fulian-stats on a province-year of form-layout township reports.

One run, on the same files:

1. makes N form-layout .xlsx files (default 14,400 = 1,200 townships x 12 months of 2016)
   in DIR (default /tmp/fulian-bench), or reuses them when DIR already holds that set;
2. times (a) pandas.read_excel(engine="openpyxl") per file in a serial loop,
   (b) a bare python-calamine read of every cell, serial and over all cores,
   (c) `fulian-stats check DIR --quiet --format json`,
   (d) `fulian-stats aggregate DIR --quiet --period 2016 --format json`,
   and `fulian-stats --help` (best of 5);
3. prints wall times, ratios, peak memory of (c) and (d), the machine, and the targets.

    python benchmarks/bench.py                       # the full province-year (slow: minutes)
    python benchmarks/bench.py --files 1200 --openpyxl-sample 200   # a quick look

Only the standard library and the project's own dependencies are used.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import platform
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FORMAT_VERSION = 2  # bump when the generated files change, so old folders are regenerated
MARKER = ".fulian-bench.json"  # a dot file: the tool never reads it as a submission
SEED = 20160101
YEAR = 2016
TOWNSHIPS_PER_COUNTY = 12
COUNTIES_PER_CITY = 10
PROVINCE = "江南省"

TARGETS = {
    "check_over_bare": 1.8,      # (c)/(b) <= 1.8 (issue 20)
    "aggregate_over_bare": 1.8,  # (d)/(b) <= 1.8
    "aggregate_over_check": 1.1,  # (d)/(c) <= 1.1: aggregate costs no more than check plus 10%
    "openpyxl_over_check": 8.0,  # (a)/(c) >= 8
    "memory_mib": 1024.0,        # peak memory of (c) and (d) < 1 GB
    "help_s": 0.3,               # fulian-stats --help
}

# ---------------------------------------------------------------- names

# 10 x 10 county stems, 40 x 30 township stems from other characters, so no township's
# name or short alias can equal a county's or another township's.
CITY_STEMS = "云江湘楚越闽黔滇蜀晋"
COUNTY_A = "青白石龙桃官新马清安"
COUNTY_B = "溪宁沙门源塘圩岭河山"
TOWN_A = "东西南北中上下大小长高平和金银铁铜玉风花柳杏水湖泉松竹梅兰菊春夏秋冬红黄绿紫乐福寿"
TOWN_B = "田庄坪岗坝湾埠口集营寨店铺堡坊洲滩冲峪岔沟川甸墩垭场关陂港渡"
assert len(set(COUNTY_A)) == 10 and len(set(COUNTY_B)) == 10
assert len(set(TOWN_A)) >= 40 and len(set(TOWN_B)) >= 30
assert not (set(TOWN_A) | set(TOWN_B)) & (set(COUNTY_A) | set(COUNTY_B))
MAX_TOWNSHIPS = 40 * 30


def city_name(c: int) -> str:
    return f"{CITY_STEMS[c % 10]}州市"


def county_name(k: int) -> str:
    return f"{COUNTY_A[k // 10 % 10]}{COUNTY_B[k % 10]}县"


def township_stem(t: int) -> str:
    return f"{TOWN_A[t // 30]}{TOWN_B[t % 30]}"


def township_name(t: int) -> str:
    return township_stem(t) + ("乡" if t % 4 == 3 else "镇")


# ---------------------------------------------------------------- catalog

def load_catalog() -> list[dict]:
    """The non-rate indicators of the project's catalog, in the catalog's order."""
    path = ROOT / "src" / "fulian_stats" / "data" / "indicators.csv"
    if not path.exists():  # running from elsewhere: the installed package's copy
        from importlib.resources import files

        path = files("fulian_stats") / "data" / "indicators.csv"
    with path.open(encoding="utf-8") as f:
        return [row for row in csv.DictReader(f) if row["kind"] != "rate"]


# ---------------------------------------------------------------- value model

def make_profile(rng: random.Random) -> dict:
    """A township's steady monthly levels. Every month is the level with ±15% noise, so
    nothing is an outlier against the township's own history."""
    u = rng.uniform
    return {
        "posts": u(7, 18), "reads_per_post": u(120, 220), "media": u(1, 4),
        "role_models": u(1, 2), "lectures": rng.randint(1, 3), "per_lecture": u(40, 110),
        "fairs": 1, "jobs": u(80, 300), "intent": u(0.15, 0.4),
        "hk_events": rng.randint(1, 3), "per_hk": u(20, 36), "hk_poor": u(0.1, 0.35),
        "trainings": rng.randint(1, 2), "per_training": u(25, 50), "tr_poor": u(0.1, 0.4),
        "certified": u(0.5, 0.9), "applicants": rng.randint(1, 8), "loan_each": u(5, 10),
        "helped": u(3, 18), "family_lectures": rng.randint(1, 3), "per_family": u(50, 150),
        "materials": u(200, 1200), "clean_talks": u(1, 2), "best_city": u(1, 2),
        "best_county": u(1, 4), "reading": rng.randint(1, 2), "books_each": u(30, 150),
        "legal": rng.randint(1, 2), "per_legal": u(40, 150), "petitions": u(1, 3),
        "villages": rng.randint(3, 8), "homes": rng.randint(5, 12), "new_home_p": u(0.05, 0.25),
        "women_events": u(3, 8), "women_served": u(100, 300),
        "children_events": u(2, 6), "children_served": u(60, 200),
        "aid": u(1, 3), "aid_each": rng.choice((0.5, 1.0)), "insured": u(50, 270),
        "screened": u(30, 180), "operated": u(0.05, 0.2), "comforted": u(5, 60),
        "sponsored": u(1, 9), "funds": u(0.5, 18),
    }


def month_values(rng: random.Random, p: dict) -> dict:
    """One month's values, consistent with every rule in rules.csv."""
    def n(base: float) -> int:  # a count: the level with small noise, at least 1
        return max(1, round(base * rng.uniform(0.85, 1.15)))

    def money(x: float) -> float:
        return round(x, 2)

    lectures, hk_events, trainings = n(p["lectures"]), n(p["hk_events"]), n(p["trainings"])
    # Attendance follows the township's level, not the month's event count: a count
    # of 1 or 2 events would otherwise double the attendance from one month to the next.
    hk, trainees = n(p["hk_events"] * p["per_hk"]), n(p["trainings"] * p["per_training"])
    applicants, jobs = n(p["applicants"]), n(p["jobs"])
    family, reading, legal = n(p["family_lectures"]), n(p["reading"]), n(p["legal"])
    petitions = n(p["petitions"])
    new_homes = 1 if rng.random() < p["new_home_p"] else 0
    p["homes"] += new_homes  # the stock grows by the month's new homes
    aid, insured, screened = n(p["aid"]), n(p["insured"]), n(p["screened"])
    posts = n(p["posts"])
    return {
        "wechat_posts": posts, "wechat_reads": n(p["posts"] * p["reads_per_post"]),
        "media_reports": n(p["media"]), "role_models": n(p["role_models"]),
        "lectures": lectures, "lecture_attendees": n(p["lectures"] * p["per_lecture"]),
        "job_fairs": p["fairs"], "jobs_offered": jobs, "job_intents": round(jobs * p["intent"]),
        "housekeeping_events": hk_events, "housekeeping_participants": hk,
        "housekeeping_participants_poor": round(hk * p["hk_poor"]),
        "trainings": trainings, "trainees": trainees,
        "trainees_poor": round(trainees * p["tr_poor"]),
        "trainees_certified": round(trainees * p["certified"]),
        "loan_applicants": applicants,
        "loan_amount": money(min(30 * applicants, applicants * p["loan_each"] * rng.uniform(0.9, 1.1))),
        # Rare rows: nothing this year, as in most townships.
        "demo_bases_new": 0, "demo_base_subsidy": 0, "farmstays_new": 0, "farmstay_subsidy": 0,
        "poor_households_helped": n(p["helped"]),
        "family_lectures": family, "family_lecture_attendees": n(p["family_lectures"] * p["per_family"]),
        "materials_distributed": n(p["materials"]), "clean_family_talks": n(p["clean_talks"]),
        "best_families_national": 0, "best_families_provincial": 0,
        "best_families_city": n(p["best_city"]), "best_families_county": n(p["best_county"]),
        "reading_events": reading, "books_donated": n(p["reading"] * p["books_each"]),
        "legal_lectures": legal, "legal_beneficiaries": n(p["legal"] * p["per_legal"]),
        "petitions": petitions, "petitions_handled": petitions - (1 if petitions >= 3 and rng.random() < 0.2 else 0),
        "poor_villages": p["villages"], "poor_villages_with_children_home": p["villages"] // 2,
        "children_homes_new": new_homes, "children_homes_total": p["homes"],
        "children_home_funds": money(new_homes * rng.uniform(2, 5)),
        "women_home_events": n(p["women_events"]), "women_home_served": n(p["women_served"]),
        "children_home_events": n(p["children_events"]), "children_home_served": n(p["children_served"]),
        "cancer_aid_recipients": aid, "cancer_aid_amount": money(aid * p["aid_each"]),
        "cancer_insured": insured, "cancer_insured_amount": money(insured * 1.0),
        "cataract_screened": screened, "cataract_operated": round(screened * p["operated"]),
        "people_comforted": n(p["comforted"]), "children_sponsored": n(p["sponsored"]),
        "funds_raised": money(p["funds"] * rng.uniform(0.85, 1.15)),
        "projects_new": 0, "projects_investment": 0,
    }


# ---------------------------------------------------------------- generation

ORDINALS = "一二三四五六七八九十"
CLERKS = ["张丽", "李红梅", "王静", "陈晓燕", "刘芳", "杨秀英", "赵敏", "黄丽娟", "周玉兰"]


def township_path(folder: Path, t: int, month: int) -> Path:
    return folder / county_name(t // TOWNSHIPS_PER_COUNTY) / f"{township_name(t)}_{YEAR}-{month:02d}.xlsx"


def write_township(job: tuple[str, int, int]) -> int:
    """Write months 1..n_months of township t; returns the number of files written."""
    import xlsxwriter

    folder, t, n_months = Path(job[0]), job[1], job[2]
    catalog = load_catalog_cached()
    rng = random.Random(SEED * 10_007 + t)
    profile = make_profile(rng)
    county, org = county_name(t // TOWNSHIPS_PER_COUNTY), township_name(t)
    sections = list(dict.fromkeys(ind["section"] for ind in catalog))
    ytd: dict[str, float] = {}
    (folder / county).mkdir(parents=True, exist_ok=True)
    for month in range(1, n_months + 1):
        values = month_values(rng, profile)
        wb = xlsxwriter.Workbook(str(township_path(folder, t, month)), {"in_memory": True})
        ws = wb.add_worksheet("月报")
        for col, width in enumerate((8, 34, 10, 12, 12)):
            ws.set_column(col, col, width)
        ws.merge_range(0, 0, 0, 4, f"{county}妇联工作统计月报表")
        ws.write_string(1, 0, f"填报单位：{org}妇联")
        ws.write_string(1, 3, f"报告期：{YEAR}年{month}月")
        for col, text in enumerate(("序号", "指标名称", "计量单位", "本月", "本年累计")):
            ws.write_string(2, col, text)
        row = 3
        for s, section in enumerate(sections):
            ws.write_string(row, 0, f"{ORDINALS[s]}、{section}")
            row += 1
            for k, ind in enumerate((i for i in catalog if i["section"] == section), start=1):
                value = values[ind["id"]]
                ws.write_number(row, 0, k)
                ws.write_string(row, 1, ind["name"])
                ws.write_string(row, 2, ind["unit"])
                ws.write_number(row, 3, value)
                if ind["kind"] == "flow":  # 本年累计 of a stock is left blank
                    total = ytd.get(ind["id"], 0) + value
                    ytd[ind["id"]] = total = round(total, 2) if isinstance(total, float) else total
                    ws.write_number(row, 4, total)
                row += 1
        row += 1
        filed = f"{YEAR + 1}年1月5日" if month == 12 else f"{YEAR}年{month + 1}月5日"
        ws.write_string(row, 0, f"填表人：{CLERKS[t % len(CLERKS)]}")
        ws.write_string(row, 2, "审核人：王芳")
        ws.write_string(row, 4, f"填报日期：{filed}")
        wb.close()
    return n_months


_CATALOG: list[dict] | None = None


def load_catalog_cached() -> list[dict]:
    global _CATALOG
    if _CATALOG is None:
        _CATALOG = load_catalog()
    return _CATALOG


def plan(n_files: int) -> list[tuple[int, int]]:
    """(township, months) in township order: whole years, the last township possibly short."""
    townships = math.ceil(n_files / 12)
    if townships > MAX_TOWNSHIPS:
        sys.exit(f"--files {n_files} needs {townships} townships; at most {MAX_TOWNSHIPS} are named")
    return [(t, min(12, n_files - 12 * t)) for t in range(townships)]


def count_xlsx(folder: Path) -> int:
    return sum(1 for _root, _dirs, names in os.walk(folder) for name in names if name.endswith(".xlsx"))


def list_xlsx(folder: Path) -> list[Path]:
    found = []
    for root, dirs, names in os.walk(folder):
        dirs.sort()
        found.extend(Path(root) / name for name in sorted(names) if name.endswith(".xlsx"))
    return found


def write_orgs(path: Path, jobs: list[tuple[int, int]]) -> None:
    """name,parent,aliases for the province, its cities, the counties and townships made."""
    counties = sorted({t // TOWNSHIPS_PER_COUNTY for t, _ in jobs})
    cities = sorted({k // COUNTIES_PER_CITY for k in counties})
    rows = [[PROVINCE, "", f"{PROVINCE}妇联"]]
    rows += [[city_name(c), PROVINCE, f"{city_name(c)}妇联"] for c in cities]
    rows += [[county_name(k), city_name(k // COUNTIES_PER_CITY), f"{county_name(k)}妇联"] for k in counties]
    rows += [[township_name(t), county_name(t // TOWNSHIPS_PER_COUNTY),
              f"{township_stem(t)}|{township_name(t)}妇联"] for t, _ in jobs]
    names = [r[0] for r in rows]
    assert len(names) == len(set(names)), "org names must be unique"
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows([["name", "parent", "aliases"], *rows])


def ensure_files(folder: Path, n_files: int, workers: int) -> dict:
    """Make the files unless the folder already holds exactly this set."""
    want = {"format": FORMAT_VERSION, "files": n_files, "seed": SEED}
    marker = folder / MARKER
    jobs = plan(n_files)
    orgs_path = folder.parent / f"{folder.name}-orgs.csv"
    if marker.exists():
        try:
            have = json.loads(marker.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            have = None
        if have == want and count_xlsx(folder) == n_files:
            if not orgs_path.exists():
                write_orgs(orgs_path, jobs)
            print(f"reusing {n_files} files in {folder} (marker matches)")
            return {"generated": False, "seconds": 0.0, "orgs": str(orgs_path)}
    if folder.exists():
        if not marker.exists() and any(folder.iterdir()):
            sys.exit(f"{folder} exists, is not empty and has no {MARKER}: refusing to delete it; "
                     "choose another --dir")
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    print(f"generating {n_files} files in {folder} on {workers} processes ...", flush=True)
    start = time.perf_counter()
    with ProcessPoolExecutor(workers) as pool:
        written = sum(pool.map(write_township, [(str(folder), t, m) for t, m in jobs], chunksize=4))
    seconds = time.perf_counter() - start
    assert written == n_files == count_xlsx(folder), (written, n_files)
    write_orgs(orgs_path, jobs)
    marker.write_text(json.dumps(want), encoding="utf-8")
    print(f"  {written} files in {seconds:.1f} s; org registry: {orgs_path}")
    return {"generated": True, "seconds": seconds, "orgs": str(orgs_path)}


# ---------------------------------------------------------------- readers

def calamine_read(path) -> int:
    """Every cell of every sheet, as python values; returns the number of cells."""
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(path))
    cells = 0
    for name in wb.sheet_names:
        rows = wb.get_sheet_by_name(name).to_python()
        cells += sum(len(r) for r in rows)
    return cells


def time_calamine_serial(files: list[Path]) -> tuple[float, int]:
    start = time.perf_counter()
    cells = sum(calamine_read(p) for p in files)
    return time.perf_counter() - start, cells


def time_calamine_parallel(files: list[Path], workers: int) -> tuple[float, int]:
    """Pool start-up included, as the tool pays it too; same chunking as the tool."""
    import multiprocessing

    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    chunk = max(1, min(64, len(files) // (workers * 8)))
    start = time.perf_counter()
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(method)) as pool:
        cells = sum(pool.map(calamine_read, files, chunksize=chunk))
    return time.perf_counter() - start, cells


def time_openpyxl(files: list[Path], sample: int | None) -> dict:
    import pandas as pd

    chosen = files
    if sample and sample < len(files):
        step = len(files) / sample
        chosen = [files[int(i * step)] for i in range(sample)]  # spread over the whole set
    start = time.perf_counter()
    for path in chosen:
        pd.read_excel(path, sheet_name=None, header=None, engine="openpyxl")
    measured = time.perf_counter() - start
    return {"files_timed": len(chosen), "measured_s": measured,
            "seconds": measured * len(files) / len(chosen), "extrapolated": len(chosen) < len(files)}


# ---------------------------------------------------------------- commands

def _tree_memory(root: int) -> tuple[int, int, int]:
    """(sum of RSS, sum of PSS, processes) in KiB over `root` and its descendants now."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as f:
                    stat = f.read()
            except OSError:
                continue
            parents[int(entry)] = int(stat[stat.rindex(b")") + 2:].split()[1])
    tree, frontier = {root}, [root]
    while frontier:
        frontier = [pid for pid, ppid in parents.items() if ppid in frontier and pid not in tree]
        tree.update(frontier)
    rss = pss = 0
    for pid in tree:
        try:
            with open(f"/proc/{pid}/smaps_rollup", "rb") as f:
                for line in f:
                    if line.startswith(b"Rss:"):
                        rss += int(line.split()[1])
                    elif line.startswith(b"Pss:"):
                        pss += int(line.split()[1])
        except OSError:
            continue
    return rss, pss, len(tree)


def compile_package() -> int:
    """Compile the package's bytecode, as `pip install` does. An editable install run
    with PYTHONDONTWRITEBYTECODE=1 (as on some CI machines) would otherwise compile every
    module from source at each start of the command: a tenth of a second that no
    installed copy pays. Returns how many modules were looked at."""
    import compileall
    import importlib.util

    spec = importlib.util.find_spec("fulian_stats")
    folder = Path(spec.origin).parent
    compileall.compile_dir(folder, quiet=1)
    return sum(1 for _ in folder.rglob("*.py"))


def run_command(cmd: list[str], cwd: Path, sample: bool = True, sample_every: float = 0.05) -> dict:
    """Run a command, stdout to a temp file; wall time, exit code, the peak RSS of its
    largest single process (wait4: the command and every descendant it waited for), and
    with `sample` the peak of the whole tree's summed RSS and PSS sampled from /proc
    (which slows the command: reading smaps walks its page tables)."""
    out = tempfile.TemporaryFile()
    err = tempfile.TemporaryFile()
    peaks = {"rss": 0, "pss": 0, "procs": 0, "samples": 0}
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
    done = threading.Event()

    def sample() -> None:
        have_proc = sample and os.path.exists("/proc/self/smaps_rollup")
        while have_proc and not done.wait(sample_every):
            rss, pss, procs = _tree_memory(proc.pid)
            peaks["rss"], peaks["pss"] = max(peaks["rss"], rss), max(peaks["pss"], pss)
            peaks["procs"] = max(peaks["procs"], procs)
            peaks["samples"] += 1

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    out.seek(0)
    err.seek(0)
    stdout, stderr = out.read(), err.read().decode("utf-8", "replace")
    return {
        "cmd": cmd, "cwd": str(cwd), "seconds": wall, "exit_code": proc.returncode,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "max_process_rss_mib": usage.ru_maxrss / 1024,  # KiB on Linux
        "tree_rss_mib": peaks["rss"] / 1024, "tree_pss_mib": peaks["pss"] / 1024,
        "tree_processes": peaks["procs"], "memory_samples": peaks["samples"],
        "stdout_bytes": len(stdout), "stdout": stdout, "stderr_tail": stderr[-2000:],
    }


def summarise_check(stdout: bytes) -> dict:
    try:
        data = json.loads(stdout)
    except ValueError:
        return {"parsed": False}
    codes = Counter(f.get("code") for f in data.get("findings", []))
    return {"parsed": True, "files": data.get("files"), "errors": data.get("errors"),
            "warnings": data.get("warnings"), "notes": data.get("notes"),
            "codes": dict(codes.most_common())}


def time_help(exe: str, cwd: Path, runs: int = 5) -> dict:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([exe, "--help"], cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - start)
    return {"best_s": min(times), "all_s": times}


# ---------------------------------------------------------------- report

def machine() -> dict:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    versions = {}
    for name in ("pandas", "openpyxl", "python-calamine", "xlsxwriter", "fulian-stats"):
        try:
            from importlib.metadata import version

            versions[name] = version(name)
        except Exception:  # noqa: BLE001 - a missing package is just not listed
            versions[name] = None
    return {"cpu": model, "cores": os.cpu_count(),
            "usable_cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
            "memory_gib": mem, "python": platform.python_version(), "platform": platform.platform(),
            "load_average_at_start": os.getloadavg() if hasattr(os, "getloadavg") else None,
            "versions": versions}


def verdict(ok: bool) -> str:
    return "MET" if ok else "NOT MET"


def print_report(r: dict) -> None:
    m, n = r["machine"], r["files"]
    print()
    print(f"machine: {m['cpu']}, {m['cores']} cores ({m['usable_cores']} usable), {m['memory_gib']} GiB, "
          f"Python {m['python']}; load average at start {tuple(round(x, 2) for x in m['load_average_at_start'] or ())}")
    print("versions: " + ", ".join(f"{k} {v}" for k, v in m["versions"].items()))
    load = (m["load_average_at_start"] or (0.0,))[0]
    if load >= 0.5:  # at start, before the bench's own processes count
        print(f"note: the machine was busy before the run (1-minute load {load:.2f} on {m['cores']} cores): "
              "timings are noisy; --repeat 3 keeps the fastest run")
    print(f"files: {n} form-layout .xlsx in {r['dir']} ({r['cells']:,} cells)"
          + (f"; (b), (c), (d): fastest of {r['repeat']} runs" if r.get("repeat", 1) > 1 else ""))
    print()
    a, bs, bp, c, d = r["openpyxl"], r["calamine_serial"], r["calamine_parallel"], r["check"], r["aggregate"]
    rows = [
        ("(a) pandas read_excel, openpyxl, serial", a["seconds"],
         f"extrapolated from {a['files_timed']} files ({a['measured_s']:.1f} s)" if a.get("extrapolated") else
         ("skipped" if a.get("skipped") else "all files")),
        ("(b) calamine bare read, serial", bs["seconds"], "1 process"),
        ("(b) calamine bare read, parallel", bp["seconds"], f"{bp['workers']} processes"),
        ("(c) fulian-stats check --format json", c["seconds"], f"exit {c['exit_code']}, cpu {c['cpu_s']:.1f} s"),
        ("(d) fulian-stats aggregate --period 2016", d["seconds"], f"exit {d['exit_code']}, cpu {d['cpu_s']:.1f} s"),
        ("fulian-stats --help (best of 5)", r["help"]["best_s"], ""),
    ]
    width = max(len(x[0]) for x in rows)
    print(f"{'measurement':<{width}}  {'wall s':>8}  {'files/s':>8}  note")
    for name, secs, note in rows:
        rate = "" if secs is None or "help" in name else f"{n / secs:8.0f}"
        shown = "-" if secs is None else f"{secs:8.2f}" if secs >= 0.1 else f"{secs:8.3f}"
        print(f"{name:<{width}}  {shown:>8}  {rate:>8}  {note}")
    print()
    print("peak memory (MiB)              max single process RSS   whole tree RSS   whole tree PSS   processes")
    for key, label in (("check", "(c) check"), ("aggregate", "(d) aggregate")):
        x = r[key]
        print(f"{label:<30} {x['max_process_rss_mib']:>22.0f}   {x['tree_rss_mib']:>14.0f}   "
              f"{x['tree_pss_mib']:>14.0f}   {x['tree_processes']:>9}")
    print()
    s = r.get("check_summary") or {}
    if s.get("parsed"):
        print(f"check found: {s['errors']} errors, {s['warnings']} warnings, {s['notes']} notes"
              + (f"  {s['codes']}" if s["codes"] else ""))
    if r.get("repeat", 1) > 1:
        from statistics import median

        paired = {key: median(r[key]["paired_ratios"]) for key in ("check", "aggregate")}
        over_check = median(a / c for a, c in zip(r["aggregate"]["all_s"], r["check"]["all_s"]))
        print(f"each round's command over that round's bare read, median of {r['repeat']}: "
              f"check {paired['check']:.2f}, aggregate {paired['aggregate']:.2f}; "
              f"each round's aggregate over its check: {over_check:.2f}")
        cpu = {key: median(r[key]["paired_cpu_ratios"]) for key in ("check", "aggregate")}
        print(f"each round's CPU time (all processes) over that round's bare read's: "
              f"check {cpu['check']:.2f}, aggregate {cpu['aggregate']:.2f}")
    print()
    print("targets")
    width = max(len(t["name"]) for t in r["targets"])
    for t in r["targets"]:
        value = "-" if t["value"] is None else f"{t['value']:.2f}"
        print(f"  {t['name']:<{width}}  {value:>8}  (target {t['target']})  {t['verdict']}")


def targets(r: dict) -> list[dict]:
    b = r["calamine_parallel"]["seconds"]
    c, d, a = r["check"], r["aggregate"], r["openpyxl"]
    mem = {k: max(r[k]["tree_pss_mib"], r[k]["max_process_rss_mib"]) for k in ("check", "aggregate")}
    items = [
        ("(c)/(b) check / parallel bare read", c["seconds"] / b, f"<= {TARGETS['check_over_bare']}",
         c["seconds"] / b <= TARGETS["check_over_bare"]),
        ("(d)/(b) aggregate / parallel bare read", d["seconds"] / b, f"<= {TARGETS['aggregate_over_bare']}",
         d["seconds"] / b <= TARGETS["aggregate_over_bare"]),
        ("(d)/(c) aggregate / check", d["seconds"] / c["seconds"], f"<= {TARGETS['aggregate_over_check']}",
         d["seconds"] / c["seconds"] <= TARGETS["aggregate_over_check"]),
    ]
    if a.get("seconds") is not None:
        ratio = a["seconds"] / c["seconds"]
        items.append(("(a)/(c) openpyxl serial / check" + (" [extrapolated]" if a.get("extrapolated") else ""),
                      ratio, f">= {TARGETS['openpyxl_over_check']}", ratio >= TARGETS["openpyxl_over_check"]))
    else:
        items.append(("(a)/(c) openpyxl serial / check [skipped]", None, f">= {TARGETS['openpyxl_over_check']}", None))
    for key in ("check", "aggregate"):
        items.append((f"peak memory of ({'c' if key == 'check' else 'd'}) {key}, MiB", mem[key],
                      f"< {TARGETS['memory_mib']:.0f}", mem[key] < TARGETS["memory_mib"]))
    items.append(("fulian-stats --help, s", r["help"]["best_s"], f"<= {TARGETS['help_s']}",
                  r["help"]["best_s"] <= TARGETS["help_s"]))
    return [{"name": n, "value": v, "target": t, "met": ok,
             "verdict": "n/a" if ok is None else verdict(ok)} for n, v, t, ok in items]


# ---------------------------------------------------------------- main

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=14_400,
                        help="number of files to make (default 14400 = 1200 townships x 12 months)")
    parser.add_argument("--dir", type=Path, default=Path("/tmp/fulian-bench"),
                        help="folder for the files, outside the repository (default /tmp/fulian-bench); "
                             "the org registry goes beside it as DIR-orgs.csv")
    parser.add_argument("--skip-openpyxl", action="store_true", help="do not time (a) at all")
    parser.add_argument("--openpyxl-sample", type=int, metavar="K",
                        help="time (a) on K files spread over the set and extrapolate linearly")
    parser.add_argument("--with-orgs", action="store_true",
                        help="also pass --orgs DIR-orgs.csv to check and aggregate (not the default)")
    parser.add_argument("--repeat", type=int, default=1, metavar="R",
                        help="run (b), (c) and (d) R times and keep the fastest (default 1); "
                             "helps on a busy machine")
    parser.add_argument("--json", type=Path, metavar="FILE", help="save the results as JSON")
    args = parser.parse_args(argv)

    folder = args.dir.expanduser().resolve()
    if folder == ROOT or ROOT in folder.parents:
        parser.error(f"--dir must be outside the repository ({ROOT})")
    if args.files < 1:
        parser.error("--files must be at least 1")
    exe = shutil.which("fulian-stats")
    if exe is None:
        parser.error("fulian-stats is not on PATH (pip install -e .)")
    workers = os.cpu_count() or 1
    results: dict = {"machine": machine(), "files": args.files, "dir": str(folder),
                     "started": time.strftime("%Y-%m-%d %H:%M:%S")}

    results["generation"] = ensure_files(folder, args.files, workers)
    files = list_xlsx(folder)
    assert len(files) == args.files

    # Serial calamine first: it also brings every file into the page cache for the rest.
    repeat = max(1, args.repeat)
    results["repeat"] = repeat
    print("(b) calamine bare read, serial ...", flush=True)
    runs = [time_calamine_serial(files) for _ in range(repeat)]
    cells = runs[0][1]
    results["cells"] = cells
    results["calamine_serial"] = {"seconds": min(s for s, _ in runs), "all_s": [s for s, _ in runs]}
    print(f"    {results['calamine_serial']['seconds']:.2f} s", flush=True)
    results["bytecode_compiled"] = compile_package()
    extra = ["--orgs", results["generation"]["orgs"]] if args.with_orgs else []
    cwd = folder.parent  # away from any fulian.toml in the repository
    commands = {
        "check": [exe, "check", str(folder), "--quiet", "--format", "json", *extra],
        "aggregate": [exe, "aggregate", str(folder), "--quiet", "--period", str(YEAR), "--format", "json", *extra],
    }
    # The parallel bare read, check and aggregate run in turn, round after round: this
    # machine's speed drifts over minutes, and a command timed only in a slow stretch
    # would be compared with a bare read timed in a fast one. Timed without the memory
    # sampler, which cost the command a tenth of its time; memory comes from one more run.
    bare_runs, bare_cpu, runs = [], [], {key: [] for key in commands}
    for round_ in range(1, repeat + 1):
        print(f"round {round_}/{repeat}: (b) calamine bare read, {workers} processes ...", flush=True)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)  # the pool's workers, reaped at its end
        seconds, c = time_calamine_parallel(files, workers)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        bare_cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        assert c == cells
        bare_runs.append(seconds)
        print(f"    {seconds:.2f} s", flush=True)
        for key, cmd in commands.items():
            print(f"round {round_}/{repeat}: ({'c' if key == 'check' else 'd'}) "
                  f"{' '.join(Path(cmd[0]).name if i == 0 else x for i, x in enumerate(cmd))} ...", flush=True)
            run = run_command(cmd, cwd, sample=False)
            runs[key].append(run)
            print(f"    {run['seconds']:.2f} s, exit {run['exit_code']}, {len(run['stdout']):,} bytes of JSON", flush=True)
            if key == "check":  # the files raise no finding: one that appears in a round is worth seeing
                run["summary"] = summarise_check(run["stdout"])
                if run["summary"].get("codes"):
                    print(f"    findings in this round: {run['summary']['codes']}\n"
                          f"{run['stdout'][:3000].decode(errors='replace')}", flush=True)
            if run["exit_code"] not in (0, 1):
                print(f"    command failed:\n{run['stderr_tail']}", file=sys.stderr)
                return 2
    results["calamine_parallel"] = {"seconds": min(bare_runs), "all_s": bare_runs, "workers": workers,
                                    "cpu_all_s": bare_cpu}
    for key, cmd in commands.items():
        print(f"({'c' if key == 'check' else 'd'}) once more for the memory ...", flush=True)
        memory = run_command(cmd, cwd)
        res = min(runs[key], key=lambda x: x["seconds"])
        res["all_s"] = [x["seconds"] for x in runs[key]]
        # Each round's command against that round's bare read: the median of these is
        # the ratio least moved by the machine's drift.
        res["paired_ratios"] = [x["seconds"] / b for x, b in zip(runs[key], bare_runs)]
        # CPU over CPU moves less with what else the machine runs than wall over wall
        res["paired_cpu_ratios"] = [x["cpu_s"] / b for x, b in zip(runs[key], bare_cpu)]
        res["sampled_run_s"] = memory["seconds"]
        res["max_process_rss_mib"] = max(x["max_process_rss_mib"] for x in [*runs[key], memory])  # the worst run
        for field in ("tree_rss_mib", "tree_pss_mib", "tree_processes", "memory_samples"):
            res[field] = memory[field]
        if key == "check":
            results["check_summary"] = summarise_check(res["stdout"])
        res.pop("stdout")
        for x in runs[key]:
            x.pop("stdout", None)
        results[key] = res

    print("fulian-stats --help x5 ...", flush=True)
    results["help"] = time_help(exe, cwd)

    if args.skip_openpyxl:
        results["openpyxl"] = {"seconds": None, "skipped": True}
    else:
        k = args.openpyxl_sample
        print(f"(a) pandas read_excel(engine='openpyxl'), serial, "
              f"{'all ' + str(len(files)) if not k or k >= len(files) else str(k)} files ...", flush=True)
        results["openpyxl"] = time_openpyxl(files, k)
        a = results["openpyxl"]
        print(f"    {a['measured_s']:.2f} s" + (f" -> {a['seconds']:.1f} s for {len(files)} files (extrapolated)"
                                                if a["extrapolated"] else ""), flush=True)

    results["load_average_at_end"] = os.getloadavg() if hasattr(os, "getloadavg") else None
    results["ratios"] = {
        "check_over_bare": results["check"]["seconds"] / results["calamine_parallel"]["seconds"],
        "aggregate_over_bare": results["aggregate"]["seconds"] / results["calamine_parallel"]["seconds"],
        "aggregate_over_check": results["aggregate"]["seconds"] / results["check"]["seconds"],
        "openpyxl_over_check": (results["openpyxl"]["seconds"] / results["check"]["seconds"]
                                if results["openpyxl"].get("seconds") else None),
    }
    results["targets"] = targets(results)
    print_report(results)
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
        print(f"\nresults saved to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
