"""Settings: command-line options over `fulian.toml` over defaults.

`fulian.toml` in the working folder may set region, orgs, catalog, rules and
templates (paths in it are relative to the file), and declare layouts for templates
no detection can guess (`[[layout]]` entries, see read/declared.py).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from fulian_stats.errors import ConfigError

CONFIG_NAME = "fulian.toml"
KEYS = {"region", "orgs", "catalog", "rules", "templates"}
TABLES = {"layout"}
DEFAULT_REGION = "合计"


@dataclass
class Settings:
    region: str | None = None
    orgs: Path | None = None
    catalog: Path | None = None
    rules: Path | None = None
    templates: Path | None = None
    source: Path | None = None  # the fulian.toml read, if any
    layouts: tuple = field(default=())  # its [[layout]] entries (read.declared.DeclaredLayout)

    def merged(self, **options) -> Settings:
        """These settings with every option that was given (not None) taking precedence."""
        values = {k: getattr(self, k) for k in KEYS}
        for key, value in options.items():
            if value is not None:
                values[key] = Path(value) if key != "region" else value
        return Settings(**values, source=self.source, layouts=self.layouts)

    def input_files(self) -> set[Path]:
        """Files that configure a run and so are never read as submissions."""
        return {p for p in (self.orgs, self.catalog, self.rules) if p is not None}

    def files_read(self) -> dict[Path, str]:
        """Every file these settings make a run read, with what it is (an output must
        never be one of them)."""
        named = [(self.source, "配置文件"), (self.orgs, "单位名册"), (self.catalog, "指标目录"),
                 (self.rules, "校验规则")]
        return {path: role for path, role in named if path is not None}


def load_settings(folder: Path | None = None) -> Settings:
    path = (folder or Path.cwd()) / CONFIG_NAME
    if not path.is_file():
        return Settings()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"配置文件 {path} 格式有误：{exc}") from None
    unknown = sorted(set(data) - KEYS - TABLES)
    if unknown:
        raise ConfigError(f"配置文件 {path} 中有未知的设置项：{'、'.join(unknown)}（可用：{'、'.join(sorted(KEYS | TABLES))}）")
    settings = Settings(source=path)
    if "layout" in data:
        from fulian_stats.read.declared import parse_layouts

        settings.layouts = parse_layouts(data.pop("layout"), str(path))
    for key, value in data.items():
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(f"配置文件 {path} 中 {key} 应为非空文字")
        setattr(settings, key, value if key == "region" else path.parent / value)
    return settings
