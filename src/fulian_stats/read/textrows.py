"""A text file's rows against its header: a CSV has no cells, only fields between
delimiters, so a field too many or too few moves every value after it."""

from __future__ import annotations

from collections import Counter

from fulian_stats.orgs import clean_org_name
from fulian_stats.read.outside import NOTE_ROW


def check_text_rows(reader, start: int, end: int) -> None:
    """A text file's rows must have as many fields as its header: more means values
    with no column, fewer a row cut short (a truncated file ends that way). Either
    way no field of the row can be trusted to be under its heading: it is not read."""
    text = reader.sheet.text
    if text is None:
        return
    rows = reader.sheet.rows
    layout = reader.layout
    width = max(len(rows[r]) for r in range(layout.header_row, layout.header_bottom + 1))
    last = len(rows) - 1
    filled = [r for r in range(start, end) if any(v.strip() for v in rows[r])]
    # The rows' usual width: a writer may end every row with empty fields the header lacks.
    usual = Counter(len(rows[r]) for r in filled).most_common(1)[0][0] if filled else width
    for r in filled:
        row = rows[r]
        if len(row) == width:
            continue
        line = text.lines[r]
        extra = [v for v in row[width:] if v.strip()]
        if len(row) > width and not extra and len(row) == usual:
            continue  # empty fields past the header's, as on every row: nothing moved
        texts = [v for v in row if v.strip()]
        if len(row) < width and len(texts) == 1 and NOTE_ROW.match(texts[0]):
            continue  # a note written on a line of its own (注：以下为街道): no field to move
        reader.ragged.add(r)
        if len(row) > width and not extra:  # one delimiter too many moves every value after it
            message = (f"第{line}行有{len(row)}个字段，比其他各行（{usual}个）多：多出的虽是空字段，但可能是多了分隔符，"
                       "数值错位到了别的列，本行未读取；请核对该行的分隔符（行尾多余的逗号可以删去）")
        elif len(row) > width:
            message = (f"第{line}行有{len(row)}个字段，而表头只有{width}个：多出的值（{'、'.join(v[:20] for v in extra[:10])}）"
                       "没有对应的列，本行未读取；请核对该行是否多了分隔符或错位")
        elif r == last and not text.ends_with_newline:
            message = (f"最后一行（第{line}行）只有{len(row)}个字段，而表头有{width}个，文件可能不完整，本行未读取；"
                       "请重新导出完整的文件后报送")
        else:
            message = f"第{line}行只有{len(row)}个字段，而表头有{width}个，本行未读取；请核对该行是否缺了数值或分隔符"
        reader.here = (_row_org(reader, row), reader.period)  # whose row was refused, as its cell says
        reader.finding("ROW_RAGGED", message, r, min(len(row), width) if len(row) < width else width,
                       values={"line": line, "fields": len(row), "header_fields": width, "extra": extra[:20]})
        reader.here = (reader.org, reader.period)
    if not text.ends_with_newline and last not in reader.ragged and any(v.strip() for v in rows[last]):
        reader.finding("TEXT_UNFINISHED", f"最后一行（第{text.lines[last]}行）后没有换行符：Excel和WPS保存的文件每行都以换行结束，"
                       "这个文件可能在传输或复制时被截断；请核对最后一行的数值，或重新导出后报送", last, 0,
                       values={"line": text.lines[last]})


def _row_org(reader, row: list) -> str | None:
    """The org a table's row names (quietly: the row is refused already), else the sheet's."""
    column = reader.layout.org_col if reader.layout.kind == "table" else None
    text = row[column].strip() if column is not None and column < len(row) else ""
    if not text:
        return reader.org
    return reader.orgs.canonical(text) if reader.orgs is not None else clean_org_name(text)
