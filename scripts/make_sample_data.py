"""Write the fictional 青溪县 (云州市) sample submissions for 2016-2017 into sample_data/.

Nine towns/乡 send one form-layout .xlsx per month; the three 街道 are sent together by
the 城区 office as one GBK table-layout .csv per month. The output is deterministic
(fixed seed, fixed zip timestamps), so re-running it gives byte-identical files.

    python scripts/make_sample_data.py
"""

from __future__ import annotations

import csv
import io
import random
import re
import shutil
import zipfile
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "src" / "fulian_stats" / "data" / "indicators.csv"
OUT = ROOT / "sample_data"
YEARS = (2016, 2017)
STAMP = datetime(2017, 1, 10)

CITY, COUNTY = "云州市", "青溪县"
TOWNS = ["青溪镇", "大宁镇", "白沙镇", "石门镇", "龙潭乡", "桃源乡", "官塘镇", "新圩镇", "马岭乡"]
STREETS = ["河西街道", "城东街道", "城南街道"]
ORDINALS = "一二三四五六七八九十"

# The variety a real county gets; each quirk lives in one or two townships so tests can
# point at them.
ORG_BY_ALIAS = {"大宁镇": "大宁", "官塘镇": "官塘"}     # 填报单位 written by short name
DASH_PERIOD = {"青溪镇", "桃源乡", "马岭乡"}           # 报告期：2016-01
CN_FILE_NAME = {"龙潭乡", "石门镇"}                    # 2016年3月龙潭乡月报.xlsx
SHEET1 = {"新圩镇", "马岭乡"}                          # sheet named Sheet1, not 月报
BENQI = {"白沙镇", "新圩镇"}                           # 本期数 instead of 本月
ALIAS_ROWS = {"龙潭乡"}                                # row names from the aliases column
UNIT_IN_NAME = {"桃源乡"}                              # 提供就业岗位（个）
HEADING_IN_B = {"青溪镇", "白沙镇"}                    # section heading in column B
YUAN_LOAN = "官塘镇"                                   # loan_amount in 元, values ×10000
DASH_ZERO = "石门镇"                                   # writes — for zero
# Rarely used rows a clerk leaves empty until the first non-zero value of the year.
RARE = {"demo_bases_new", "demo_base_subsidy", "farmstays_new", "farmstay_subsidy",
        "best_families_national", "best_families_provincial", "projects_new",
        "projects_investment"}
BLANK_RARE = {"马岭乡", "城南街道"}
TEXT_NUMBER_P = 0.02  # share of non-zero integer cells typed as text (１２, 1,989)
CLERKS = ["张丽", "李红梅", "王静", "陈晓燕", "刘芳", "杨秀英", "赵敏", "黄丽娟", "周玉兰"]


def load_catalog() -> list[dict]:
    with CATALOG.open(encoding="utf-8") as f:
        return [row for row in csv.DictReader(f) if row["kind"] != "rate"]


# ---------------------------------------------------------------- value model

def chance(rng: random.Random, p: float) -> bool:
    return rng.random() < p


def noisy(rng: random.Random, base: float, yf: float, spread: float = 0.15) -> int:
    """A regular monthly count: small noise only, so the outlier check stays quiet."""
    return max(0, round(base * yf * rng.uniform(1 - spread, 1 + spread)))


def money(x: float) -> float:
    return round(x, 2)


# Events a township holds a set number of times a year (its work plan): (min, max) times.
# Fixing the count per township keeps 2017 vs 2016 about the +10% of the magnitudes.
PLANNED = {"lectures": (3, 6), "role_models": (1, 3), "fairs": (1, 2), "housekeeping": (2, 4),
           "trainings": (2, 3), "loans": (3, 5), "helped": (3, 4), "family_lectures": (3, 5),
           "clean_talks": (1, 3), "reading": (2, 4), "legal": (3, 5), "homes": (1, 2),
           "aid": (1, 3), "insurance": (1, 2), "cataract": (1, 2), "sponsored": (1, 3),
           "funds": (3, 5)}


def make_profile(rng: random.Random, org: str) -> dict:
    urban = org in STREETS
    villages = (1 if org == "河西街道" else 0) if urban else rng.randint(3, 8)
    # A village may leave poverty at the turn of 2016/2017 (constant within a year).
    villages_2017 = villages - 1 if villages > 4 and chance(rng, 0.4) else villages
    return {
        "size": rng.uniform(0.7, 1.4),
        "times": {key: rng.randint(*span) for key, span in PLANNED.items()},
        # Base levels of the indicators reported every month.
        "posts": rng.randint(7, 18), "reads_per_post": rng.randint(120, 220),
        "materials": rng.randint(200, 1200),
        "women_events": rng.randint(3, 8), "women_served": rng.randint(100, 300),
        "children_events": rng.randint(2, 6), "children_served": rng.randint(60, 200),
        "villages": {2016: villages, 2017: villages_2017},
        "national_family": 2016 if org == "白沙镇" else None,  # the county's one 全国最美家庭
        # Never above the 2017 count, so coverage stays ≤ villages and non-decreasing.
        "covered": rng.randint(0, max(0, villages_2017 - 2)),
        "homes": rng.randint(5, 12) if not urban else rng.randint(3, 6),
    }


def plan_year(rng: random.Random, p: dict, year: int) -> None:
    """Pick the months of this year's planned events."""
    times = p["times"]
    plan = {key: set(rng.sample(range(1, 13), n)) for key, n in times.items()}
    # 春风行动 job fair in February or March; 三八 (March) and 宪法日 (December) lectures.
    plan["fairs"] = {rng.choice((2, 3))} | set(rng.sample(range(4, 13), times["fairs"] - 1))
    plan["legal"] = {3, 12} | set(rng.sample(range(4, 12), times["legal"] - 2))
    plan["insurance"] = set(rng.sample((3, 4, 5), times["insurance"]))  # spring insurance drive
    plan["national_family"] = {5} if p["national_family"] == year else set()
    p["plan"] = plan


def media(rng, p, month, yf):
    lectures = rng.choice((1, 1, 2)) if month in p["plan"]["lectures"] else 0
    return {
        "wechat_posts": noisy(rng, p["posts"], yf),
        "wechat_reads": noisy(rng, p["posts"] * p["reads_per_post"], yf),
        "media_reports": round(rng.randint(0, 3) * yf),
        "role_models": rng.randint(1, 2) if month in p["plan"]["role_models"] else 0,
        "lectures": lectures,
        "lecture_attendees": sum(round(rng.randint(40, 110) * yf) for _ in range(lectures)),
    }


def employment(rng, p, month, yf):
    plan = p["plan"]
    fairs = int(month in plan["fairs"])
    jobs = min(400, round(rng.randint(80, 300) * p["size"] * yf)) if fairs else 0
    hk_events = rng.randint(1, 2) if month in plan["housekeeping"] else 0
    hk = min(80, sum(round(rng.randint(20, 36) * yf) for _ in range(hk_events)))
    trainings = int(month in plan["trainings"])
    trainees = min(60, round(rng.randint(25, 50) * yf)) if trainings else 0
    applicants = rng.randint(1, 8) if month in plan["loans"] else 0
    loan = money(min(200, 30 * applicants, applicants * rng.uniform(5, 10) * yf))
    return {
        "job_fairs": fairs, "jobs_offered": jobs,
        "job_intents": round(jobs * rng.uniform(0.15, 0.4)),
        "housekeeping_events": hk_events, "housekeeping_participants": hk,
        "housekeeping_participants_poor": round(hk * rng.uniform(0.1, 0.35)),
        "trainings": trainings, "trainees": trainees,
        "trainees_poor": round(trainees * rng.uniform(0.1, 0.4)),
        "trainees_certified": round(trainees * rng.uniform(0.5, 0.9)),
        "loan_applicants": applicants, "loan_amount": loan,
    }


def poverty(rng, p, month, yf):
    bases = 1 if chance(rng, 0.05) else 0  # rare: a few a year in the whole county
    farmstays = 1 if chance(rng, 0.05) else 0
    helped = round(rng.randint(3, 18) * yf) if month in p["plan"]["helped"] else 0
    return {
        "demo_bases_new": bases, "demo_base_subsidy": money(rng.uniform(2, 10)) if bases else 0,
        "farmstays_new": farmstays,
        "farmstay_subsidy": money(rng.uniform(1, 5)) if farmstays else 0,
        "poor_households_helped": helped,
    }


def family(rng, p, month, yf):
    plan = p["plan"]
    lectures = int(month in plan["family_lectures"])
    may = month == 5  # 最美家庭 are named around 国际家庭日 (15 May); 县级 again in December
    reading = rng.randint(1, 2) if month in plan["reading"] else 0
    return {
        "family_lectures": lectures,
        "family_lecture_attendees": round(rng.randint(50, 150) * yf) if lectures else 0,
        "materials_distributed": noisy(rng, p["materials"], yf),
        "clean_family_talks": int(month in plan["clean_talks"]),
        "best_families_national": int(month in plan["national_family"]),
        "best_families_provincial": 1 if may and chance(rng, 0.25) else 0,
        "best_families_city": rng.randint(0, 2) if may else 0,
        "best_families_county": rng.randint(2, 6) if may or month == 12 else 0,
        "reading_events": reading,
        "books_donated": sum(round(rng.randint(30, 150) * yf) for _ in range(reading)),
    }


def rights(rng, p, month, yf):
    lectures = int(month in p["plan"]["legal"])
    petitions = rng.choice((0, 0, 1, 1, 2, 3))
    return {
        "legal_lectures": lectures,
        "legal_beneficiaries": round(rng.randint(40, 150) * yf) if lectures else 0,
        "petitions": petitions,
        "petitions_handled": petitions - (1 if petitions and chance(rng, 0.15) else 0),
    }


def children_homes(rng, p, year, month):
    """Stocks: homes_total grows by each month's new homes; coverage never falls."""
    new = rng.choice((1, 1, 2)) if month in p["plan"]["homes"] else 0
    p["homes"] += new
    if new and p["covered"] < p["villages"][2017] and chance(rng, 0.6):
        p["covered"] += 1
    return {
        "poor_villages": p["villages"][year],
        "poor_villages_with_children_home": p["covered"],
        "children_homes_new": new, "children_homes_total": p["homes"],
        "children_home_funds": money(new * rng.uniform(2, 5)),
    }


def care(rng, p, month, yf):
    plan = p["plan"]
    aid = rng.randint(1, 3) if month in plan["aid"] else 0
    insured = min(300, round(rng.randint(50, 270) * yf)) if month in plan["insurance"] else 0
    screened = min(200, round(rng.randint(30, 180) * yf)) if month in plan["cataract"] else 0
    festive = {1: (20, 80), 2: (20, 80), 6: (10, 50), 10: (5, 30)}  # 春节, 六一, 重阳
    lo, hi = festive.get(month, (0, 10))
    comforted = round(rng.randint(lo, hi) * yf) if month in festive or chance(rng, 0.3) else 0
    return {
        "women_home_events": noisy(rng, p["women_events"], yf),
        "women_home_served": noisy(rng, p["women_served"], yf),
        "children_home_events": noisy(rng, p["children_events"], yf),
        "children_home_served": noisy(rng, p["children_served"], yf),
        "cancer_aid_recipients": aid,
        "cancer_aid_amount": money(sum(rng.choice((0.5, 1.0)) for _ in range(aid))),
        "cancer_insured": insured, "cancer_insured_amount": money(insured * 1.0),  # 1万元 each
        "cataract_screened": screened,
        "cataract_operated": round(screened * rng.uniform(0.05, 0.2)),
        "people_comforted": comforted,
        "children_sponsored": round(rng.randint(1, 9) * yf) if month in plan["sponsored"] else 0,
        "funds_raised": money(rng.uniform(0.5, 18) * yf) if month in plan["funds"] else 0,
    }


def investment(rng, p, month, yf):
    projects = 1 if chance(rng, 0.04) else 0
    return {"projects_new": projects,
            "projects_investment": money(rng.uniform(200, 3000)) if projects else 0}


def month_values(rng, p, year, month) -> dict:
    yf = 1.0 if year == 2016 else 1.1  # 2017 runs about 10% above 2016
    values = {}
    for group in (media, employment, poverty, family, rights, care, investment):
        values.update(group(rng, p, month, yf))
    values.update(children_homes(rng, p, year, month))
    return values


def generate(rng, catalog) -> dict:
    """{(org, year, month): {id: value}} for every org and month."""
    orgs = TOWNS + STREETS
    profiles = {org: make_profile(rng, org) for org in orgs}
    ids = {ind["id"] for ind in catalog}
    data = {}
    for year in YEARS:
        for org in orgs:
            plan_year(rng, profiles[org], year)
        for month in range(1, 13):
            for org in orgs:
                values = month_values(rng, profiles[org], year, month)
                assert set(values) == ids, set(values) ^ ids
                data[org, year, month] = values
    return data


def year_to_date(data, org, year, month, ind) -> float | None:
    if ind["kind"] == "stock":
        return None  # 本年累计 of a stock is meaningless: left blank
    total = sum(data[org, year, m][ind["id"]] for m in range(1, month + 1))
    return money(total) if isinstance(total, float) else total


# ---------------------------------------------------------------- cell rendering

def as_text_number(rng, value):
    """Now and then a clerk types a number as text: `1,989` or full-width `１２`."""
    if isinstance(value, int) and value > 0 and chance(rng, TEXT_NUMBER_P):
        if value >= 1000:
            return f"{value:,}"
        return str(value).translate({ord(d): ord(d) + 0xFEE0 for d in "0123456789"})
    return value


def render(rng, org, ind, value, ytd_so_far):
    if value is None:
        return None
    if org in BLANK_RARE and ind["id"] in RARE and not ytd_so_far:
        return None  # row untouched until something happens this year
    if org == YUAN_LOAN and ind["id"] == "loan_amount":
        value = round(value * 10000)
    if org == DASH_ZERO and value == 0:
        return "—"
    return as_text_number(rng, value)


def row_name(org, ind) -> str:
    if org in ALIAS_ROWS and ind["aliases"]:
        return ind["aliases"].split("|")[0]
    if org in UNIT_IN_NAME:
        return f"{ind['name']}（{ind['unit']}）"
    return ind["name"]


def fmt_csv(value) -> str:
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return "" if value is None else str(value)


# ---------------------------------------------------------------- writers

def save_stable(wb: Workbook, path: Path) -> None:
    """Save with fixed zip timestamps and core.xml dates so the bytes never change."""
    buf = io.BytesIO()
    wb.save(buf)  # openpyxl stamps `modified` and the zip entries with the current time
    stamp = STAMP.strftime("%Y-%m-%dT%H:%M:%SZ")
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + stamp.encode(), data)
            dst.writestr(zipfile.ZipInfo(info.filename, STAMP.timetuple()[:6]), data,
                         compress_type=zipfile.ZIP_DEFLATED)


def write_form(rng, catalog, data, org, year, month, path: Path) -> None:
    values = data[org, year, month]
    wb = Workbook()
    wb.properties.created = wb.properties.modified = STAMP
    ws = wb.active
    ws.title = "Sheet1" if org in SHEET1 else "月报"
    ws["A1"] = f"{COUNTY}妇联工作统计月报表"
    ws.merge_cells("A1:E1")
    ws["A2"] = f"填报单位：{ORG_BY_ALIAS.get(org, org + '妇联')}"
    ws["D2"] = f"报告期：{year}-{month:02d}" if org in DASH_PERIOD else f"报告期：{year}年{month}月"
    ws.append(["序号", "指标名称", "计量单位", "本期数" if org in BENQI else "本月", "本年累计"])
    sections = list(dict.fromkeys(ind["section"] for ind in catalog))
    for s, section in enumerate(sections):
        heading = f"{ORDINALS[s]}、{section}"
        ws.append([None, heading] if org in HEADING_IN_B else [heading])
        rows = [ind for ind in catalog if ind["section"] == section]
        for n, ind in enumerate(rows, start=1):
            ytd = year_to_date(data, org, year, month, ind)
            unit = "元" if org == YUAN_LOAN and ind["id"] == "loan_amount" else ind["unit"]
            ws.append([n, row_name(org, ind), unit,
                       render(rng, org, ind, values[ind["id"]], ytd),
                       render(rng, org, ind, ytd, ytd)])
    ws.append([])
    filed_y, filed_m = (year + 1, 1) if month == 12 else (year, month + 1)
    ws.append([f"填表人：{CLERKS[TOWNS.index(org)]}", None, "审核人：王芳", None,
               f"填报日期：{filed_y}年{filed_m}月{rng.randint(2, 8)}日"])
    for col, width in zip("ABCDE", (8, 34, 10, 12, 12)):
        ws.column_dimensions[col].width = width
    save_stable(wb, path)


def write_streets_csv(rng, catalog, data, year, month, path: Path) -> None:
    """The 城区 office's table: one row per 街道 and a 合计 row, GBK with CRLF like Excel."""
    header = ["单位名称"] + [f"{ind['name']}（{ind['unit']}）" for ind in catalog]
    rows = []
    for org in STREETS:
        values = data[org, year, month]
        cells = [render(rng, org, ind, values[ind["id"]],
                        year_to_date(data, org, year, month, ind)) for ind in catalog]
        rows.append([org] + [fmt_csv(c) for c in cells])
    totals = []
    for ind in catalog:
        total = sum(data[org, year, month][ind["id"]] for org in STREETS)
        totals.append(fmt_csv(money(total) if isinstance(total, float) else total))
    with path.open("w", encoding="gbk", newline="") as f:
        csv.writer(f, lineterminator="\r\n").writerows([header, *rows, ["合计", *totals]])


def write_orgs(path: Path) -> None:
    rows = [[CITY, "", ""], [COUNTY, CITY, f"{COUNTY}妇联"]]
    for org in TOWNS + STREETS:
        short = re.sub("(镇|乡|街道)$", "", org)
        rows.append([org, COUNTY, f"{short}|{org}妇联"])
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows([["name", "parent", "aliases"], *rows])


def main() -> None:
    rng = random.Random(20160101)
    catalog = load_catalog()
    data = generate(rng, catalog)
    OUT.mkdir(exist_ok=True)
    written = 0
    for year in YEARS:
        shutil.rmtree(OUT / str(year), ignore_errors=True)  # drop files of older layouts
        for month in range(1, 13):
            folder = OUT / str(year) / f"{month:02d}"
            folder.mkdir(parents=True)
            for org in TOWNS:
                name = (f"{year}年{month}月{org}月报.xlsx" if org in CN_FILE_NAME
                        else f"{org}_{year}-{month:02d}.xlsx")
                write_form(rng, catalog, data, org, year, month, folder / name)
            write_streets_csv(rng, catalog, data, year, month,
                              folder / f"城区街道_{year}-{month:02d}.csv")
            written += len(TOWNS) + 1
    write_orgs(OUT / "orgs.csv")
    print(f"wrote {written + 1} files to {OUT.name}/")


if __name__ == "__main__":
    main()
