"""The command line's own words in Chinese: every command's --help and every usage error
Click can raise, as main() prints them (cli.run), and usage.py's pieces one by one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from fulian_stats import cli, usage
from fulian_stats.errors import MachineError
from fulian_stats.signals import Interrupted

COMMANDS = ["indicators", "check", "aggregate", "explain", "report", "inspect", "template"]

# What may stay ASCII in what a user reads: codes a user types or sees in files.
CODES = {
    "fulian", "stats", *COMMANDS,
    "text", "json", "github", "table", "csv", "total", "org", "period", "form",   # option values
    "township", "county", "city", "name", "parent", "aliases", "trainees",       # ids and columns
    "xlsx", "xlsm", "xls", "docx", "html", "txt",                                # file suffixes
    "CSV", "Markdown", "HTML", "Word", "Excel", "WPS", "UTF",                     # formats and programs
}
OPTION = re.compile(r"(?<![\w-])--?[a-z][\w-]*")
FILE_NAME = re.compile(r"[\w./-]*\.(?:csv|xlsx|xlsm|xls|docx|j2|md|txt|html|json)\b")


def english_words(text: str, typed=()) -> set[str]:
    """ASCII words of three or more letters that are not options, file names, codes or
    what the user typed."""
    text = FILE_NAME.sub(" ", OPTION.sub(" ", text))
    return {word for word in re.findall(r"[A-Za-z]{3,}", text) if word not in CODES and word not in typed}


def run(capsys, *args) -> tuple[int, str, str]:
    code = cli.run(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("command", [[], *([name] for name in COMMANDS)])
def test_every_help_is_chinese(command, capsys):
    code, out, err = run(capsys, *command, "--help")
    assert (code, err) == (0, "")
    assert out.startswith(f"用法：fulian-stats {' '.join(command)}".rstrip() + " ")
    assert "选项：" in out and "显示本帮助并退出" in out
    assert english_words(out) == set()


def test_the_help_marks_what_is_required_and_the_defaults(capsys):
    _, out, _ = run(capsys, "aggregate", "--help")
    assert "参数：" in out
    assert re.search(r"^  文件或文件夹\.\.\. +报表文件或文件夹.*\[必填\]$", out, re.M | re.S)
    assert re.search(r"^  --by <total\|org\|period> +按什么分列.*?\[默认：total\]$", out, re.M | re.S)


def test_fulian_stats_alone_prints_its_help(capsys):
    code, out, err = run(capsys)
    assert (code, err) == (0, "")
    assert out.startswith("用法：fulian-stats [选项] 命令 [参数]...\n")


USAGE_ERRORS = [
    (["check"], "错误：缺少参数 文件或文件夹。用 fulian-stats check --help 查看用法。"),
    (["explain"], "错误：缺少参数 指标。用 fulian-stats explain --help 查看用法。"),
    (["template"], "错误：缺少选项 -o / --output。用 fulian-stats template --help 查看用法。"),
    (["check", "x", "--verbos"],
     "错误：没有 --verbos 这个选项；是否想用 --period、--verbose？用 fulian-stats check --help 查看用法。"),
    (["check", "x", "--zzzz"], "错误：没有 --zzzz 这个选项。用 fulian-stats check --help 查看用法。"),
    (["aggregate", "x", "--by", "分月"],
     "错误：--by 的值无效：“分月”不是可选的值（可选：total、org、period）。"
     "用 fulian-stats aggregate --help 查看用法。"),
    (["check", "x", "--format"], "错误：选项 --format 后面要写一个值。用 fulian-stats check --help 查看用法。"),
    (["check", "x", "--strict=yes"],
     "错误：选项 --strict 不带值（写 --strict 即可）。用 fulian-stats check --help 查看用法。"),
    (["chek", "x"], "错误：没有“chek”这个命令；是否想用 check？用 fulian-stats --help 查看用法。"),
    (["summarise"], "错误：没有“summarise”这个命令。用 fulian-stats --help 查看用法。"),
    (["indicators", "extra"], "错误：多余的参数：extra。用 fulian-stats indicators --help 查看用法。"),
    (["check", "没有这个文件夹"], "错误：找不到文件或文件夹：没有这个文件夹"),
    (["check", "x", "--catalog", "没有.csv"], "错误：找不到指标目录文件：没有.csv"),
    (["check", "x", "--period", "2016-13"],
     "错误：无法识别的报告期：2016-13（可写作 2016-03、2016-Q1、2016-H1、2016、2016-01..2016-06 或 2016年3月）"),
]


@pytest.mark.parametrize(("args", "line"), USAGE_ERRORS)
def test_a_usage_error_is_one_chinese_line_and_exit_2(args, line, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x").mkdir()
    code, out, err = run(capsys, *args)
    assert (code, out) == (2, "")
    assert err.splitlines() == [line]
    assert english_words(err, typed=args) == set()


def test_an_internal_error_names_only_its_kind_without_debug(capsys, monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("an English message from deep inside")

    monkeypatch.setattr("fulian_stats.api.setup", broken)
    code, out, err = run(capsys, "indicators")
    assert (code, out) == (3, "")
    assert err == "内部错误（ValueError）：请加 --debug 重新运行查看详情，并报告此问题\n"
    with pytest.raises(ValueError, match="English message"):
        cli.run(["indicators", "--debug"])


# ------------------------------------------------------------------ the pieces


def test_help_words_turns_clicks_markers_into_chinese():
    assert usage.help_words("Show this message and exit.") == "显示本帮助并退出"
    assert usage.help_words("输出格式  [default: text]") == "输出格式  [默认：text]"
    assert usage.help_words("报表文件  [required]") == "报表文件  [必填]"
    assert usage.help_words("[OPTIONS] COMMAND [ARGS]...") == "[选项] 命令 [参数]..."


def test_display_width_counts_chinese_twice():
    assert usage.display_width("--orgs <名册.csv>") == 17
    assert usage.display_width("报告期：") == 8


def test_definition_list_aligns_in_display_columns_and_never_cuts_ascii():
    rows = [("--period <报告期>", "报告期，如 2016-03、2016-Q1、2016-H1、2016、2016-01..2016-06"),
            ("-q, --quiet", "不显示进度条")]
    assert usage.definition_list(rows, indent=2, width=60) == (
        "  --period <报告期>  报告期，如 2016-03、2016-Q1、2016-H1、\n"
        "                     2016、2016-01..2016-06\n"
        "  -q, --quiet        不显示进度条\n"
    )


def test_definition_list_keeps_closing_punctuation_on_its_line():
    text = usage.definition_list([("--x", "甲" * 19 + "（乙）")], indent=0, width=45)
    assert text == "--x  " + "甲" * 19 + "\n     （乙）\n"


@pytest.mark.parametrize(("raised", "code", "line"), [
    (MemoryError(), 3, "错误：内存不足，未写入输出；请分批处理报表，或在内存更大的机器上运行"),
    (Interrupted(15), 143, "已中断，未写入输出"),
    (Interrupted(2), 130, "已中断，未写入输出"),
    (MachineError("无法写入输出文件 汇总.xlsx：磁盘空间不足；原有文件未改动"), 3,
     "错误：无法写入输出文件 汇总.xlsx：磁盘空间不足；原有文件未改动"),
])
def test_how_a_run_ends_that_its_data_did_not_end(raised, code, line, capsys, monkeypatch):
    def failing(*args, **kwargs):
        raise raised

    monkeypatch.setattr("fulian_stats.api.setup", failing)
    assert run(capsys, "indicators") == (code, "", line + "\n")


def test_a_run_ends_with_its_code_where_signals_cannot_be_held(capsys, monkeypatch):
    """main() held the stop signals once a run had ended with signal.pthread_sigmask,
    which Windows has not: there every finished run ended in an AttributeError."""
    monkeypatch.delattr("signal.pthread_sigmask")
    monkeypatch.setattr("sys.argv", ["fulian-stats", "indicators", "--format", "json"])
    with pytest.raises(SystemExit) as ended:
        cli.main()
    assert ended.value.code == 0
    assert capsys.readouterr().out.count('"id": ') == 59


def test_the_readmes_user_part_is_chinese():
    """Everything before the developers' sections, outside code, reads in Chinese."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    users = readme.split("\n## Speed", 1)[0]
    prose = re.sub(r"```.*?```|`[^`\n]*`|\]\([^)]*\)", " ", users, flags=re.S)
    names = {"Python", "Jupyter", "GitHub", "Actions", "LibreOffice", "Unicode", "BOM", "GBK", "Ctrl", "SIGINT", "SIGTERM"}
    assert english_words(prose) - names == set()
