"""`fulian-stats check` as a user and CI run it, through main(), so that its handling of
exit codes and errors is what is tested: in this process (run_cli), and the sample
district once more as the installed command in its own process. Exit 0 without errors,
1 with errors, 2 on a usage error; never a traceback."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from check_helpers import clean_folder, fulian_installed, month_rows, run_cli, set_value, write_form
from fulian_stats.findings import CODES, ERROR
from test_check import CASES

REPO = Path(__file__).resolve().parents[1]
SUMMARY = re.compile(r"^共检查(\d+)个文件：(\d+)个错误，(\d+)个警告，(\d+)条提示$", re.M)


def no_traceback(done) -> None:
    for stream in (done.stdout, done.stderr):
        assert "Traceback" not in stream and "内部错误" not in stream, stream


def cli_args(args: dict, tmp: Path) -> list[str]:
    """check()'s arguments of a CASES builder as command-line arguments, relative to tmp."""
    paths = [str(Path(p).relative_to(tmp)) if Path(p).is_absolute() else str(p) for p in args["paths"]]
    options = []
    if args.get("orgs"):
        options += ["--orgs", str(args["orgs"])]
    if args.get("period"):
        options += ["--period", args["period"]]
    return [*paths, *options]


# ------------------------------------------------------------------ passing


def test_a_folder_of_clean_submissions_passes(tmp_path):
    clean_folder(tmp_path)
    done = run_cli("submissions", "--orgs", "orgs.csv", "--period", "2016-Q1", cwd=tmp_path)
    no_traceback(done)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip().splitlines() == ["共检查12个文件：0个错误，0个警告，0条提示"]
    assert done.stderr == ""  # no progress bar when not on a terminal


def test_the_sample_district_passes_as_the_installed_command():
    done = fulian_installed("check", "sample_data", "--orgs", "sample_data/orgs.csv", "--period", "2017",
                            "--format", "json", cwd=REPO)
    no_traceback(done)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr
    data = json.loads(done.stdout)
    assert (data["files"], data["errors"], data["warnings"]) == (240, 0, 0)


def test_the_sample_district_passes_as_text():
    done = run_cli("sample_data", "--orgs", "sample_data/orgs.csv", "--period", "2017", cwd=REPO)
    assert done.returncode == 0
    files, errors, warnings, _notes = SUMMARY.search(done.stdout).groups()
    assert (files, errors, warnings) == ("240", "0", "0")


def test_warnings_pass_unless_strict(tmp_path):
    rows = set_value(month_rows(3), "妇女之家服务", month="300多")
    write_form(tmp_path / "大宁镇_2016-03.xlsx", rows=rows)
    done = run_cli("大宁镇_2016-03.xlsx", cwd=tmp_path)
    assert done.returncode == 0
    assert "警告 月报 › D19：“妇女之家服务”填的是估计数“300多”，已按300读取；请填写准确数字 NUMBER_ESTIMATE" in done.stdout
    strict = run_cli("大宁镇_2016-03.xlsx", "--strict", cwd=tmp_path)
    assert strict.returncode == 1
    no_traceback(strict)


def test_period_option_is_the_last_resort_for_a_file_without_one(tmp_path):
    write_form(tmp_path / "大宁镇.xlsx", period=None)
    assert run_cli("大宁镇.xlsx", cwd=tmp_path).returncode == 1
    assert run_cli("大宁镇.xlsx", "--period", "2016-03", cwd=tmp_path).returncode == 0


# ------------------------------------------------------------------ failing

ERROR_CODES = sorted(code for code in CASES if CODES[code][0] == ERROR)


@pytest.mark.parametrize("code", ERROR_CODES)
def test_each_broken_submission_fails_naming_its_file_and_cell(code, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    case = CASES[code]
    args = cli_args(case.broken(tmp_path), tmp_path)
    done = run_cli(*args, cwd=tmp_path)
    no_traceback(done)
    assert done.returncode == 1, done.stdout + done.stderr
    assert f" {code}" in done.stdout
    where = case.expect.get("file")
    if where:
        assert where in done.stdout.splitlines()  # the file's heading
    if case.expect.get("cell"):
        assert f"{case.expect['cell']}：" in done.stdout
    errors = int(SUMMARY.search(done.stdout).group(2))
    assert errors >= 1


def test_one_unreadable_file_among_good_ones(tmp_path):
    folder = clean_folder(tmp_path)
    (folder / "2016-03" / "石门镇_2016-03.xlsx").write_bytes(b"PK\x03\x04")
    done = run_cli("submissions", "--format", "json", cwd=tmp_path)
    no_traceback(done)
    assert done.returncode == 1
    data = json.loads(done.stdout)
    assert data["files"] == 12 and data["errors"] == 1
    assert [(f["code"], f["file"]) for f in data["findings"]] == [
        ("FILE_UNREADABLE", "submissions/2016-03/石门镇_2016-03.xlsx")]


# ------------------------------------------------------------------ formats


def broken_folder(tmp_path: Path) -> None:
    folder = clean_folder(tmp_path)
    write_form(folder / "2016-03" / "大宁镇_2016-03.xlsx",
               rows=set_value(set_value(month_rows(3), "慰问困境妇女儿童老人", month=-3, ytd=120),
                              "妇女之家服务", month="300多", ytd=835))
    (folder / "2016-02" / "白沙镇_2016-02.xlsx").write_bytes(b"")
    (folder / "说明.docx").write_bytes(b"x")


def test_json_parses_and_its_counts_match_its_findings(tmp_path):
    broken_folder(tmp_path)
    done = run_cli("submissions", "--orgs", "orgs.csv", "--period", "2016-Q1", "--format", "json", cwd=tmp_path)
    no_traceback(done)
    assert done.returncode == 1
    data = json.loads(done.stdout)
    severities = [f["severity"] for f in data["findings"]]
    assert data["files"] == 12
    assert (data["errors"], data["warnings"], data["notes"]) == (
        severities.count("error"), severities.count("warning"), severities.count("info"))
    assert sorted((f["code"], f["file"], f["cell"]) for f in data["findings"]) == [
        ("FILES_SKIPPED", None, None),
        ("FILE_EMPTY", "submissions/2016-02/白沙镇_2016-02.xlsx", None),  # not also a missing submission
        ("NEGATIVE", "submissions/2016-03/大宁镇_2016-03.xlsx", "D20"),
        ("NUMBER_ESTIMATE", "submissions/2016-03/大宁镇_2016-03.xlsx", "D19"),
    ]
    for f in data["findings"]:
        assert set(f) >= {"severity", "code", "file", "sheet", "cell", "row", "org", "period", "indicator",
                          "message", "values"}


def test_json_is_valid_when_every_file_fails(tmp_path):
    (tmp_path / "a.xlsx").write_bytes(b"")
    (tmp_path / "b.xlsx").write_bytes(b"garbage")
    done = run_cli("a.xlsx", "b.xlsx", "--format", "json", cwd=tmp_path)
    assert done.returncode == 1
    data = json.loads(done.stdout)
    assert (data["files"], data["errors"], data["warnings"]) == (2, 2, 0)


def test_github_lines_carry_file_and_line(tmp_path):
    broken_folder(tmp_path)
    done = run_cli("submissions", "--orgs", "orgs.csv", "--period", "2016-Q1", "--format", "github", cwd=tmp_path)
    no_traceback(done)
    assert done.returncode == 1
    lines = done.stdout.strip().splitlines()
    assert "::error file=submissions/2016-03/大宁镇_2016-03.xlsx,line=20,title=NEGATIVE 月报 D20::" \
           "“慰问困境妇女儿童老人”为负数（-3）；统计数不能小于0，请核对" in lines
    assert "::warning file=submissions/2016-03/大宁镇_2016-03.xlsx,line=19,title=NUMBER_ESTIMATE 月报 D19::" \
           "“妇女之家服务”填的是估计数“300多”，已按300读取；请填写准确数字" in lines
    assert "::error file=submissions/2016-02/白沙镇_2016-02.xlsx,title=FILE_EMPTY::文件是空的（0字节），请重新导出后报送" in lines
    commands = [line for line in lines if line.startswith("::")]
    assert len(commands) == 4 and lines[-1] == "共检查12个文件：2个错误，1个警告，1条提示"


def noisy_folder(tmp_path: Path) -> Path:
    """A clean quarter in which 大宁镇 reports its loans in 元 every month, and a summary
    workbook of the quarter left among the submissions."""
    from fulian_stats.aggregate import aggregate_paths
    from fulian_stats.output.workbook import write_workbook
    from check_helpers import CATALOG, RULES

    folder = clean_folder(tmp_path)
    book = tmp_path / "汇总.xlsx"
    write_workbook(book, aggregate_paths([folder], CATALOG, RULES).result, CATALOG)
    book.rename(folder / "汇总.xlsx")
    for month in (1, 2, 3):
        rows = month_rows(month)
        amount, ytd = rows[7][2], rows[7][3]
        write_form(folder / f"2016-{month:02d}" / f"大宁镇_2016-{month:02d}.xlsx", period=f"2016年{month}月",
                   rows=set_value(rows, "创业担保贷款金额", month=amount * 10000, ytd=ytd * 10000, unit="元"))
    return folder


def test_text_says_each_thing_once_and_json_and_github_keep_every_finding(tmp_path):
    """One summary workbook among the submissions printed a line per org and month; a
    township reporting in 元 printed a block a month."""
    noisy_folder(tmp_path)
    done = run_cli("submissions", cwd=tmp_path)
    no_traceback(done)
    assert done.returncode == 1
    assert done.stdout.splitlines() == [
        "submissions/汇总.xlsx",
        "  错误 ×18：与另外12个文件中6个单位的报表重复，像是一份汇总表或副本混在了报表中；请把它移出报表文件夹，"
        "每个单位每个报告期只留一份 DUPLICATE_SUBMISSION",
        "大宁镇 2016年1-3月（3个文件）",
        "  提示 ×3 月报 › C12：“创业担保贷款金额”按“元”填报，已换算为“万元”（×0.0001） UNIT_CONVERTED",
        "共检查13个文件：18个错误，0个警告，3条提示",
    ]
    verbose = run_cli("submissions", "--verbose", cwd=tmp_path).stdout.splitlines()
    assert len([line for line in verbose if line.startswith("  ")]) == 21 and verbose[-1] == done.stdout.splitlines()[-1]
    data = json.loads(run_cli("submissions", "--format", "json", cwd=tmp_path).stdout)
    assert len(data["findings"]) == 21
    assert len(run_cli("submissions", "--format", "github", cwd=tmp_path).stdout.splitlines()) == 21 + 1


# ------------------------------------------------------------------ usage errors


@pytest.mark.parametrize(("args", "message"), [
    (["没有这个文件夹"], "错误：找不到文件或文件夹：没有这个文件夹"),
    (["submissions", "--period", "2016-13"],
     "错误：无法识别的报告期：2016-13（可写作 2016-03、2016-Q1、2016-H1、2016、2016-01..2016-06 或 2016年3月）"),
    (["submissions", "--orgs", "bad_orgs.csv"], "错误：单位名册 bad_orgs.csv 缺少 name 列（应有 name,parent,aliases）"),
    (["submissions", "--orgs", "cycle.csv"], "错误：单位名册 cycle.csv：甲镇 的上级关系形成了循环"),
    (["submissions", "--orgs", "no_such_orgs.csv"], "错误：找不到单位名册文件：no_such_orgs.csv"),
    (["说明.docx"], "错误：不支持的文件类型：说明.docx（支持 .xlsx、.xlsm、.xls、.csv、.txt（制表符分隔））"),
])
def test_usage_errors_are_one_chinese_line_and_exit_2(args, message, tmp_path):
    clean_folder(tmp_path)
    (tmp_path / "bad_orgs.csv").write_text("单位,上级\n大宁镇,青溪县\n", encoding="utf-8")
    (tmp_path / "cycle.csv").write_text("name,parent,aliases\n甲镇,乙镇,\n乙镇,甲镇,\n", encoding="utf-8")
    (tmp_path / "说明.docx").write_bytes(b"x")
    done = run_cli(*args, cwd=tmp_path)
    no_traceback(done)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.splitlines() == [message]


@pytest.mark.parametrize(("args", "named"), [
    (["submissions", "--format", "xml"], "xml"),
    (["submissions", "--bogus"], "--bogus"),
    ([], "文件或文件夹"),
])
def test_command_line_mistakes_are_usage_errors(args, named, tmp_path):
    """What the option parser rejects is a usage error too (exit 2), not an internal error."""
    clean_folder(tmp_path)
    done = run_cli(*args, cwd=tmp_path)
    no_traceback(done)
    assert done.returncode == 2
    assert named.lower() in done.stderr.lower()


# ------------------------------------------------------------------ the CI example

WORKFLOW = REPO / "docs" / "examples" / "check-submissions.yml"


def workflow_command() -> list[str]:
    runs = re.findall(r"^\s+run: (fulian-stats check .+)$", WORKFLOW.read_text(encoding="utf-8"), re.M)
    assert len(runs) == 1, runs
    return runs[0].split()[2:]


def test_the_example_workflow_sets_up_python_and_checks_with_annotations():
    yaml = pytest.importorskip("yaml")
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    steps = workflow["jobs"]["check"]["steps"]
    assert steps[0]["uses"].startswith("actions/checkout@")
    assert steps[1]["uses"].startswith("actions/setup-python@") and steps[1]["with"]["python-version"] == "3.11"
    assert steps[2]["run"] == "pip install fulian-stats"
    assert steps[3]["run"] == "fulian-stats check submissions/ --orgs orgs.csv --format github"
    assert "push" in workflow[True]  # YAML 1.1 reads the key `on` as True


def test_the_example_workflow_command_passes_clean_and_annotates_broken_submissions(tmp_path):
    folder = clean_folder(tmp_path)
    args = workflow_command()
    assert run_cli(*args, cwd=tmp_path).returncode == 0
    write_form(folder / "2016-03" / "大宁镇_2016-03.xlsx", rows=set_value(month_rows(3), "参训妇女", month="不详"))
    done = run_cli(*args, cwd=tmp_path)
    assert done.returncode == 1
    assert done.stdout.splitlines()[0] == (
        "::error file=submissions/2016-03/大宁镇_2016-03.xlsx,line=8,title=NUMBER_INVALID 月报 D8::"
        "“参训妇女”的数值“不详”无法识别；请只填数字，没有发生的填0，未统计的留空")


def test_a_folder_without_a_submission_is_a_usage_error_not_a_pass(tmp_path):
    # Regression: an empty folder (in CI: a wrong path) printed 共检查0个文件 and exited 0.
    (tmp_path / "报表").mkdir()
    done = run_cli("报表", cwd=tmp_path)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == "错误：所给的报表中没有报表文件（只读取 .xlsx、.xlsm、.xls、.csv、.txt（制表符分隔））\n"
    (tmp_path / "报表" / "说明.docx").write_bytes(b"x")
    done = run_cli("报表", "--format", "json", cwd=tmp_path)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == "错误：所给的报表中没有报表文件：跳过了1个不是报表格式的文件（如 报表/说明.docx）；只读取 .xlsx、.xlsm、.xls、.csv、.txt（制表符分隔）\n"
