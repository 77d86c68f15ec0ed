"""Chinese number formatting for report templates (Jinja2 filters).

Follows GB/T 15835-2011 (出版物上数字用法) and the conventions of statistical
bulletins: Arabic digits, 万/亿 as scale words, no thousands separators, ～ for
ranges, 多 for approximate figures.
"""

from __future__ import annotations

import re
from decimal import (
    ROUND_DOWN,
    ROUND_HALF_UP,
    Decimal,
    InvalidOperation,
    localcontext,
)

from fulian_stats.errors import FulianError

__all__ = ["FILTERS", "cn_approx", "cn_change", "cn_date", "cn_num", "cn_numeral", "cn_period", "cn_phrase",
           "cn_range", "pct", "phrase_problem"]

# Scale words by power of 10**4. 万亿 is deliberately absent: the brief scales
# to 亿 at most, so 1e12 prints as "10000亿".
_SCALES = ("", "万", "亿")
_TEN_THOUSAND = Decimal(10000)


def _dec(x) -> Decimal | None:
    """Exact Decimal for x; None for missing values (None, NaN)."""
    if x is None:
        return None
    if isinstance(x, Decimal):
        d = x
    elif isinstance(x, int):
        d = Decimal(x)
    else:
        # str() of a float is its shortest round-tripping repr, so 2.675 becomes
        # Decimal("2.675") and rounds half up to 2.68 as a reader expects, not
        # to 2.67 as its binary value would.
        text = str(x).strip()
        try:
            d = Decimal(text)
        except InvalidOperation:
            raise FulianError(f"无法识别的数值：{x}") from None
    if d.is_nan():
        # pandas and Excel readers hand over NaN for empty cells: treat as missing.
        return None
    if d.is_infinite():
        raise FulianError(f"无法格式化的数值：{x}")
    return d


def _fmt(d: Decimal, places: int) -> str:
    """d rounded half up to `places` decimals, trailing zeros dropped."""
    with localcontext() as ctx:
        ctx.prec = 60  # room for any realistic magnitude plus the decimals
        q = d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if q.is_zero():
        q = abs(q)  # never print "-0"
    text = format(q, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


_MOST_PLACES = 8  # 万元 carry six decimals (a cent is 0.000001万元): 亿 two more


def _split_unit(unit: str) -> tuple[int, str]:
    """(scale index the number is already in, unit left after the scale word).

    "万元" means the figure is counted in 万, "亿元" in 亿; anything else is a
    plain unit counted in ones.
    """
    if unit[:1] == "万":
        return 1, unit[1:]
    if unit[:1] == "亿":
        return 2, unit[1:]
    return 0, unit


def _scaled(d: Decimal, unit: str) -> tuple[Decimal, int, str]:
    """(|d| expressed in the chosen scale, scale index, rest of the unit).

    The largest scale the magnitude reaches is chosen, but never below the
    scale the unit already carries: 0.5 万元 stays "0.5万元" rather than
    being rewritten as 5000元.
    """
    base, rest = _split_unit(unit)
    a = abs(d)
    idx = base
    while idx < len(_SCALES) - 1 and a >= _TEN_THOUSAND ** (idx + 1 - base):
        idx += 1
    with localcontext() as ctx:
        ctx.prec = 60
        s = a / _TEN_THOUSAND ** (idx - base)
    return s, idx, rest


def _sign(d: Decimal, text: str) -> str:
    return "-" + text if d < 0 and text.strip("0.") else text


def _num_parts(d: Decimal, unit: str) -> tuple[str, str]:
    """("22.12万", "次"): signed number with its scale word, and the unit. Two decimals,
    but a figure is never rounded onto a whole number of 万 or 亿 it is not, nor up to
    the next scale (19999 is 1.9999万, not 2万; 99999 9.9999万, not 10万): a figure
    the totals do not hold must not be read in the report."""
    s, idx, rest = _scaled(d, unit)
    places = 2
    rounded = Decimal(_fmt(s, places))
    while places < _MOST_PLACES and rounded != s and (rounded == rounded.to_integral_value() and idx > 0 and rounded
                                                     or rounded >= _TEN_THOUSAND):
        places += 1
        rounded = Decimal(_fmt(s, places))
    return _sign(d, _fmt(s, places)) + _SCALES[idx], rest


def cn_num(x, unit: str = "") -> str:
    """Exact figure with 万/亿 scaling: 221200, "次" -> "22.12万次"."""
    if unit == "%":
        return pct(x)
    d = _dec(x)
    if d is None:
        return ""
    num, rest = _num_parts(d, unit)
    base = _split_unit(unit)[0]
    if base and d and not num.strip("-0.万亿"):
        # Too small for its scale word: 0.004万元 is 40元, not 0万元.
        return cn_num(d * _TEN_THOUSAND ** base, rest)
    return num + rest


def _share(within) -> Decimal:
    """`within` as a Decimal in (0, 1]: the largest part of a value cn_approx may drop."""
    try:
        share = _dec(within)
    except FulianError:
        share = None
    if share is None or not 0 < share <= 1:
        raise FulianError(f"近似时舍去部分的比例应大于0、不超过1：{within}")
    return share


def _truncated(s: Decimal, share: Decimal) -> tuple[Decimal, int]:
    """(s cut down to its fewest leading digits that drop under `share` of s, the power
    of ten of the last digit kept). Never past two decimals, the precision of cn_num."""
    with localcontext() as ctx:
        ctx.prec = 60
        place = s.adjusted()  # the leading digit's power of ten
        while True:
            kept = s.quantize(Decimal(1).scaleb(place), rounding=ROUND_DOWN)
            if s - kept < share * s or place <= -2:
                return kept, place
            place -= 1


def _approx_parts(d: Decimal, unit: str, within) -> tuple[str, str]:
    """("1600多", "人"), ("2万多", "个"), ("2000多万", "元"): the figure and the unit."""
    share = _share(within)
    s, idx, rest = _scaled(d, unit)
    # Small plain numbers (and sub-万 figures in a 万 unit) read fine exactly.
    if (idx == 0 and s < 100) or s < 1:
        return _num_parts(d, unit)
    kept, place = _truncated(s, share)
    text = _sign(d, format(kept, "f"))
    scale = _SCALES[idx]
    if kept == s:
        return text + scale, rest
    # 多 follows the place it stands for: after a round number it sits before the
    # scale word ("20多万" = 20万 to 30万, "2300多万元"); when the last digit kept is
    # the scale's own ones or a decimal of it, 多 follows the scale word ("2万多个" =
    # 2万 to 3万, "1.5万多"), as in the GB/T 15835 example "3000多吨、2万多吨".
    # "20万多" would mean just over 20万.
    if place <= 0 and scale:
        return text + scale + "多", rest
    return text + "多" + scale, rest


def cn_approx(x, unit: str = "", within=0.1) -> str:
    """Approximate figure for prose, never overstated: 1644, "人" -> "1600多人".

    Keeps the fewest leading digits for which the part dropped is under `within` of
    the value (within=1 keeps one digit: "1000多人").
    """
    if unit == "%":
        return pct(x)  # "90%多" is not how figures are written
    d = _dec(x)
    if d is None:
        return ""
    text, rest = _approx_parts(d, unit, within)
    base = _split_unit(unit)[0]
    if base and d and not text.strip("-0.万亿多"):
        # Too small for its scale word, as cn_num: 0.004万元 is 40元, not 0万元.
        return cn_approx(d * _TEN_THOUSAND ** base, rest, within)
    return text + rest


def pct(x, digits: int = 1) -> str:
    """A percentage figure (92.3 means 92.3%): 92.35 -> "92.4%"."""
    d = _dec(x)
    if d is None:
        return ""
    if digits < 0:
        raise FulianError(f"百分数的小数位数不能为负数：{digits}")
    text = _fmt(d, digits)
    # Never rounded onto 100% or 0% that it is not: 99.96 is 99.96%, not "处理率达100%".
    while digits < 6 and ((d < 100 and Decimal(text) >= 100) or (d > 0 and Decimal(text).is_zero())):
        digits += 1
        text = _fmt(d, digits)
    return text + "%"


# A count changes by a difference ("增加5个") when it is small or moves little: a
# percentage of a handful of things ("下降62.5%" for 8 -> 3) overstates the change.
SMALL_COUNT = 100  # a previous value under this many things...
SMALL_CHANGE = 10  # ...or a change of fewer than this many


def cn_change(cur, prev, unit: str = "", rate: bool = False) -> str:
    """Change against a previous value, as a reader would check it from the figures.

    - a rate (unit "%" or rate=True) in 个百分点 between the figures as pct prints
      them: 90.85, 90.6 -> "提高0.3个百分点" (90.9% against 90.6%);
    - with a unit, a count whose previous value is under 100, or whose change is under
      10, as the difference: 3, 8, "个" -> "减少5个";
    - otherwise a percentage with one decimal: "增长9.0%", "下降2.1%"; empty when the
      previous value is 0. Equal figures are "持平"; figures whose change rounds to
      nothing are "基本持平".
    """
    if not isinstance(unit, str):
        raise FulianError(f"cn_change 的第三个参数是单位（如“个”），不是“{unit}”；比率请写 rate=true")
    c, p = _dec(cur), _dec(prev)
    if c is None or p is None:
        return ""
    with localcontext() as ctx:
        ctx.prec = 60
        if rate or unit == "%":
            # Between the figures as pct prints them; a rate of 0% is a real value, so
            # prev == 0 still has a difference.
            diff = Decimal(pct(c)[:-1]) - Decimal(pct(p)[:-1])
            return _said(diff, format(abs(diff).normalize(), "f"), "个百分点", "提高", "降低", diff.is_zero())
        if unit:
            ones = _TEN_THOUSAND ** _split_unit(unit)[0]  # 2.5 万人 are 25000 people
            if abs(p) * ones < SMALL_COUNT or abs(c - p) * ones < SMALL_CHANGE:
                num, rest = _num_parts(abs(c - p), unit)
                return _said(c - p, num, rest, "增加", "减少", c == p)
        if p.is_zero():
            return ""  # growth from zero has no percentage
        # Divide by |prev| so the word follows the direction of the change even when
        # the base is negative.
        diff = (c - p) / abs(p) * 100
        text = format(diff.copy_abs().quantize(Decimal("0.1"), rounding=ROUND_HALF_UP), "f")
    return _said(diff, text, "%", "增长", "下降", c == p)


def _said(diff: Decimal, amount: str, suffix: str, up: str, down: str, equal: bool) -> str:
    """The change in words ("增长9.0%", "减少5个"): "持平" for equal figures, "基本持平"
    for a change written as nothing (figures that differ by less than the last digit shown)."""
    if equal:
        return "持平"
    if not any(ch in "123456789" for ch in amount):  # "0.0", "0万"
        return "基本持平"
    return (up if diff > 0 else down) + amount + suffix


def cn_range(lo, hi, unit: str = "") -> str:
    """Range with the GB/T 15835 wave dash: 20000, 50000, "元" -> "2万～5万元".

    Each end keeps its scale word (2万～5万, not 2～5万, which reads as 2 to
    50000); the unit is written once at the end. Percent signs stay on both ends.
    """
    if unit == "%":
        a, b = pct(lo), pct(hi)
        return f"{a}～{b}" if a and b else ""
    dlo, dhi = _dec(lo), _dec(hi)
    if dlo is None or dhi is None:
        return ""
    a, rest = _num_parts(dlo, unit)
    b, _ = _num_parts(dhi, unit)
    return f"{a}～{b}{rest}"


_PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def phrase_problem(phrase: str) -> str | None:
    """Why a phrase cannot take a figure (in Chinese), or None when it can."""
    unknown = [p for p in _PLACEHOLDER.findall(phrase) if p not in ("{n}", "{u}")]
    if unknown:
        return f"短语“{phrase}”中的“{unknown[0]}”无法识别（只能用{{n}}表示数字、{{u}}表示单位）"
    if "{n}" not in phrase:
        return f"短语“{phrase}”中没有{{n}}（数字的位置）"
    if "{n}万" in phrase or "{n}亿" in phrase:
        # {n} carries the scale word, which moves with the figure (2706万元, 1.25亿元).
        return (f"短语“{phrase}”中{{n}}后不要再写“万”“亿”：{{n}}已带数量级（如“2706万”），"
                f"金额请写成“{{n}}元”或“{{n}}{{u}}”")
    return None


def cn_phrase(x, phrase: str, unit: str = "", approx: bool = False, within=0.1) -> str:
    """A catalog phrase with its figure: 2084, "为{n}名妇女开展白内障筛查", "人",
    approx=True -> "为2000多名妇女开展白内障筛查".

    {n} is the number as cn_num (or cn_approx) writes it with its scale word but
    without the unit ("2000多", "2706万", "90.9"); {u} is the unit after its scale
    word ("人", "元", "%"). The phrase writes the measure word the sentence needs
    ("名", "户") or {u}: "保险金额{n}{u}" -> "保险金额2706万元".
    """
    problem = phrase_problem(phrase)
    if problem:
        raise FulianError(problem)
    d = _dec(x)
    if d is None:
        return ""
    if unit == "%":
        number, rest = _fmt(d, 1), "%"
    elif approx:
        number, rest = _approx_parts(d, unit, within)
    else:
        number, rest = _num_parts(d, unit)
    return phrase.replace("{n}", number).replace("{u}", rest)


def cn_period(p) -> str:
    """Report period in words: "2016-Q1" -> "2016年第一季度".

    Objects with a `label` attribute (the Period class) are returned as their label;
    strings are read by the same parser as `--period`.
    """
    from fulian_stats.periods import period_from_code

    if hasattr(p, "label"):
        return p.label
    found = period_from_code(p.strip()) if isinstance(p, str) and p.strip() else None
    if found is None:
        raise FulianError(f"无法识别的报告期：{p}")
    return found.label


_DIGITS = "零一二三四五六七八九"


def cn_numeral(n) -> str:
    """A part's number in Chinese numerals, as headings are numbered: 3 -> "三",
    10 -> "十", 12 -> "十二", 20 -> "二十" (1 to 99)."""
    if isinstance(n, bool) or not isinstance(n, int) or not 0 < n < 100:
        raise FulianError(f"序号应为1到99的整数：{n}")
    tens, ones = divmod(n, 10)
    return ((_DIGITS[tens] if tens > 1 else "") + "十" if tens else "") + (_DIGITS[ones] if ones else "")


def cn_date(d) -> str:
    """A date as official documents write it (GB/T 9704: Arabic numerals, no leading
    zeros): date(2018, 1, 15) or "2018-01-15" -> "2018年1月15日"."""
    import datetime

    if isinstance(d, str):
        try:
            d = datetime.date.fromisoformat(d.strip())
        except ValueError:
            raise FulianError(f"无法识别的日期：{d}（应写成 2018-01-15）") from None
    if not isinstance(d, datetime.date):
        raise FulianError(f"无法识别的日期：{d}")
    return f"{d.year}年{d.month}月{d.day}日"


# For Jinja2: env.filters.update(FILTERS)
FILTERS = {
    "cn_num": cn_num,
    "cn_approx": cn_approx,
    "pct": pct,
    "cn_change": cn_change,
    "cn_range": cn_range,
    "cn_period": cn_period,
    "cn_phrase": cn_phrase,
    "cn_numeral": cn_numeral,
    "cn_date": cn_date,
}
