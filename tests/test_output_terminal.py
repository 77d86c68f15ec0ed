"""How check results are printed for people: text, alike findings on one line, the
summary last; colour only on a terminal."""

from fulian_stats.checks import Report
from fulian_stats.findings import Finding
from fulian_stats.output.terminal import Progress, findings_text, summary_line


def sample_result() -> Report:
    return Report(
        files=["subs/大宁镇_2016-03.xlsx", "subs/白沙镇_2016-03.xlsx", "subs/城区街道_2016-03.csv"],
        findings=[
            Finding("NUMBER_ESTIMATE", "“妇女之家服务”填的是估计数“300多”，已按300读取；请填写准确数字",
                    file="subs/大宁镇_2016-03.xlsx", sheet="月报", cell="D19"),
            Finding("NEGATIVE", "“慰问困境妇女儿童老人”为负数（-3）；统计数不能小于0，请核对",
                    file="subs/大宁镇_2016-03.xlsx", sheet="月报", cell="D20"),
            Finding("FILE_UNREADABLE", "不是有效的Excel文件或文件已损坏（x）；请在Excel或WPS中打开并另存后重新报送",
                    file="subs/白沙镇_2016-03.xlsx"),
            Finding("ENCODING", "第6行第15个字节处无法按UTF-8或GBK/GB18030解码", file="subs/城区街道_2016-03.csv", row=6),
            Finding("MISSING_SUBMISSION", "石门镇没有报送2016年3月的报表；请催报或确认该单位是否已撤并",
                    org="石门镇", period="2016-03"),
            Finding("UNIT_CONVERTED", "“创业担保贷款金额”按“元”填报，已换算为“万元”（×0.0001）",
                    file="subs/大宁镇_2016-03.xlsx", sheet="月报", cell="C12"),
        ])


def render(result, verbose: bool = False) -> str:
    return findings_text(result.findings, len(result.files), verbose)


def test_summary_line_counts_in_chinese():
    assert summary_line(3, 4, 1, 1) == "共检查3个文件：4个错误，1个警告，1条提示"


def test_text_has_every_error_before_any_warning_grouped_by_file_and_a_summary():
    assert render(sample_result()).splitlines() == [
        "（整体）",
        "  错误 石门镇没有报送2016年3月的报表；请催报或确认该单位是否已撤并 MISSING_SUBMISSION",
        "subs/城区街道_2016-03.csv",
        "  错误 第6行：第6行第15个字节处无法按UTF-8或GBK/GB18030解码 ENCODING",
        "subs/大宁镇_2016-03.xlsx",
        "  错误 月报 › D20：“慰问困境妇女儿童老人”为负数（-3）；统计数不能小于0，请核对 NEGATIVE",
        "subs/白沙镇_2016-03.xlsx",
        "  错误 不是有效的Excel文件或文件已损坏（x）；请在Excel或WPS中打开并另存后重新报送 FILE_UNREADABLE",
        "subs/大宁镇_2016-03.xlsx",
        "  警告 月报 › D19：“妇女之家服务”填的是估计数“300多”，已按300读取；请填写准确数字 NUMBER_ESTIMATE",
        "subs/大宁镇_2016-03.xlsx",
        "  提示 月报 › C12：“创业担保贷款金额”按“元”填报，已换算为“万元”（×0.0001） UNIT_CONVERTED",
        "共检查3个文件：4个错误，1个警告，1条提示",
    ]


def test_findings_alike_are_one_line_with_their_count_unless_verbose():
    names = ["创业担保贷款金额", "项目投资额", "获上级补助资金"]
    found = [Finding("UNIT_CONVERTED", f"“{name}”按“元”填报，已换算为“万元”（×0.0001）", file="官塘镇_2016-03.xlsx",
                     sheet="月报", cell=f"C{23 + 3 * i}") for i, name in enumerate(names)]
    found += [Finding("FILE_EMPTY", "文件是空的（0字节），请重新导出后报送", file="空.xlsx", values={"n": n}) for n in range(3)]
    result = Report(["官塘镇_2016-03.xlsx", "空.xlsx"], found)
    assert render(result).splitlines() == [
        "空.xlsx",
        "  错误 ×3：文件是空的（0字节），请重新导出后报送 FILE_EMPTY",
        "官塘镇_2016-03.xlsx",
        "  提示 ×3 月报 › C23、C26、C29：按“元”填报，已换算为“万元”（×0.0001） UNIT_CONVERTED",
        "共检查2个文件：3个错误，0个警告，3条提示",
    ]
    assert len(render(result, verbose=True).splitlines()) == 2 + 6 + 1


def test_text_shows_square_brackets_in_messages_as_written():
    result = Report(["[草稿]大宁镇.xlsx"], [Finding("NUMBER_INVALID", "“参训妇女”的数值“[待补]”无法识别",
                                                         file="[草稿]大宁镇.xlsx", sheet="月报", cell="D8")])
    text = render(result)
    assert "[草稿]大宁镇.xlsx" in text and "“[待补]”" in text


def test_a_clean_run_prints_only_the_summary():
    assert render(Report(["a.xlsx"], [])) == "共检查1个文件：0个错误，0个警告，0条提示\n"


def test_progress_off_is_silent():
    with Progress("正在读取报表", enabled=False) as progress:
        progress(1, 10)
        progress(10, 10)
    assert progress._bar is None


def test_colour_marks_the_severity_and_the_summary_on_a_terminal_only():
    result = Report(["a.xlsx"], [Finding("NEGATIVE", "为负数", file="a.xlsx", sheet="月报", cell="D20")])
    assert findings_text(result.findings, 1, colour=True).splitlines() == [
        "\x1b[1ma.xlsx\x1b[0m",
        "  \x1b[1;31m错误\x1b[0m 月报 › D20：为负数 \x1b[2mNEGATIVE\x1b[0m",
        "\x1b[1;31m共检查1个文件：1个错误，0个警告，0条提示\x1b[0m",
    ]
    assert "\x1b" not in findings_text(result.findings, 1)


# -- totals ----------------------------------------------------------------------------------

def totals_of(region=None, orgs=None):
    from agg_helpers import CATALOG, frame

    from fulian_stats.aggregate import aggregate
    from fulian_stats.periods import parse_period

    rows = [("大宁镇", "2016-01", "trainees", 3), ("白沙镇", "2016-02", "trainees", 4)]
    return aggregate(frame(rows), CATALOG, parse_period("2016-Q1"), "org", orgs=orgs, region=region)


def test_the_totals_table_and_the_written_line_name_the_region():
    """They said 合计 where the registry knows the county the townships sit under."""
    import io

    from rich.console import Console

    from fulian_stats.orgs import parse_orgs
    from fulian_stats.output.terminal import print_totals_table, written_text

    registry = parse_orgs("name,parent,aliases\n青溪县,,\n大宁镇,青溪县,\n白沙镇,青溪县,\n", "orgs.csv")
    cases = [(totals_of(orgs=registry), "青溪县2016年第一季度", "青溪县2016年第一季度，2个单位中0个报送了全部月份"),
             (totals_of(), "合计2016年第一季度", "2016年第一季度，2个单位报送了数据")]  # 合计: nothing says more
    for result, title, written in cases:
        screen = io.StringIO()
        print_totals_table(result, Console(file=screen, width=120, highlight=False))
        assert screen.getvalue().splitlines()[0].strip() == f"{title}汇总"
        assert written_text(result, "汇总.xlsx") == f"已写入 汇总.xlsx（{written}）"
