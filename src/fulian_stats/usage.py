"""The Chinese of the command line's frame: help headings and markers, and usage errors.

Typer's bundled Click writes its own words in English with no translation hook, so the
CLI's help formatter passes every heading and help line through `help_words`, and the CLI
words every usage error with `error_text` from the exception's own fields (never from its
English message, except to recognise which message it is). Plain strings and exception
attributes only: this module does not import typer.
"""

from __future__ import annotations

import re
import unicodedata

from fulian_stats.errors import FulianError
from fulian_stats.signals import Interrupted

HEADINGS = {"Usage": "用法", "Options": "选项", "Arguments": "参数", "Commands": "命令"}

_HELP_WORDS = [
    (re.compile(r"Show this message and exit\."), "显示本帮助并退出"),
    (re.compile(r"\[required\]"), "[必填]"),
    (re.compile(r"\[default: (.*?)\]"), r"[默认：\1]"),
    (re.compile(r"\[OPTIONS\]"), "[选项]"),
    (re.compile(r"\bCOMMAND\b"), "命令"),
    (re.compile(r"\[ARGS\]\.\.\."), "[参数]..."),
]


def help_words(text: str) -> str:
    """A help line or usage line with Click's English markers in Chinese."""
    for pattern, chinese in _HELP_WORDS:
        text = pattern.sub(chinese, text)
    return text


def _joined(names) -> str:
    return "、".join(str(name) for name in names)


def _listed(text: str) -> str:
    """Click's list of names (`'total', 'org'` or `'x', 'y'`) as 甲、乙."""
    return _joined(re.findall(r"[^,'\s]+", text))


def _param_name(exc) -> str:
    """How the user typed (or would type) the parameter: its options, or an argument's
    metavar."""
    param = getattr(exc, "param", None)
    if param is None:
        hint = getattr(exc, "param_hint", None)
        return _joined(hint) if isinstance(hint, (list, tuple)) else str(hint or "")
    if getattr(param, "param_type_name", "") == "argument":
        return (param.metavar or param.name or "").rstrip(".")
    return " / ".join(param.opts)


_BAD_VALUES = [
    (re.compile(r"^'?(?P<value>.*?)'? is not one of (?P<choices>.*)\.$"),
     lambda m: f"“{m['value']}”不是可选的值（可选：{_listed(m['choices'])}）"),
    (re.compile(r"^'?(?P<value>.*?)'? is not a valid (integer|float|integer range|float range)\.$"),
     lambda m: f"“{m['value']}”不是数"),
    (re.compile(r"^'?(?P<value>.*?)'? is not a valid boolean"),
     lambda m: f"“{m['value']}”不是是/否的值"),
]

_USAGE = [
    (re.compile(r"^No such command '(?P<name>.*)'\.(?: Did you mean (?P<close>.*)\?)?$"),
     lambda m: f"没有“{m['name']}”这个命令" + (f"；是否想用 {_listed(m['close'])}？" if m["close"] else "")),
    (re.compile(r"^Got unexpected extra argument(?:s|\(s\))? \((?P<args>.*)\)$"),
     lambda m: f"多余的参数：{m['args']}"),
    (re.compile(r"^Missing command\.$"), lambda m: "缺少命令"),
]


def error_line(exc, command: str = "fulian-stats") -> str:
    """The line the CLI prints for a usage error, with where to read the usage (the
    `command` whose options were being read when Click does not say)."""
    text = error_text(exc)
    command = getattr(getattr(exc, "ctx", None), "command_path", None) or command
    return f"错误：{text}{'' if text.endswith('？') else '。'}用 {command} --help 查看用法。"


def error_text(exc) -> str:
    """A usage error (missing or unknown option, bad value, ...) as one Chinese phrase."""
    kind = type(exc).__name__
    message = str(getattr(exc, "message", "") or "")
    if kind == "NoSuchOption":
        text = f"没有 {exc.option_name} 这个选项"
        close = list(getattr(exc, "possibilities", None) or [])
        return text + (f"；是否想用 {_joined(sorted(close))}？" if close else "")
    if kind == "MissingParameter":
        what = "参数" if getattr(exc.param, "param_type_name", "") == "argument" else "选项"
        return f"缺少{what} {_param_name(exc)}"
    if kind == "BadOptionUsage":
        if "requires" in message:
            return f"选项 {exc.option_name} 后面要写一个值"
        if "does not take a value" in message:
            return f"选项 {exc.option_name} 不带值（写 {exc.option_name} 即可）"
        return f"选项 {exc.option_name} 用法不对"
    if kind in ("BadParameter", "BadArgumentUsage"):
        for pattern, chinese in _BAD_VALUES:
            if match := pattern.search(message):
                return f"{_param_name(exc)} 的值无效：{chinese(match)}"
        return f"{_param_name(exc)} 的值无效"
    for pattern, chinese in _USAGE:
        if match := pattern.search(message):
            return chinese(match)
    return "命令的写法不对"


def display_width(text: str) -> int:
    """Columns a terminal gives `text`: two for each wide (CJK) character."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


# What a line may not be cut inside: a run of ASCII (an option, a period like 2016-01, a
# file name), or a character with the punctuation that must stay beside it.
_UNBREAKABLE = re.compile(r"[（「“《]*(?:[\x21-\x7e]+|\S)[，。、；：？！）」”》]*|\s+")


def _wrapped(text: str, width: int) -> list[str]:
    """`text` cut into lines of at most `width` columns, between words and between
    Chinese characters (Chinese has no spaces), never inside a run of ASCII."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for token in _UNBREAKABLE.findall(paragraph):
            if line and display_width(line + token.rstrip()) > width:
                lines.append(line.rstrip())
                line = ""
            if line or not token.isspace():
                line += token
        lines.append(line.rstrip())
    return lines


def definition_list(rows, indent: int, width: int, first_max: int = 30) -> str:
    """Click's two-column list of options or commands, measured in display columns."""
    first = min(max((display_width(term) for term, _ in rows), default=0), first_max) + 2
    out = []
    for term, text in rows:
        lines = _wrapped(help_words(text), max(width - indent - first, 20)) if text else []
        if not lines:
            out.append(" " * indent + term)
            continue
        if display_width(term) + 2 > first:
            out.append(" " * indent + term)
            out.append(" " * (indent + first) + lines[0])
        else:
            out.append(" " * indent + term + " " * (first - display_width(term)) + lines[0])
        out.extend(" " * (indent + first) + line for line in lines[1:])
    return "".join(line + "\n" for line in out)


def ending(exc: BaseException, command: str = "fulian-stats") -> tuple[str | None, int, bool]:
    """How a run that raised `exc` ends: the line to print (None: nothing), the exit code
    (1 errors in the data, 2 usage, 3 the program or the machine, 128 + the signal), and
    whether --debug should show the traceback instead."""
    if isinstance(exc, Interrupted):
        return "已中断，未写入输出", 128 + exc.signal, False
    if isinstance(exc, FulianError):
        return f"错误：{exc.command_line}", exc.exit_code, True
    if isinstance(exc, MemoryError):
        return "错误：内存不足，未写入输出；请分批处理报表，或在内存更大的机器上运行", 3, False
    kind = type(exc).__name__
    if kind == "Abort":  # Ctrl-D at a prompt
        return None, 1, False
    # Click's own parsing errors (typer bundles its own click, so known by shape).
    if callable(getattr(exc, "format_message", None)) and isinstance(getattr(exc, "exit_code", None), int):
        return error_line(exc, command), exc.exit_code, False
    return f"内部错误（{kind}）：请加 --debug 重新运行查看详情，并报告此问题", 3, True
