"""`fulian-stats indicators`: the catalog on screen and as JSON; a broken --catalog is
one Chinese line and exit 2, never a traceback."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from check_helpers import fulian, fulian_installed
from fulian_stats.cli import app

KINDS = {"flow", "stock", "rate"}


def test_indicators_json(tmp_path):
    result = fulian("indicators", "--format", "json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert len(rows) == 59
    assert all(row["unit"] and row["section"] and row["kind"] in KINDS for row in rows)
    assert rows[0] == {"id": "wechat_posts", "name": "新媒体推送信息", "unit": "条", "section": "思想引领",
                       "kind": "flow", "numerator": None, "denominator": None,
                       "aliases": ["微信公众号推送信息", "推送信息条数"], "parent": None, "label": "新媒体推送信息",
                       "phrase": "通过新媒体推送信息{n}条"}
    rate = next(row for row in rows if row["id"] == "petition_handling_rate")
    assert (rate["kind"], rate["numerator"], rate["denominator"]) == ("rate", "petitions_handled", "petitions")


def test_indicators_table_in_process():
    result = CliRunner().invoke(app, ["indicators"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "指标目录（默认指标目录，共59项）" in result.output
    assert "创业担保贷款金额" in result.output and "万元" in result.output


def test_indicators_with_user_catalog(tmp_path):
    path = tmp_path / "my.csv"
    path.write_text("id,name,unit,section,kind,numerator,denominator,aliases\n"
                    "trainees,参训妇女,人,创业就业,flow,,,参训人数\n", encoding="utf-8")
    result = fulian("indicators", "--format", "json", "--catalog", str(path), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert [row["id"] for row in json.loads(result.stdout)] == ["trainees"]


def test_catalog_from_fulian_toml(tmp_path):
    (tmp_path / "cat.csv").write_text("id,name,unit,section,kind,numerator,denominator,aliases\n"
                                      "a,甲,人,S,flow,,,\nb,乙,人,S,flow,,,\n", encoding="utf-8")
    (tmp_path / "fulian.toml").write_text('catalog = "cat.csv"\n', encoding="utf-8")
    result = fulian("indicators", "--format", "json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert [row["id"] for row in json.loads(result.stdout)] == ["a", "b"]


def test_broken_catalog_is_one_chinese_line(tmp_path):
    path = tmp_path / "my.csv"
    path.write_text("id,name,unit,section,kind,numerator,denominator,aliases\n"
                    "trainees,参训妇女,人,创业就业,flow,,,\n"
                    "trainees,培训妇女,人,创业就业,flow,,,\n", encoding="utf-8")
    result = fulian("indicators", "--format", "json", "--catalog", str(path), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == f"错误：指标目录 {path} 第3行：指标编号 trainees 重复\n"


def test_broken_catalog_with_debug_shows_the_traceback(tmp_path):
    path = tmp_path / "my.csv"
    path.write_text("id,name,unit,section,kind,numerator,denominator,aliases\na,甲,人,S,sum,,,\n", encoding="utf-8")
    result = fulian_installed("indicators", "--catalog", str(path), "--debug", cwd=tmp_path)  # Python prints it
    assert result.returncode != 0
    assert "Traceback" in result.stderr and "CatalogError" in result.stderr


def test_missing_catalog_file(tmp_path):
    result = fulian("indicators", "--catalog", "nope.csv", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == "错误：找不到指标目录文件：nope.csv\n"
