"""Rule expressions: a small tokenizer, recursive-descent parser and evaluator.

Rules files may come from users, so nothing here uses eval/exec/compile/ast:
the only things that exist are numbers, indicator ids, + - * /, one comparison
(< <= > >= == !=) per comparison, and/or/not, and parentheses.

Grammar (lowest precedence first):
    condition  := conjunct ("or" conjunct)*
    conjunct   := negation ("and" negation)*
    negation   := "not" negation | comparison
    comparison := sum [compare_op sum]
    sum        := term (("+" | "-") term)*
    term       := unary (("*" | "/") unary)*
    unary      := "-" unary | NUMBER | NAME | "(" condition ")"
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple, Union

from fulian_stats.errors import ExpressionError

MAX_LENGTH = 500  # rules are one-liners; the cap also bounds evaluator recursion
MAX_NESTING = 40  # "(", "-" and "not" recurse in the parser; bound the depth
TOLERANCE = 1e-9  # relative: money has up to 6 decimals, float noise must not fire rules
SEVERITIES = frozenset({"error", "warning"})

# [0-9], not \d: \d also matches other scripts' digits such as "٣".
TOKEN = r"(?P<num>[0-9]+(?:\.[0-9]+)?)|(?P<name>[a-z_][a-z0-9_]*)|(?P<op><=|>=|==|!=|[-+*/<>()])"
KEYWORDS = frozenset({"and", "or", "not"})

ARITHMETIC: dict[str, Callable[[float, float], float | None]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": lambda left, right: None if right == 0 else left / right,
}
# Each comparison is decided on diff = left - right with a tolerance.
COMPARISONS: dict[str, Callable[[float, float], bool]] = {
    "<": lambda diff, tol: diff < -tol,
    "<=": lambda diff, tol: diff <= tol,
    ">": lambda diff, tol: diff > tol,
    ">=": lambda diff, tol: diff >= -tol,
    "==": lambda diff, tol: abs(diff) <= tol,
    "!=": lambda diff, tol: abs(diff) > tol,
}


@dataclass(frozen=True)
class Num:
    value: float


@dataclass(frozen=True)
class Name:
    name: str


@dataclass(frozen=True)
class Unary:
    op: str  # "-" or "not"
    operand: Node


@dataclass(frozen=True)
class Binary:
    op: str  # arithmetic, comparison, "and" or "or"
    left: Node
    right: Node


Node = Union[Num, Name, Unary, Binary]


def _is_condition(node: Node) -> bool:
    """True when the node yields true/false rather than a number."""
    return isinstance(node, (Unary, Binary)) and node.op not in ARITHMETIC


@dataclass(frozen=True)
class Expr:
    text: str
    node: Node
    names: frozenset[str]  # indicator ids referenced
    is_condition: bool
    compiled: Compiled = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "compiled", _compile(self.node))

    def __reduce__(self):
        # Closures do not pickle: a worker process rebuilds them from the tree.
        return (Expr, (self.text, self.node, self.names, self.is_condition))


class Token(NamedTuple):
    kind: str  # "num", "name", "op" (symbols and keywords) or "end"
    text: str
    pos: int  # 1-based character position, as quoted in messages


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        if not text.strip():
            raise self.fail("表达式为空")
        if len(text) > MAX_LENGTH:
            raise self.fail(f"表达式过长（超过{MAX_LENGTH}个字符）")
        self.tokens = self._tokenize()
        self.index = 0
        self.depth = 0
        self.names: set[str] = set()

    def fail(self, detail: str) -> ExpressionError:
        return ExpressionError(f"规则表达式“{self.text}”有误：{detail}")

    def _tokenize(self) -> list[Token]:
        text, i, tokens = self.text, 0, []
        while i < len(text):
            if text[i].isspace():
                i += 1
                continue
            match = re.match(TOKEN, text[i:])  # text is short (MAX_LENGTH)
            if match is None:
                what = "的“=”应写作“==”" if text[i] == "=" else f"有无法识别的字符“{text[i]}”"
                raise self.fail(f"第{i + 1}个字符处{what}")
            word = match.group()
            tokens.append(Token("op" if word in KEYWORDS else match.lastgroup, word, i + 1))
            i += match.end()
        # End of input is reported just after the last non-blank character.
        tokens.append(Token("end", "", len(text.rstrip()) + 1))
        return tokens

    @property
    def token(self) -> Token:
        return self.tokens[self.index]

    def accept(self, *ops: str) -> Token | None:
        token = self.token
        if token.kind == "op" and token.text in ops:
            self.index += 1
            return token
        return None

    def expect(self, token: Token, operand: Node, condition: bool) -> Node:
        """Refuse e.g. `(a > 1) + 2` or `a and b` at parse time, not at evaluation."""
        if _is_condition(operand) == condition:
            return operand
        if condition:
            raise self.fail(f"第{token.pos}个字符处的“{token.text}”需要比较（如 a > 0），不能用于数值")
        raise self.fail(f"第{token.pos}个字符处的“{token.text}”需要数值，不能用于比较结果")

    def nested(self, token: Token, inner: Callable[[], Node]) -> Node:
        """Run `inner` one level deeper, so hostile input cannot exhaust the stack."""
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise self.fail(f"第{token.pos}个字符处嵌套过深（超过{MAX_NESTING}层）")
        node = inner()
        self.depth -= 1
        return node

    def parse(self) -> Expr:
        node = self.condition()
        token = self.token
        if token.kind == "op" and token.text == ")":
            raise self.fail(f"括号不配对：第{token.pos}个字符处的“)”缺少对应的“(”")
        if token.kind != "end":
            raise self.fail(f"第{token.pos}个字符处的“{token.text}”前缺少运算符")
        return Expr(self.text, node, frozenset(self.names), _is_condition(node))

    def binary_chain(self, ops: tuple[str, ...], operand: Callable[[], Node], condition: bool) -> Node:
        """Left-associative chain of one precedence level."""
        left = operand()
        while token := self.accept(*ops):
            right = self.expect(token, operand(), condition)
            left = Binary(token.text, self.expect(token, left, condition), right)
        return left

    def condition(self) -> Node:
        return self.binary_chain(("or",), self.conjunct, condition=True)

    def conjunct(self) -> Node:
        return self.binary_chain(("and",), self.negation, condition=True)

    def negation(self) -> Node:
        if token := self.accept("not"):
            return Unary("not", self.expect(token, self.nested(token, self.negation), True))
        return self.comparison()

    def comparison(self) -> Node:
        left = self.sum()
        token = self.accept(*COMPARISONS)
        if token is None:
            return left
        node = Binary(token.text, self.expect(token, left, False), self.expect(token, self.sum(), False))
        if again := self.accept(*COMPARISONS):
            raise self.fail(f"第{again.pos}个字符处的“{again.text}”不能接着上一个比较，请用 and 连接两个比较")
        return node

    def sum(self) -> Node:
        return self.binary_chain(("+", "-"), self.term, condition=False)

    def term(self) -> Node:
        return self.binary_chain(("*", "/"), self.unary, condition=False)

    def unary(self) -> Node:
        token = self.token
        if self.accept("-"):
            return Unary("-", self.expect(token, self.nested(token, self.unary), False))
        if self.accept("("):
            node = self.nested(token, self.condition)
            if not self.accept(")"):
                if self.token.kind == "end":
                    raise self.fail(f"括号不配对：第{token.pos}个字符处的“(”缺少对应的“)”")
                raise self.fail(f"第{self.token.pos}个字符处的“{self.token.text}”前缺少运算符")
            return node
        if token.kind in ("num", "name"):
            self.index += 1
            if token.kind == "num":
                return Num(float(token.text))
            self.names.add(token.text)
            return Name(token.text)
        raise self.fail(f"第{token.pos}个字符处缺少数值或指标")


def parse(text: str) -> Expr:
    """Parse a rule expression; raises ExpressionError with a Chinese message."""
    return _Parser(text).parse()


Compiled = Callable[[Mapping[str, "float | int | None"]], "float | bool | None"]


def _compile(node: Node) -> Compiled:
    """The node as a function of the values, built once per rule: walking the tree for
    every sheet of a province costs more than reading the sheet. None means "unknown"
    (a division by zero somewhere below)."""
    if isinstance(node, Num):
        number = node.value
        return lambda values: number
    if isinstance(node, Name):
        name = node.name

        def lookup(values):
            value = values.get(name)
            # Blank cell = not reported = 0; pandas gives NaN for blanks, treat it alike.
            return 0.0 if value is None or value != value else float(value)
        return lookup
    if isinstance(node, Unary):
        operand = _compile(node.operand)
        negate = node.op == "-"

        def unary(values):
            found = operand(values)
            if found is None:
                return None
            return -found if negate else not found
        return unary
    left, right = _compile(node.left), _compile(node.right)
    if node.op in ("and", "or"):
        # Three-valued logic: a decided side wins over an unknown one.
        decisive = node.op == "or"

        def logic(values):
            first = left(values)
            if first is decisive:
                return decisive
            second = right(values)
            if second is decisive:
                return decisive
            return None if first is None or second is None else not decisive
        return logic
    if node.op in ARITHMETIC:
        arithmetic = ARITHMETIC[node.op]

        def calculate(values):
            first, second = left(values), right(values)
            return None if first is None or second is None else arithmetic(first, second)
        return calculate
    compare = COMPARISONS[node.op]

    def comparison(values):
        first, second = left(values), right(values)
        if first is None or second is None:
            return None
        return compare(first - second, TOLERANCE * max(1.0, abs(first), abs(second)))
    return comparison


def evaluate(expr: Expr, values: Mapping[str, float | int | None]) -> float | bool | None:
    """Evaluate with missing/None values as 0.

    Division by zero makes the quotient None, and every comparison using it
    "unknown"; not/and/or keep it unknown unless the other side decides.  An
    unknown condition evaluates to True: the rule cannot be judged, so it must
    not fire.  A purely arithmetic expression returns None in that case.
    """
    result = expr.compiled(values)
    if result is None and expr.is_condition:
        return True
    return result


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str  # "error" or "warning"
    check: Expr
    when: Expr | None
    message: str

    names: frozenset[str] = field(init=False, repr=False, compare=False)  # indicator ids of check and when

    def __post_init__(self) -> None:
        object.__setattr__(self, "names", self.check.names | (self.when.names if self.when else frozenset()))

    def violated(self, values: Mapping[str, float | int | None]) -> bool:
        """The rule applies and does not hold: `applies` and not `holds`, in one call."""
        if self.when is not None and self.when.compiled(values) is False:
            return False
        return self.check.compiled(values) is False

    def applies(self, values: Mapping[str, float | int | None]) -> bool:
        return self.when is None or evaluate(self.when, values) is True

    def holds(self, values: Mapping[str, float | int | None]) -> bool:
        return evaluate(self.check, values) is True


def _parse_condition(rule_id: str, column: str, text: str) -> Expr:
    try:
        expr = parse(text)
    except ExpressionError as error:
        raise ExpressionError(f"规则“{rule_id}”的{column}列：{error}") from None
    if not expr.is_condition:
        raise ExpressionError(
            f"规则“{rule_id}”的{column}列“{text}”不是条件：应为比较（如 a <= b），可用 and/or/not 连接"
        )
    return expr


def parse_rule(id: str, severity: str, check: str, when: str | None, message: str) -> Rule:
    """Build a Rule from the rules-table columns (so `parse_rule(**csv_row)` works).

    A blank `when` means the rule always applies.
    """
    if severity not in SEVERITIES:
        raise ExpressionError(f"规则“{id}”的级别“{severity}”无效：只能是 error 或 warning")
    check_expr = _parse_condition(id, "check", check)
    when_expr = _parse_condition(id, "when", when) if when and when.strip() else None
    return Rule(id, severity, check_expr, when_expr, message)
