"""Tests for the safe rule-expression parser and evaluator (fulian_stats.checks.expression)."""

import csv
import dataclasses
from importlib.resources import files

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fulian_stats.errors import ExpressionError, FulianError
from fulian_stats.checks.expression import MAX_LENGTH, MAX_NESTING, Rule, evaluate, parse, parse_rule


def rule_rows() -> list[dict[str, str]]:
    text = files("fulian_stats").joinpath("data", "rules.csv").read_text(encoding="utf-8-sig")
    return list(csv.DictReader(text.splitlines()))


def value_of(text: str, **values):
    return evaluate(parse(text), values)


# --- the shipped rules table ------------------------------------------------

# rule id -> [(values, applies, holds), ...]
RULE_CASES = {
    "poor_le_housekeeping": [
        ({"housekeeping_participants_poor": 3, "housekeeping_participants": 5}, True, True),
        ({"housekeeping_participants_poor": 6, "housekeeping_participants": 5}, True, False),
        ({}, True, True),
    ],
    "poor_le_trainees": [
        ({"trainees_poor": 5, "trainees": 5}, True, True),
        ({"trainees_poor": 7, "trainees": None}, True, False),
    ],
    "certified_le_trainees": [
        ({"trainees_certified": 40, "trainees": 120}, True, True),
        ({"trainees_certified": 121, "trainees": 120}, True, False),
    ],
    "handled_le_petitions": [
        ({"petitions_handled": 9, "petitions": 9}, True, True),
        ({"petitions_handled": 10, "petitions": 9}, True, False),
    ],
    "covered_le_villages": [
        ({"poor_villages_with_children_home": 2, "poor_villages": 3}, True, True),
        ({"poor_villages_with_children_home": 4, "poor_villages": 3}, True, False),
    ],
    "operated_le_screened": [
        ({"cataract_operated": 0, "cataract_screened": 30}, True, True),
        ({"cataract_operated": 31, "cataract_screened": 30}, True, False),
    ],
    "new_le_total_homes": [
        ({"children_homes_new": 2, "children_homes_total": 5}, True, True),
        ({"children_homes_new": 6, "children_homes_total": 5}, True, False),
        ({"children_homes_new": 3}, False, False),
    ],
    "housekeeping_needs_events": [
        ({"housekeeping_participants": 10, "housekeeping_events": 2}, True, True),
        ({"housekeeping_participants": 10, "housekeeping_events": 0}, True, False),
        ({"housekeeping_events": None}, False, False),
    ],
    "lecture_needs_events": [
        ({"lecture_attendees": 200, "lectures": 1}, True, True),
        ({"lecture_attendees": 200}, True, False),
        ({"lecture_attendees": 0, "lectures": 0}, False, False),
    ],
    "family_needs_lectures": [
        ({"family_lecture_attendees": 80, "family_lectures": 2}, True, True),
        ({"family_lecture_attendees": 80, "family_lectures": 0}, True, False),
    ],
    "legal_needs_lectures": [
        ({"legal_beneficiaries": 35, "legal_lectures": 1}, True, True),
        ({"legal_beneficiaries": 35, "legal_lectures": None}, True, False),
        ({}, False, False),
    ],
    "loan_amount_needs_applicants": [
        ({"loan_amount": 12.5, "loan_applicants": 1}, True, True),
        ({"loan_amount": 12.5, "loan_applicants": 0}, True, False),
        ({"loan_amount": 0, "loan_applicants": 3}, False, True),
    ],
    "aid_amount_needs_recipients": [
        ({"cancer_aid_amount": 0.000001, "cancer_aid_recipients": 1}, True, True),
        ({"cancer_aid_amount": 0.000001}, True, False),
    ],
    "loan_per_person_cap": [
        ({"loan_amount": 300, "loan_applicants": 10}, True, True),  # exactly 30 万元 each
        ({"loan_amount": 300.000001, "loan_applicants": 10}, True, False),
        ({"loan_amount": 3000, "loan_applicants": 10}, True, False),
        ({}, True, True),
    ],
}


def test_every_shipped_rule_parses():
    rules = [parse_rule(**row) for row in rule_rows()]
    assert rules, "rules.csv is empty"
    assert {rule.severity for rule in rules} <= {"error", "warning"}
    by_id = {rule.id: rule for rule in rules}
    assert by_id["loan_per_person_cap"].names == frozenset({"loan_amount", "loan_applicants"})
    assert by_id["housekeeping_needs_events"].names == frozenset(
        {"housekeeping_events", "housekeeping_participants"}
    )
    assert by_id["poor_le_trainees"].when is None
    assert by_id["poor_le_trainees"].message == "其中贫困妇女人数不能超过参训妇女总人数"


def test_every_shipped_rule_has_cases_here():
    missing = {row["id"] for row in rule_rows()} - RULE_CASES.keys()
    assert not missing, f"add cases for these rules to RULE_CASES: {sorted(missing)}"


@pytest.mark.parametrize(
    ("rule_id", "values", "applies", "holds"),
    [(rule_id, *case) for rule_id, cases in RULE_CASES.items() for case in cases],
)
def test_shipped_rule_results(rule_id, values, applies, holds):
    rows = [row for row in rule_rows() if row["id"] == rule_id]
    if not rows:
        pytest.skip(f"rule {rule_id} no longer in rules.csv")
    rule = parse_rule(**rows[0])
    assert rule.applies(values) is applies
    assert rule.holds(values) is holds
    assert rule.violated(values) is (applies and not holds)  # the one call check_rules makes


# --- evaluation ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "values", "expected"),
    [
        ("1 + 2 * 3", {}, 7.0),
        ("1 + 2 * 3 == 7", {}, True),
        ("(1 + 2) * 3 == 9", {}, True),
        ("(1 + 2) * 3", {}, 9.0),
        ("10 - 4 - 3", {}, 3.0),  # left associative
        ("24 / 4 / 2", {}, 3.0),
        ("a * 0.5", {"a": 3}, 1.5),
        ("-a + 3", {"a": 1}, 2.0),
        ("--2", {}, 2.0),
        ("2 * -3", {}, -6.0),
        ("a - -1", {"a": 1}, 2.0),
        ("-(1 - 3) * 2", {}, 4.0),
        ("-a < 0", {"a": 1}, True),
        ("not a > 1 or b > 1", {"a": 5, "b": 0}, False),  # (not a > 1) or (b > 1)
        ("not a > 1 or b > 1", {"a": 0, "b": 0}, True),
        ("not a > 1 or b > 1", {"a": 5, "b": 2}, True),
        ("a > 1 or b > 1 and c > 1", {"a": 2}, True),  # and binds tighter than or
        ("(a > 1 or b > 1) and c > 1", {"a": 2}, False),
        ("not not a > 1", {"a": 2}, True),
        ("a != b", {"a": 1, "b": 2}, True),
        ("a >= b", {"a": 2, "b": 2}, True),
        ("a > b", {"a": 2, "b": 2}, False),
        ("a < b", {"a": 2, "b": 2}, False),
    ],
)
def test_evaluate(text, values, expected):
    result = evaluate(parse(text), values)
    assert result == expected
    assert type(result) is type(expected)


def test_missing_and_blank_names_count_as_zero():
    assert value_of("a + b") == 0.0
    assert value_of("a + b", a=None, b=2) == 2.0
    assert value_of("a >= 0 and a <= 0") is True
    assert value_of("a == 0", a=None) is True
    assert value_of("a == 0 and b == 2", a=float("nan"), b=2) is True  # pandas blank cell


def test_names_are_collected_once_at_parse_time():
    expr = parse("not (trainees_poor <= trainees * 2) or x1 > 0.5 and trainees > 1")
    assert expr.names == frozenset({"trainees_poor", "trainees", "x1"})
    assert parse("1 + 2 > 0").names == frozenset()
    assert expr.is_condition is True
    assert parse("a + b").is_condition is False


def test_parse_result_is_immutable():
    expr = parse("a <= b")
    with pytest.raises(dataclasses.FrozenInstanceError):
        expr.text = "b <= a"
    with pytest.raises(dataclasses.FrozenInstanceError):
        expr.node.op = ">"
    assert parse("a <= b") == expr  # value equality, usable as a cache key
    assert hash(parse("a <= b")) == hash(expr)


def test_division_by_zero_is_unknown_and_never_fires():
    assert value_of("a / b", a=1, b=0) is None
    assert value_of("a / b + 1", a=1) is None
    assert value_of("-(a / b)", a=1) is None
    assert value_of("a / b", a=1, b=4) == 0.25
    assert value_of("a / b > 1", a=1, b=0) is True
    assert value_of("a / b <= 1", a=1, b=0) is True
    assert value_of("not (a / b > 1)", a=1, b=0) is True  # unknown stays unknown under not
    assert value_of("a / b > 1 and c > 1", a=1, b=0) is False  # the known side decides
    assert value_of("a / b > 1 and c > 1", a=1, b=0, c=2) is True
    assert value_of("a / b > 1 or c > 1", a=1, b=0) is True
    assert value_of("c > 1 or a / b > 1", a=1, b=0, c=2) is True
    rule = parse_rule("ratio", "warning", "a / b <= 2", "a / b > 0", "比例过高")
    assert rule.applies({"a": 5}) is True
    assert rule.holds({"a": 5}) is True
    assert rule.holds({"a": 5, "b": 1}) is False


def test_comparisons_tolerate_float_noise():
    assert 0.1 + 0.2 > 0.3  # the noise being tolerated
    assert value_of("0.1 + 0.2 <= 0.3") is True
    assert value_of("0.1 + 0.2 == 0.3") is True
    assert value_of("0.3 < 0.1 + 0.2") is False
    assert value_of("a + b <= c", a=0.7, b=0.1, c=0.8) is True
    assert value_of("0.300001 <= 0.3") is False  # one 6th-decimal step is a real difference
    assert value_of("0.300001 != 0.3") is True
    # Relative to magnitude: at 10^9 a difference of 0.5 is noise.
    assert value_of("a == b", a=1_000_000_000, b=1_000_000_000.5) is True
    assert value_of("a < b", a=1_000_000_000, b=1_000_000_000.5) is False


def test_long_flat_expression_evaluates_without_recursion_error():
    text = "1" + "+1" * ((MAX_LENGTH - 1) // 2)
    assert len(text) <= MAX_LENGTH
    assert value_of(text) == float((MAX_LENGTH + 1) // 2)


# --- parse errors -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("", "表达式为空"),
        ("   ", "表达式为空"),
        ("a <= ", "第5个字符处缺少数值或指标"),
        ("a <=", "第5个字符处缺少数值或指标"),
        ("a * * b", "第5个字符处缺少数值或指标"),
        ("()", "第2个字符处缺少数值或指标"),
        ("a > 0 and", "第10个字符处缺少数值或指标"),
        ("a $ b", "第3个字符处有无法识别的字符“$”"),
        ("A > 0", "第1个字符处有无法识别的字符“A”"),
        ("a（1）", "第2个字符处有无法识别的字符“（”"),
        ("a > 0 且 b > 0", "第7个字符处有无法识别的字符“且”"),
        ("a && b", "第3个字符处有无法识别的字符“&”"),
        ("a = b", "第3个字符处的“=”应写作“==”"),
        ("(a + b", "括号不配对：第1个字符处的“(”缺少对应的“)”"),
        ("((a) + b", "括号不配对：第1个字符处的“(”缺少对应的“)”"),
        ("a + b)", "括号不配对：第6个字符处的“)”缺少对应的“(”"),
        ("a < b < c", "第7个字符处的“<”不能接着上一个比较，请用 and 连接两个比较"),
        ("a == b != c", "第8个字符处的“!=”不能接着上一个比较，请用 and 连接两个比较"),
        ("a b", "第3个字符处的“b”前缺少运算符"),
        ("(a b)", "第4个字符处的“b”前缺少运算符"),
        ("1e3", "第2个字符处的“e3”前缺少运算符"),
        ("a > 1 not b > 1", "第7个字符处的“not”前缺少运算符"),
        ("(a > 1) + 2", "第9个字符处的“+”需要数值，不能用于比较结果"),
        ("(a > 1) < 2", "第9个字符处的“<”需要数值，不能用于比较结果"),
        ("-(a > 1)", "第1个字符处的“-”需要数值，不能用于比较结果"),
        ("a and b > 1", "第3个字符处的“and”需要比较（如 a > 0），不能用于数值"),
        ("a > 1 or b", "第7个字符处的“or”需要比较（如 a > 0），不能用于数值"),
        ("not a", "第1个字符处的“not”需要比较（如 a > 0），不能用于数值"),
    ],
)
def test_parse_error_messages(text, detail):
    with pytest.raises(ExpressionError) as caught:
        parse(text)
    assert str(caught.value) == f"规则表达式“{text}”有误：{detail}"


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("__import__('os')", "第12个字符处有无法识别的字符“'”"),
        ("a.b", "第2个字符处有无法识别的字符“.”"),
        ("a[0]", "第2个字符处有无法识别的字符“[”"),
        ("open(f)", "第5个字符处的“(”前缺少运算符"),
        ("a if b else c", "第3个字符处的“if”前缺少运算符"),
        ("lambda: 1", "第7个字符处有无法识别的字符“:”"),
        ("a ** 2", "第4个字符处缺少数值或指标"),
        ("'a' > 0", "第1个字符处有无法识别的字符“'”"),
    ],
)
def test_python_syntax_is_rejected(text, detail):
    with pytest.raises(ExpressionError) as caught:
        parse(text)
    assert str(caught.value) == f"规则表达式“{text}”有误：{detail}"


def test_nesting_and_length_limits():
    deep_enough = "(" * MAX_NESTING + "a" + ")" * MAX_NESTING + " > 0"
    assert parse(deep_enough).names == frozenset({"a"})
    too_deep = "(" * (MAX_NESTING + 1) + "a" + ")" * (MAX_NESTING + 1)
    with pytest.raises(ExpressionError) as caught:
        parse(too_deep)
    assert str(caught.value) == f"规则表达式“{too_deep}”有误：第{MAX_NESTING + 1}个字符处嵌套过深（超过{MAX_NESTING}层）"
    too_long = "a" * (MAX_LENGTH + 1)
    with pytest.raises(ExpressionError) as caught:
        parse(too_long)
    assert str(caught.value) == f"规则表达式“{too_long}”有误：表达式过长（超过{MAX_LENGTH}个字符）"


def test_expression_error_is_a_fulian_error():
    with pytest.raises(FulianError):
        parse("a <")


# --- rules ----------------------------------------------------------------------


def test_parse_rule_builds_a_frozen_rule():
    rule = parse_rule("cap", "warning", "loan_amount <= loan_applicants * 30", "loan_amount > 0", "人均过高")
    assert isinstance(rule, Rule)
    assert (rule.id, rule.severity, rule.message) == ("cap", "warning", "人均过高")
    assert rule.check == parse("loan_amount <= loan_applicants * 30")
    assert rule.names == frozenset({"loan_amount", "loan_applicants"})
    assert rule.applies({"loan_amount": 31}) is True
    assert rule.applies({"loan_amount": 0}) is False
    assert rule.holds({"loan_amount": 31, "loan_applicants": 1}) is False
    assert rule.holds({"loan_amount": 30, "loan_applicants": 1}) is True
    with pytest.raises(dataclasses.FrozenInstanceError):
        rule.severity = "error"


@pytest.mark.parametrize("when", ["", "   ", None])
def test_blank_when_means_always(when):
    rule = parse_rule("r1", "error", "a <= b", when, "m")
    assert rule.when is None
    assert rule.applies({}) is True
    assert rule.names == frozenset({"a", "b"})


@pytest.mark.parametrize(
    ("check", "when", "severity", "message"),
    [
        ("a <= b", "", "fatal", "规则“r1”的级别“fatal”无效：只能是 error 或 warning"),
        ("a <= b", "", "", "规则“r1”的级别“”无效：只能是 error 或 warning"),
        ("a <= b", "", "Error", "规则“r1”的级别“Error”无效：只能是 error 或 warning"),
        ("a + b", "", "error", "规则“r1”的check列“a + b”不是条件：应为比较（如 a <= b），可用 and/or/not 连接"),
        ("a <= b", "a", "error", "规则“r1”的when列“a”不是条件：应为比较（如 a <= b），可用 and/or/not 连接"),
        ("a <= ", "", "error", "规则“r1”的check列：规则表达式“a <= ”有误：第5个字符处缺少数值或指标"),
        ("", "", "error", "规则“r1”的check列：规则表达式“”有误：表达式为空"),
        ("a <= b", "a = 1", "warning", "规则“r1”的when列：规则表达式“a = 1”有误：第3个字符处的“=”应写作“==”"),
    ],
)
def test_parse_rule_errors_name_the_rule(check, when, severity, message):
    with pytest.raises(ExpressionError) as caught:
        parse_rule("r1", severity, check, when, "m")
    assert str(caught.value) == message


# --- properties -------------------------------------------------------------------

small = st.integers(min_value=-10**6, max_value=10**6)
factor = st.integers(min_value=-10**4, max_value=10**4)
bound = st.integers(min_value=-10**8, max_value=10**8)


@given(small, small, small)
def test_arithmetic_agrees_with_python(a, b, c):
    values = {"a": a, "b": b, "c": c}
    assert evaluate(parse("a + b * c - (a - c)"), values) == float(a + b * c - (a - c))
    assert evaluate(parse("-a * (b + c) - -c"), values) == float(-a * (b + c) - -c)
    assert evaluate(parse("a / b"), values) == (None if b == 0 else a / b)


@given(factor, factor, bound)
def test_comparisons_agree_with_python(a, b, c):
    values = {"a": a, "b": b, "c": c}
    assert evaluate(parse("a * b <= c"), values) is (a * b <= c)
    assert evaluate(parse("a * b < c"), values) is (a * b < c)
    assert evaluate(parse("a * b >= c"), values) is (a * b >= c)
    assert evaluate(parse("a * b > c"), values) is (a * b > c)
    assert evaluate(parse("a * b == c"), values) is (a * b == c)
    assert evaluate(parse("a * b != c"), values) is (a * b != c)
    assert evaluate(parse("not a < b and b - a <= c or c == 0"), values) is (
        (not a < b and b - a <= c) or c == 0
    )


grammar_text = st.text(alphabet="ab_019.() +-*/<>=!notandr\t$'[]（且", max_size=60)


@given(st.one_of(st.text(max_size=80), grammar_text))
def test_parse_only_ever_raises_expression_error(text):
    try:
        expr = parse(text)
    except ExpressionError:
        return
    evaluate(expr, {"a": 1.5, "b": 0, "and_": None})  # whatever parses also evaluates
